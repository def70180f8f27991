"""`xiezuo rollup`, `xiezuo compare` and `xiezuo assess`: an area's roll-up, year over year, assessment."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from xiezuo.cli.common import OrgOption, YearOption, console, err_console, fail, resolve_org

if TYPE_CHECKING:
    from xiezuo.orgunits.models import OrgUnit


class RollupFormat(StrEnum):
    json = "json"
    xlsx = "xlsx"


class TextFormat(StrEnum):
    json = "json"
    text = "text"


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console.print(f"已写出 {out}", highlight=False)


def rollup(
    org: str = OrgOption,
    year: int = YearOption,
    format: RollupFormat = typer.Option(RollupFormat.json, "--format", help="json 或 xlsx"),
    out: Path | None = typer.Option(None, "--out", help="输出文件；xlsx 必须指定，json 缺省输出到屏幕"),
    approved_only: bool = typer.Option(False, "--approved-only", help="只汇总填报已审核通过的县（市、区）"),
    levels: bool = typer.Option(False, "--levels", help="xlsx：逐级列出全部下级单位（每个市后接其各县），显示进度条"),
) -> None:
    """汇总某地区某年度的统计表：地区合计在前，其后每个下级单位一列。"""
    from xiezuo.rollup.selectors import area_table

    unit = resolve_org(org)
    if levels:
        if format is not RollupFormat.xlsx or out is None:
            fail("--levels 只用于 xlsx 格式，并需要用 --out 指定输出文件")
        _levels_xlsx(unit, year, out, approved_only=approved_only)
        return
    table = area_table(unit, year, approved_only=approved_only)
    if format is RollupFormat.xlsx:
        from xiezuo.tables.exports import table_xlsx

        if out is None:
            fail("xlsx 格式需要用 --out 指定输出文件")
        out.parent.mkdir(parents=True, exist_ok=True)
        table_xlsx(table.catalogue, table.export_columns(), out, area_name=unit.name)
        console.print(f"已写出 {out}（{table.coverage_text}）", highlight=False)
    else:
        _write(json.dumps(table.as_dict(), ensure_ascii=False, indent=2), out)
        err_console.print(table.coverage_text, highlight=False)
    for note in table.notes:
        err_console.print(f"[yellow]说明：[/]{escape(note)}", highlight=False, markup=True)


def progress_bar() -> Progress:
    """The bar the long area commands show on stderr, fed by the same `on_progress` as the jobs."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=True)


def _levels_xlsx(unit: OrgUnit, year: int, out: Path, *, approved_only: bool) -> None:
    import shutil
    import tempfile

    from xiezuo.rollup.exports import area_workbook_file

    out.parent.mkdir(parents=True, exist_ok=True)
    with progress_bar() as bar, tempfile.TemporaryDirectory(prefix="xiezuo-rollup-") as tmp:
        task = bar.add_task(f"{unit.name}逐级汇总", total=None)
        path, _, summary = area_workbook_file(
            unit, year, Path(tmp), approved_only=approved_only,
            on_progress=lambda phase, n, total: bar.update(task, description=phase, completed=n, total=total))
        shutil.move(str(path), out)
    console.print(f"已写出 {out}（{summary['columns']} 列；{summary['coverage']}）", highlight=False)


def _years(text: str) -> tuple[int, int]:
    parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts):
        fail(f"--years 应为两个四位年度，用逗号分隔，如 2022,2023，不能是「{text}」")
    return int(parts[0]), int(parts[1])


def compare(
    org: str = OrgOption,
    years: str = typer.Option(..., "--years", help="两个年度，用逗号分隔，如 2022,2023"),
    format: TextFormat = typer.Option(TextFormat.text, "--format", help="text 或 json"),
    key_only: bool = typer.Option(False, "--key-only", help="只列重点指标（模板中 key = true 的行）"),
    rows: str = typer.Option("", "--rows", help="只列这些行，逗号分隔的指标代码，如 labour_east,labour_local"),
    approved_only: bool = typer.Option(False, "--approved-only", help="地区汇总只含填报已审核通过的县"),
) -> None:
    """同比：某单位（县为本级数据，地区为汇总数）两个年度逐行对比：两年数值、变化和变化率。"""
    from rich.table import Table

    from xiezuo.engine.compare import plain
    from xiezuo.rollup.selectors import compare as compare_selector

    unit = resolve_org(org)
    y1, y2 = _years(years)
    result = compare_selector(unit, (y1, y2), approved_only=approved_only)
    wanted = {c.strip() for c in rows.split(",") if c.strip()}
    unknown = wanted - {line.row.code for line in result.lines}
    if unknown:
        fail(f"没有指标代码 {'、'.join(sorted(unknown))}")
    lines = [
        line for line in result.lines
        if (not key_only or line.row.key) and (not wanted or line.row.code in wanted)
    ]
    if format is TextFormat.json:
        data = result.as_dict()
        data["rows"] = [line.as_dict((y1, y2)) for line in lines]
        _write(json.dumps(data, ensure_ascii=False, indent=2), None)
        return
    table = Table(title=f"{unit.name} {y1}—{y2} 年统计表同比", show_lines=False)
    table.add_column("指标", min_width=28, overflow="fold")
    for name in ("单位", str(y1), str(y2), "变化", "变化率"):
        table.add_column(name, justify="left" if name == "单位" else "right", no_wrap=True)
    table.add_column("说明")
    for line in lines:
        if line.row.value_kind == "text":
            continue
        fmt = line.row.format
        pct = f"{line.percent:+}%" if line.percent is not None else ""
        change = ""
        if line.change is not None:
            change = ("+" if line.change >= 0 else "") + (plain(line.change) or "") + ("个百分点" if line.row.value_kind == "percent" else "")
        table.add_row(
            line.row.label, line.row.unit,
            fmt(line.first) if line.first is not None else "—",
            fmt(line.second) if line.second is not None else "—",
            change, pct, line.status,
        )
    console.print(table)
    if unit.level != "county":
        console.print("；".join(f"{y} 年汇总涵盖 {c} 个县（市、区），其中 {r} 个有数据"
                               for y, c, r in zip((y1, y2), result.covers, result.reported, strict=True)),
                      highlight=False)


def assess(
    org: str = OrgOption,
    year: int = YearOption,
    scheme: Path | None = typer.Option(None, "--scheme", help="考核方案文件（TOML）；缺省为示例方案（非官方）"),
    format: TextFormat = typer.Option(TextFormat.text, "--format", help="text 或 json"),
    out: Path | None = typer.Option(None, "--out", help="写出考核结果工作簿（.xlsx：考核排名、扣分明细），显示进度条"),
) -> None:
    """考核评价：按考核方案给县（或地区所辖各县）打分、定等次、排名，并逐条说明扣分原因。"""
    from xiezuo.assessment.scheme import load_scheme
    from xiezuo.assessment.selectors import assess as assess_selector

    unit = resolve_org(org)
    if out is not None:
        from xiezuo.assessment.exports import assessment_xlsx

        with progress_bar() as bar:
            task = bar.add_task(f"{unit.name}考核评分", total=None)
            result = assess_selector(unit, year, scheme=load_scheme(scheme) if scheme else None)
            out.parent.mkdir(parents=True, exist_ok=True)
            assessment_xlsx(result, out, area_name=unit.name, year=year, on_progress=lambda n, total: bar.update(
                task, description=f"写出工作簿（第 {n}/{total} 个县）", completed=n, total=total))
        console.print(f"已写出 {out}（{len(result.ranking)} 个县（市、区））", highlight=False)
        return
    result = assess_selector(unit, year, scheme=load_scheme(scheme) if scheme else None)
    if format is TextFormat.json:
        _write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), None)
        return
    s = result.scheme
    console.print(f"[bold]{escape(unit.name)} {year} 年度考核评价[/]　方案：{escape(s.name)}（{escape(str(s.source))}）",
                  highlight=False, markup=True)
    if not s.official:
        console.print("[yellow]注意：此为示例方案，非官方考核办法。[/]", highlight=False, markup=True)
    if result.illustrative_targets:
        console.print("[yellow]注意：所用年度目标含演示用示例目标，非真实协议指标。[/]", highlight=False, markup=True)
    for rank, score in result.ranking:
        console.print(
            f"\n第 {rank} 名　[bold]{escape(score.org_name)}[/]　{score.score} 分　等次：[bold]{escape(score.grade)}[/]"
            f"（得分 {score.earned} / 可计分 {score.possible}）", highlight=False, markup=True,
        )
        for p in score.lost:
            target = f"，要求 {p.target}" if p.target else ""
            console.print(f"  - 扣 {p.points.quantize(Decimal('0.01'))} 分：{p.label}（{p.test}）"
                          f"{target}，实际 {p.actual or '未填报'}：{p.reason}", highlight=False)
        for p in score.not_scored:
            console.print(f"  · 不计分 {p.points.quantize(Decimal('0.01'))} 分：{p.label}（{p.test}）：{p.reason}",
                          highlight=False)
        if not score.lost:
            console.print("  （无扣分）", highlight=False)


def completeness(
    org: str = OrgOption,
    year: int = YearOption,
    format: TextFormat = typer.Option(TextFormat.text, "--format", help="text 或 json"),
) -> None:
    """填报进度：某地区各县（市、区）的填报状态（填报中、已报送、已退回、已审核通过）和逾期情况。"""
    from xiezuo.rollup.completeness import STATE_LABELS
    from xiezuo.rollup.completeness import completeness as completeness_selector

    unit = resolve_org(org)
    result = completeness_selector(unit, year)
    if format is TextFormat.json:
        _write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), None)
        return
    counts = "，".join(f"{STATE_LABELS[s]} {n} 个" for s, n in result.counts.items())
    console.print(f"{unit.name} {year} 年填报进度（截止日期 {result.due:%Y年%m月%d日}）：共 {len(result.units)} 个，"
                  f"{counts}；逾期 {len(result.late)} 个", highlight=False)
    for u in result.units:
        state = STATE_LABELS[u.state] if u.started else "未填报"
        console.print(f"  {escape(u.name)}（{u.code}）：{state}{'　[red]逾期[/]' if u.late else ''}", highlight=False,
                      markup=True)


targets_app = typer.Typer(help="年度目标（年度协议指标）：导入。", no_args_is_help=True)


@targets_app.command("import")
def targets_import(
    file: Path = typer.Argument(..., help="XLSX 文件：区划代码 | 年度 | 指标代码 | 目标值 | 说明"),
) -> None:
    """从 XLSX 导入年度目标；有任何一格出错则全部不写入，并逐格说明。"""
    from xiezuo.assessment.services import targets_import_xlsx

    if not file.exists():
        fail(f"文件不存在：{file}")
    count = targets_import_xlsx(path=file, by=None)
    console.print(f"已导入 {count} 个年度目标", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(rollup)
    app.command()(compare)
    app.command()(assess)
    app.command()(completeness)
    app.add_typer(targets_app, name="targets")
