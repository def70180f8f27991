"""Ledger files: reading .xlsx (python-calamine) and .csv, writing templates and exports (openpyxl).

A ledger file has one data sheet named after the ledger (headers in row 1, one record per row)
and an instructions sheet (填写说明) with each column's rules and one example row. Exports use
the same layout, so an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from xiezuo.core.bounded import check_xlsx, csv_rows, read_text_file
from xiezuo.core.errors import InvalidValue, Location
from xiezuo.core.textcheck import shown
from xiezuo.ledgers import idcard
from xiezuo.ledgers.schema import NO, RECORD_KEY_HEADER, YES, Column, Ledger

INSTRUCTIONS_SHEET = "填写说明"
PERSONAL_DATA_NOTE = "本文件含完整身份证号等个人信息，仅限本县离线工作使用，不得外传；用毕请删除。"
TYPE_WORDS = {
    "text": "文本", "int": "整数", "money": "金额（万元）", "date": "日期（年-月-日）",
    "bool": f"{YES}/{NO}", "code": "下拉选择", "idno": "身份证号（文本格式）",
}


@dataclass
class SheetData:
    sheet: str | None
    headers: list[object]
    rows: Sequence[Sequence[object]]


def read_ledger_file(path: Path, ledger: Ledger, *, name: str | None = None) -> SheetData:
    """The data sheet of an .xlsx or a .csv file; InvalidValue naming the file when unreadable.

    `name` is the file's name as the user knows it (an upload is stored under a short one). The
    file's size and, for XLSX, its zip entries and sheet extents are checked before it is read.
    """
    label = shown(name or path.name, 80)
    suffix = Path(name).suffix.lower() if name else path.suffix.lower()
    if not path.exists():
        raise InvalidValue("文件不存在", location=Location(file=str(path)))
    if suffix == ".csv":
        return _read_csv(path, label)
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _read_xlsx(path, ledger, label)
    raise InvalidValue("只能导入 .xlsx 或 .csv 文件", location=Location(file=label))


def _read_csv(path: Path, label: str) -> SheetData:
    rows = csv_rows(read_text_file(path, label), label)
    if not rows:
        raise InvalidValue("文件是空的", location=Location(file=label))
    return SheetData(sheet=None, headers=list(rows[0]), rows=rows[1:])


def _read_xlsx(path: Path, ledger: Ledger, label: str) -> SheetData:
    from python_calamine import CalamineWorkbook

    check_xlsx(path, name=label)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InvalidValue(f"无法读取 Excel 文件：{shown(exc, 200)}", location=Location(file=label)) from exc
    names = workbook.sheet_names
    if ledger.label in names:
        name = ledger.label
    else:
        candidates = [n for n in names if n != INSTRUCTIONS_SHEET]
        if not candidates:
            raise InvalidValue(f"找不到数据工作表「{ledger.label}」", location=Location(file=label))
        name = candidates[0]
    try:
        data = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # a damaged sheet inside a readable workbook
        raise InvalidValue(f"无法读取工作表：{shown(exc, 200)}", location=Location(file=label, sheet=name)) from exc
    if not data:
        raise InvalidValue("工作表是空的", location=Location(file=label, sheet=name))
    return SheetData(sheet=name, headers=list(data[0]), rows=data[1:])


def cell_out(col: Column, value: Any, *, reveal_ids: bool) -> Any:
    """A stored value as written to a file: Chinese labels for codes, 是/否, masked IDs."""
    if value is None or value == "":
        return None
    if col.type == "code":
        return col.label_of.get(value, value)
    if col.type == "bool":
        return YES if value else NO
    if col.type == "idno":
        return value if reveal_ids else idcard.mask(value)
    if col.type == "money":
        return value  # Decimal: openpyxl writes a number; CSV writes its exact text
    return value



def money_format(value: object) -> str:
    """An amount prints as the clerk typed it: 5590 (never "5590."), 35.6, 0.3725."""
    if isinstance(value, (int, float, Decimal)) and value == int(value):
        return "0"
    return "0.0###"

def write_xlsx(path: Path, ledger: Ledger, records: Iterable[Sequence[Any]], *, with_validation: bool = True,
               keys: bool = False, personal: bool = False) -> int:
    """Write the data sheet (rows already converted by `cell_out`) and the instructions sheet.

    With `keys` each row ends with its record key (记录编号); `personal` marks a file holding full
    ID numbers (its properties and the instructions sheet say so)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = ledger.label
    ws.append([*ledger.headers, *([RECORD_KEY_HEADER] if keys else [])])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, col in enumerate(ledger.columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(col.header) * 2 + 4))
    ws.freeze_panes = "A2"
    count = 0
    money_cols = [i for i, c in enumerate(ledger.columns, start=1) if c.type == "money"]
    date_cols = [i for i, c in enumerate(ledger.columns, start=1) if c.type == "date"]
    text_cols = [i for i, c in enumerate(ledger.columns, start=1) if c.type in ("idno", "text")]
    for rec in records:
        ws.append(list(rec))
        count += 1
        r = count + 1
        for i in date_cols:
            ws.cell(row=r, column=i).number_format = "yyyy-mm-dd"
        for i in money_cols:
            cell = ws.cell(row=r, column=i)
            cell.number_format = money_format(cell.value)
    last_row = max(count + 1, 1000)
    for i in text_cols:
        ws.column_dimensions[get_column_letter(i)].number_format = "@"
    if with_validation:
        for i, col in enumerate(ledger.columns, start=1):
            options: list[str] = []
            if col.type == "code":
                options = [label for _, label in col.choices]
            elif col.type == "bool":
                options = [YES, NO]
            if not options:
                continue
            dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=not col.required)
            dv.error = f"请从下拉列表中选择：{'、'.join(options)}"
            dv.errorTitle = col.header
            dv.prompt = col.help or f"请选择{col.header}"
            dv.showErrorMessage = True
            dv.showInputMessage = True
            letter = get_column_letter(i)
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)
    if keys:
        key_cell = ws.cell(row=1, column=len(ledger.columns) + 1)
        key_cell.font, key_cell.fill = bold, PatternFill("solid", fgColor="EEEEEE")
        ws.column_dimensions[get_column_letter(len(ledger.columns) + 1)].width = 12
    _instructions(wb, ledger, keys=keys, personal=personal)
    if personal:
        wb.properties.title = f"{ledger.label}（含个人信息）"
        wb.properties.keywords = "个人信息"
        wb.properties.description = PERSONAL_DATA_NOTE
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return count


def _instructions(wb: Any, ledger: Ledger, *, keys: bool = False, personal: bool = False) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(INSTRUCTIONS_SHEET)
    bold = Font(bold=True)
    ws.append([f"「{ledger.label}」台账填写说明"])
    ws["A1"].font = Font(bold=True, size=14)
    if personal:
        ws.append([PERSONAL_DATA_NOTE])
        ws[f"A{ws.max_row}"].font = Font(bold=True, color="C00000")
    if keys:
        ws.append([f"最后一列「{RECORD_KEY_HEADER}」是每条记录在本系统中的编号：修改后按“按记录更新”导入，"
                   "即更新这些记录；新增的记录请留空该列；不要修改编号。脱敏的身份证号原样保留即沿用已存的号码。"])
    ws.append([f"在工作表「{ledger.label}」中每行填写一条记录，不要修改第一行的列名。"
               "导入时整份文件逐格检查：任何一格有误都不会写入，并列出每个有误的单元格。"])
    ws.append(["金额一律以万元为单位；日期写成 2023-03-15；带下拉箭头的列请从列表中选择。"])
    ws.append([])
    ws.append(["列名", "是否必填", "类型", "可选值", "说明"])
    for c in ws[ws.max_row]:
        c.font = bold
    for col in ledger.columns:
        options = "、".join(label for _, label in col.choices) if col.type == "code" else (
            f"{YES}、{NO}" if col.type == "bool" else "")
        notes = col.help
        if col.in_year:
            notes = (notes + "；" if notes else "") + "应在填报年度内"
        ws.append([col.header, "必填" if col.required else "选填", TYPE_WORDS[col.type], options, notes])
    ws.append([])
    ws.append(["示例（一行）："])
    ws[f"A{ws.max_row}"].font = bold
    ws.append(ledger.headers)
    for c in ws[ws.max_row]:
        c.font = bold
    ws.append([_example(col) for col in ledger.columns])
    for letter, width in zip("ABCDE", (28, 10, 18, 40, 40), strict=True):
        ws.column_dimensions[letter].width = width


def _example(col: Column) -> object:
    if col.type == "date" and col.example:
        return dt.date.fromisoformat(col.example)
    if col.type in ("int",) and col.example:
        return int(col.example)
    if col.type == "money" and col.example:
        return Decimal(col.example)
    return col.example or None


def write_csv(path: Path, ledger: Ledger, records: Iterable[Sequence[Any]], *, keys: bool = False) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    # utf-8-sig so that Excel on a county PC opens the Chinese headers correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*ledger.headers, *([RECORD_KEY_HEADER] if keys else [])])
        for rec in records:
            writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, dt.date) else v) for v in rec])
            count += 1
    return count
