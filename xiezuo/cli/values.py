"""`xiezuo values set|import` and `xiezuo orgunits import`: entering figures and divisions from the shell."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import typer

from xiezuo.cli.common import OrgOption, YearOption, console, resolve_org
from xiezuo.core.bounded import csv_rows, read_text_file
from xiezuo.core.errors import InvalidValue, Location
from xiezuo.core.textcheck import shown

values_app = typer.Typer(help="统计表数值：逐项填写或从文件导入", no_args_is_help=True)
orgunits_app = typer.Typer(help="行政区划与结对关系", no_args_is_help=True)


@values_app.command("set")
def set_value(
    code: str = typer.Argument(..., help="指标代码，如 labour_east（见 xiezuo table --format json）"),
    value: str = typer.Argument(..., help="数值或文本，如 235、30.96"),
    org: str = OrgOption,
    year: int = YearOption,
) -> None:
    """填写一个指标的值；类型不符时给出原因，不写入。"""
    from xiezuo.tables.services import value_set

    unit = resolve_org(org)
    dv = value_set(org=unit, year=year, code=code, raw=value, by=None)
    console.print(f"已保存：{unit.name} {year} 年 {code} = {value}（第 {dv.version} 版）", highlight=False)


def _read_inputs(path: Path) -> list[tuple[str, object, Location]]:
    """CSV with columns code,value (extra columns ignored) or the JSON of `xiezuo table --format json`."""
    if not path.exists():
        raise InvalidValue("文件不存在", location=Location(file=str(path)))
    text = read_text_file(path, path.name)  # size-checked; UTF-8 or GB18030 (GBK)
    if path.suffix.lower() == ".json":
        try:
            # Exact decimals, never floats; NaN and Infinity stay text for the row to refuse.
            items = json.loads(text, parse_float=Decimal, parse_constant=str)
        except json.JSONDecodeError as exc:
            raise InvalidValue(f"JSON 格式错误：第 {exc.lineno} 行 {exc.msg}", location=Location(file=path.name)) from exc
        if not isinstance(items, list):
            raise InvalidValue("JSON 应为对象列表（code、value）", location=Location(file=path.name))
        return [
            (str(it.get("code")), it.get("value"), Location(file=path.name, row=i, column="value", value=it.get("value")))
            for i, it in enumerate(items, start=1)
            if isinstance(it, dict) and it.get("kind", "value") == "value" and it.get("value") is not None
        ]
    rows = csv_rows(text, path.name)  # any line ends, bounded rows, columns and field size
    header = [h.strip() for h in rows[0]] if rows else []
    if "code" not in header or "value" not in header:
        raise InvalidValue("CSV 需要 code 和 value 两列", location=Location(file=path.name))
    at_code, at_value = header.index("code"), header.index("value")
    out: list[tuple[str, object, Location]] = []
    for i, rec in enumerate(rows[1:], start=2):
        code = rec[at_code] if at_code < len(rec) else ""
        value = rec[at_value] if at_value < len(rec) else ""
        if value.strip():
            out.append((code, value, Location(file=path.name, row=i, column="value", value=shown(value))))
    return out


@values_app.command("import")
def import_values(
    file: Path = typer.Argument(..., help="CSV（code,value 两列）或 xiezuo table --format json 的输出"),
    org: str = OrgOption,
    year: int = YearOption,
) -> None:
    """从文件导入一个单位一个年度的统计表数值；任何一项有误则全部不写入，并列出每处错误。"""
    from xiezuo.tables.services import ValueInput, values_set_many

    unit = resolve_org(org)
    inputs = [ValueInput(code=c, raw=v, location=loc) for c, v, loc in _read_inputs(file)]
    count = values_set_many(org=unit, year=year, inputs=inputs, by=None, file=file.name)
    console.print(f"已导入 {count} 项：{unit.name} {year} 年", highlight=False)


@orgunits_app.command("import")
def import_orgunits(
    file: Path = typer.Argument(..., help="CSV：code,name,level,side,parent_code"),
) -> None:
    """导入行政区划（新建或更新）；任何一行有误则全部不写入。"""
    from xiezuo.orgunits.services import orgunits_import_csv

    result = orgunits_import_csv(path=file)
    console.print(f"行政区划：新建 {result.created} 个，更新 {result.updated} 个", highlight=False)


@orgunits_app.command("import-pairings")
def import_pairings(
    file: Path = typer.Argument(..., help="CSV：east_code,west_code,kind,start_year,end_year"),
) -> None:
    """导入结对关系；任何一行有误则全部不写入。"""
    from xiezuo.orgunits.services import pairings_import_csv

    result = pairings_import_csv(path=file)
    console.print(f"结对关系：新建 {result.created} 个", highlight=False)
