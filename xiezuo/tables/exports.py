"""The statistics table as files: XLSX in the official layout, CSV and JSON for machines."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from xiezuo.catalogue.loader import Catalogue, Row


@dataclass(frozen=True)
class Column:
    """One org unit's column: its name and its values by row code."""

    name: str
    values: Mapping[str, Decimal | str | None]
    sources: Mapping[str, str] | None = None


def number_format(row: Row, value: Decimal | None = None) -> str:
    """The cell's format: exactly the decimals the value has, up to the published places.

    A format such as "0.##" would print a whole number as "5590." — so each cell gets "0" or
    "0.0…" for its own value.
    """
    if row.value_kind == "text":
        return "@"
    if row.value_kind == "int" or not row.places:
        return "0"
    if value is None:
        return "0." + "#" * row.places
    exponent = value.normalize().as_tuple().exponent
    shown = min(-exponent, row.places) if isinstance(exponent, int) and exponent < 0 else 0
    return "0." + "0" * shown if shown else "0"


# A text cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """Text for a CSV cell that no spreadsheet will run: a leading apostrophe before a formula trigger."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def text_cell(cell: Any, text: str) -> None:
    """Put text into an openpyxl cell as a string, never a formula (openpyxl makes "=…" a formula)."""
    cell.value = text
    cell.data_type = "s"


def table_rows_json(catalogue: Catalogue, column: Column) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for row in catalogue.rows:
        value = column.values.get(row.code)
        out.append({
            "code": row.code,
            "section": catalogue.by_code[row.section].label,
            "label": row.label,
            "unit": row.unit or None,
            "kind": row.kind,
            "value": row.format(value) if value is not None else None,
            "source": (column.sources or {}).get(row.code),
        })
    return out


def table_json(catalogue: Catalogue, column: Column) -> str:
    return json.dumps(table_rows_json(catalogue, column), ensure_ascii=False, indent=2)


def table_csv(catalogue: Catalogue, columns: Sequence[Column]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["code", "section", "指标", "单位", *(neutralised(c.name) for c in columns)])
    for row in catalogue.rows:
        cells = [(row.format(v) if (v := c.values.get(row.code)) is not None else "") for c in columns]
        writer.writerow([
            row.code, neutralised(catalogue.by_code[row.section].label), neutralised(row.label), neutralised(row.unit),
            # Numbers are written as numbers; only text can be mistaken for a formula.
            *(neutralised(text) if row.value_kind == "text" else text for text in cells),
        ])
    return buf.getvalue()


THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SECTION_FILL = PatternFill("solid", fgColor="DDE4EE")


def table_xlsx(catalogue: Catalogue, columns: Sequence[Column], out: Path | io.BytesIO, *, area_name: str = "",
               on_progress: Callable[[int, int], None] | None = None) -> None:
    """指标 | 单位 | one column per org unit (area first, then its units), as printed in 附件1.

    Two header rows: 指标 and 单位 are merged over both; a merged cell spans the org columns,
    and each unit's name (白银市, 会宁县, …) sits on the second header row. `on_progress(rows
    written, rows)` every ten rows, for a workbook of a thousand columns written by a job.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "统计表"
    ncols = 2 + len(columns)
    last = get_column_letter(ncols)

    ws.merge_cells(f"A1:{last}1")
    text_cell(ws["A1"], catalogue.title)
    ws["A1"].font = Font(name="方正小标宋简体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32

    header_font = Font(name="黑体", size=11, bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws["A2"], ws["B2"] = "指标", "单位"
    if columns:
        # One merged cell over all org columns; each unit's name below it (area first).
        text_cell(ws.cell(row=2, column=3), f"{area_name}填报数据" if area_name else "填报数据")
        if len(columns) > 1:
            ws.merge_cells(start_row=2, start_column=3, end_row=2, end_column=ncols)
        for i, col in enumerate(columns):
            text_cell(ws.cell(row=3, column=3 + i), col.name)
    for r in (2, 3):
        for c in range(1, ncols + 1):
            cell = ws.cell(row=r, column=c)
            cell.font, cell.alignment, cell.border = header_font, center, BORDER

    body_font = Font(name="仿宋_GB2312", size=11)
    label_width, value_width = 58, (18 if len(columns) > 1 else 40)
    r = 4
    for row in catalogue.rows:
        label_cell = ws.cell(row=r, column=1)
        text_cell(label_cell, row.label)
        unit_cell = ws.cell(row=r, column=2)
        if row.is_value:
            text_cell(unit_cell, row.unit)
        emphasis = row.kind in ("section", "group")
        label_cell.font = Font(name="黑体" if row.kind == "section" else "仿宋_GB2312", size=11, bold=emphasis)
        # 其中 rows stand in by two characters per level; horizontal="left" so every viewer applies it.
        indent = 2 * (1 + sum(1 for _ in _subitem_levels(catalogue, row))) if row.is_subitem else 0
        label_cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=indent)
        unit_cell.font, unit_cell.alignment = body_font, center
        lines = _lines(row.label, label_width - indent)
        for i, col in enumerate(columns):
            cell = ws.cell(row=r, column=3 + i)
            value = col.values.get(row.code) if row.is_value else None
            if value is not None:
                if isinstance(value, Decimal):
                    # openpyxl writes Decimal as a number; the format prints its published places.
                    cell.value = value
                    cell.number_format = number_format(row, value)
                    cell.alignment = Alignment(horizontal="right", vertical="center")
                else:
                    text_cell(cell, str(value))
                    cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
                    lines = max(lines, _lines(str(value), value_width))
            cell.font = body_font
        if lines > 1:
            # Excel does not grow a row for wrapped text when printing: set the height it needs.
            ws.row_dimensions[r].height = min(15 * lines + 4, 409)
        for c in range(1, ncols + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = BORDER
            if row.kind == "section":
                cell.fill = SECTION_FILL
        r += 1
        if on_progress is not None and (r - 4) % 10 == 0:
            on_progress(r - 4, len(catalogue.rows))

    ws.column_dimensions["A"].width = 58
    ws.column_dimensions["B"].width = 12
    for i in range(len(columns)):
        ws.column_dimensions[get_column_letter(3 + i)].width = 18 if len(columns) > 1 else 40
    ws.freeze_panes = "C4"
    ws.print_title_rows = "2:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.evenFooter.center.text = "第 &P 页，共 &N 页"
    wb.save(out)


def _subitem_levels(catalogue: Catalogue, row: Row) -> list[Row]:
    """The 其中 rows above this one (a sub-item of a sub-item is indented further)."""
    out = []
    parent = catalogue.by_code.get(row.parent) if row.parent else None
    while parent is not None and parent.is_subitem:
        out.append(parent)
        parent = catalogue.by_code.get(parent.parent) if parent.parent else None
    return out


def _lines(text: str, width: float) -> int:
    """Printed lines of wrapped text in a column `width` characters wide (a Chinese character is two)."""
    total = 0
    for part in text.splitlines() or [""]:
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in part)
        total += max(1, math.ceil(units / max(width - 1, 1)))
    return total


def unit_table_xlsx(org: Any, year: int, out: Path | io.BytesIO) -> None:
    """One county's 附件1 as the city sends it: its column under the city's heading."""
    from xiezuo.catalogue.registry import get_catalogue
    from xiezuo.tables.selectors import values_for

    catalogue = get_catalogue(year)
    column = Column(name=org.name, values=values_for(org, year, catalogue))
    table_xlsx(catalogue, [column], out, area_name=org.parent.name if org.parent_id else "")
