"""`xiezuo ledger template|import|export` and `xiezuo derive`: parse arguments, call services."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from xiezuo.cli.common import OrgOption, YearOption, console, err_console, resolve_org

app = typer.Typer(help="台账：下载模板、导入、导出（xlsx/csv）", no_args_is_help=True)


def _kinds_help() -> str:
    from xiezuo.ledgers.schema import LEDGERS

    return "台账类型：" + "、".join(f"{x.kind}（{x.label}）" for x in LEDGERS)


KindArg = typer.Argument(..., help="台账类型，如 labour_placements；运行 `xiezuo ledger kinds` 查看全部")


@app.command("kinds")
def kinds() -> None:
    """列出全部台账类型。"""
    from xiezuo.ledgers.schema import LEDGERS

    for x in LEDGERS:
        console.print(f"{x.kind:<20} {x.label}", highlight=False)


@app.command("template")
def template(kind: str = KindArg, out: Path = typer.Option(..., "--out", help="输出的 .xlsx 文件")) -> None:
    """下载某台账的 Excel 模板：中文列名、下拉选项、填写说明和一行示例。"""
    from xiezuo.ledgers.exports import ledger_template

    ledger_template(kind=kind, path=out)
    console.print(f"已写出模板 {out}", highlight=False)


@app.command("import")
def import_(
    kind: str = KindArg,
    file: Path = typer.Argument(..., help=".xlsx 或 .csv 文件"),
    org: str = OrgOption,
    year: int = YearOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查，不写入"),
    append: bool = typer.Option(False, "--append", help="追加到已有台账（默认用文件替换该县该年度的台账）"),
    update: bool = typer.Option(False, "--update", help="按记录更新：带「记录编号」的行更新这些记录，其余行追加"),
) -> None:
    """导入台账文件。整份文件逐格检查，有任何错误都不写入，并列出每个有误的单元格。"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from xiezuo.ledgers.services import ledger_import

    unit = resolve_org(org)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        result = ledger_import(kind=kind, path=file, org=unit, year=year, replace=not append, dry_run=dry_run,
                               mode="update" if update else None, on_progress=on_progress)
    if result.dry_run:
        console.print(f"检查通过：{result.rows} 条记录均无误（--dry-run，未写入）", highlight=False)
    else:
        replaced = f"，替换原有 {result.deleted} 条" if result.deleted else ""
        updated = f"（更新 {result.updated} 条、新增 {result.added} 条、未变 {result.unchanged} 条）" if update else ""
        console.print(f"已导入 {result.rows} 条记录到 {unit.name} {year} 年度台账{replaced}{updated}", highlight=False)


@app.command("export")
def export(
    kind: str = KindArg,
    org: str = OrgOption,
    year: int = YearOption,
    out: Path = typer.Option(..., "--out", help="输出文件（.xlsx 或 .csv）"),
    full_ids: bool = typer.Option(False, "--full-ids", help="导出完整身份证号（默认脱敏；导出行为会被记录）"),
    reason: str = typer.Option("", "--reason", help="导出完整身份证号的用途（记入修改记录）"),
) -> None:
    """导出台账，格式与模板相同，可直接再导入。身份证号默认脱敏（前 6 后 4 位）。"""
    from xiezuo.ledgers.exports import ledger_export

    unit = resolve_org(org)
    n = ledger_export(kind=kind, org=unit, year=year, path=out, reveal_ids=full_ids, reason=reason)
    console.print(f"已导出 {n} 条记录到 {out}", highlight=False)


class DeriveFormat(StrEnum):
    json = "json"
    text = "text"


def derive(
    org: str = OrgOption,
    year: int = YearOption,
    format: DeriveFormat = typer.Option(DeriveFormat.text, "--format", help="text 或 json"),
) -> None:
    """由台账生成统计表数值，与表中现有（填报/公布）数值逐行对照：填报值、生成值、差额。"""
    from xiezuo.ledgers.reconciliation import reconciliation_for

    unit = resolve_org(org)
    lines = reconciliation_for(unit, year)
    if format is DeriveFormat.json:
        sys.stdout.write(json.dumps([ln.as_dict() for ln in lines], ensure_ascii=False, indent=2) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{unit.name} {year} 年度：台账生成值与统计表对照", show_lines=False)
    for name in ("指标", "单位", "填报值", "台账生成值", "差额", "处理"):
        table.add_column(name, justify="right" if name in ("填报值", "台账生成值", "差额") else "left")
    differ = 0
    for ln in lines:
        d = ln.as_dict()
        mark = Text("")
        if ln.derived is None:
            mark = Text("台账无记录", style="dim")
        elif ln.entered is None:
            mark = Text("未填报", style="yellow")
        elif not ln.agrees:
            mark = Text("不一致", style="red")
            differ += 1
        if ln.decision:
            mark += f" 已{'采用生成值' if ln.decision == 'accept' else '保留填报值'}"
        table.add_row(ln.row.label, ln.row.unit, str(d["entered"] or ""), str(d["derived"] or ""),
                      str(d["difference"] or ""), mark)
    console.print(table)
    agree = sum(1 for ln in lines if ln.agrees)
    console.print(f"可由台账生成的指标 {len(lines)} 项：一致 {agree} 项，不一致 {differ} 项", highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="ledger")
    root.command()(derive)
