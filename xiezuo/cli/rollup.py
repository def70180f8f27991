"""`xiezuo rollup`, `xiezuo compare` and `xiezuo assess`: an area's roll-up, year over year, assessment."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

from xiezuo.cli.common import OrgOption, YearOption, console, err_console, fail, resolve_org


class RollupFormat(str, Enum):
    json = "json"
    xlsx = "xlsx"


class TextFormat(str, Enum):
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
) -> None:
    """汇总某地区某年度的统计表：地区合计在前，其后每个下级单位一列。"""
    from xiezuo.rollup.selectors import area_table

    unit = resolve_org(org)
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
        err_console.print(f"[yellow]说明：[/]{note}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(rollup)
