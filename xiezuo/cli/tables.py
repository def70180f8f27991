"""`xiezuo table` and `xiezuo validate`."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.markup import escape

from xiezuo.cli.common import OrgOption, YearOption, console, fail, resolve_org


class TableFormat(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class ReportFormat(StrEnum):
    json = "json"
    text = "text"


def table(
    org: str = OrgOption,
    year: int = YearOption,
    format: TableFormat = typer.Option(TableFormat.json, "--format", help="json、csv 或 xlsx"),
    out: Path | None = typer.Option(None, "--out", help="输出文件；xlsx 必须指定，json/csv 缺省输出到屏幕"),
) -> None:
    """输出某单位某年度的统计表。json 为按表序排列的列表（code、section、label、unit、value、source）。"""
    from xiezuo.tables.exports import Column, table_csv, table_json, table_xlsx
    from xiezuo.tables.selectors import table_for

    unit = resolve_org(org)
    catalogue, lines = table_for(unit, year)
    column = Column(
        name=unit.name,
        values={ln.row.code: ln.value for ln in lines},
        sources={ln.row.code: ln.source for ln in lines if ln.source},
    )
    if format is TableFormat.xlsx:
        if out is None:
            fail("xlsx 格式需要用 --out 指定输出文件")
        out.parent.mkdir(parents=True, exist_ok=True)
        # A county's own table: its column under the city's heading, no empty column for the city.
        table_xlsx(catalogue, [column], out, area_name=unit.parent.name if unit.parent else "")
        console.print(f"已写出 {out}", highlight=False)
        return
    text = table_json(catalogue, column) if format is TableFormat.json else table_csv(catalogue, [column])
    if out is None:
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        console.print(f"已写出 {out}", highlight=False)


def validate(
    org: str = OrgOption,
    year: int = YearOption,
    format: ReportFormat = typer.Option(ReportFormat.text, "--format", help="text 或 json"),
) -> None:
    """按模板规则校验统计表。有「错误」级问题时退出码为 1。"""
    from xiezuo.engine.validate import SEVERITY_LABELS
    from xiezuo.tables.findings import table_validate

    unit = resolve_org(org)
    findings = table_validate(unit, year)
    errors = sum(1 for f in findings if f.severity == "error")
    if format is ReportFormat.json:
        sys.stdout.write(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2) + "\n")
    else:
        if not findings:
            console.print(f"{unit.name} {year} 年统计表：未发现问题", highlight=False)
        for f in findings:
            style = "red" if f.severity == "error" else "yellow"
            console.print(f"[{style}]【{SEVERITY_LABELS[f.severity]}】[/]{escape(f.message)}  （规则 {escape(f.rule)}）",
                          highlight=False, markup=True)
        if findings:
            warnings = len(findings) - errors
            console.print(f"\n共 {errors} 个错误、{warnings} 个警告/提示", highlight=False)
    if errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(table)
    app.command()(validate)
