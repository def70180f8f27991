"""The statistics table as files: XLSX in the official layout, CSV and JSON for machines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

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


def number_format(row: Row) -> str:
    if row.value_kind == "text":
        return "@"
    if row.places:
        return "0." + "#" * row.places if row.value_kind != "int" else "0"
    return "0"


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
    writer.writerow(["code", "section", "指标", "单位", *(c.name for c in columns)])
    for row in catalogue.rows:
        writer.writerow([
            row.code, catalogue.by_code[row.section].label, row.label, row.unit,
            *((row.format(v) if (v := c.values.get(row.code)) is not None else "") for c in columns),
        ])
    return buf.getvalue()


THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SECTION_FILL = PatternFill("solid", fgColor="DDE4EE")


def table_xlsx(catalogue: Catalogue, columns: Sequence[Column], out: Path | io.BytesIO, *, area_name: str = "") -> None:
    """指标 | 单位 | one column per org unit (area first, then its units), as printed in 附件1.

    Two header rows: 指标 and 单位 are merged over both; a merged cell spans the org columns,
    and each unit's name (白银市, 会宁县, …) sits on the second header row.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "统计表"
    ncols = 2 + len(columns)
    last = get_column_letter(ncols)

    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = catalogue.title
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
        ws.cell(row=2, column=3, value=f"{area_name}填报数据" if area_name else "填报数据")
        if len(columns) > 1:
            ws.merge_cells(start_row=2, start_column=3, end_row=2, end_column=ncols)
        for i, col in enumerate(columns):
            ws.cell(row=3, column=3 + i, value=col.name)
    for r in (2, 3):
        for c in range(1, ncols + 1):
            cell = ws.cell(row=r, column=c)
            cell.font, cell.alignment, cell.border = header_font, center, BORDER

    body_font = Font(name="仿宋_GB2312", size=11)
    r = 4
    for row in catalogue.rows:
        label_cell = ws.cell(row=r, column=1, value=row.label)
        unit_cell = ws.cell(row=r, column=2, value=row.unit if row.is_value else None)
        emphasis = row.kind in ("section", "group")
        label_cell.font = Font(name="黑体" if row.kind == "section" else "仿宋_GB2312", size=11, bold=emphasis)
        indent = 2 if row.is_subitem else 0
        label_cell.alignment = Alignment(vertical="center", wrap_text=True, indent=indent)
        unit_cell.font, unit_cell.alignment = body_font, center
        for i, col in enumerate(columns):
            cell = ws.cell(row=r, column=3 + i)
            value = col.values.get(row.code) if row.is_value else None
            if value is not None:
                if isinstance(value, Decimal):
                    # openpyxl writes Decimal as a number; the format keeps the published places.
                    cell.value = value
                    cell.number_format = number_format(row)
                    cell.alignment = Alignment(horizontal="right", vertical="center")
                else:
                    cell.value = str(value)
                    cell.alignment = Alignment(vertical="center", wrap_text=True)
            cell.font = body_font
        for c in range(1, ncols + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = BORDER
            if row.kind == "section":
                cell.fill = SECTION_FILL
        r += 1

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
    wb.save(out)
