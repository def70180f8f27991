"""A filled 附件1 read back: rows matched by label and unit, one column per unit, a plan of changes.

Two layouts are read: the one `tables.exports.table_xlsx` writes for a county (指标 | 单位 | the
county), and a city's (指标 | 单位 | the city | one column per county). The header is found by
its 指标 and 单位 cells (merged header cells are read as the value of their range); each column
below the header names a unit. Rows are matched against the year's template in order, by the
label as printed and the unit, tolerant of whitespace, full-width characters and a 其中：
prefix. A label that matches no row, a row out of its place, a changed unit or a value that
does not parse is reported (sheet, row, column, label, value, reason) and never guessed.

Nothing here writes: `plan_upload` returns the changes and what the checks would say after them;
`tables.services.TableUploadApply` stores a plan all or nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.bounded import check_xlsx
from xiezuo.core.errors import InvalidValue, Location, XiezuoError
from xiezuo.core.textcheck import shown
from xiezuo.engine.validate import Finding, validate_units
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue
from xiezuo.tables.selectors import values_for_many

HEADER_SCAN_ROWS = 12
_PREFIX = re.compile(r"^其中[:：]")
_SPACE = re.compile(r"\s+")


def normalised_label(text: object) -> str:
    """A label as compared: NFKC (full-width digits and punctuation), no whitespace, no 其中： prefix."""
    value = unicodedata.normalize("NFKC", "" if text is None else str(text))
    value = _SPACE.sub("", value)
    return _PREFIX.sub("", value)


def normalised_raw(value: object, *, text_row: bool = False) -> object:
    """A cell's value as `Row.parse` takes it: floats as their shortest text, a number typed as text
    NFKC-folded (２３６ → 236); a text row's value is kept as written (its ，stays ，)."""
    if text_row:
        return value if isinstance(value, str) else ("" if value is None else str(value))
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip()
    return value


@dataclass(frozen=True)
class UploadProblem:
    sheet: str
    row: int
    column: str
    label: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "label": self.label,
                "value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class UploadChange:
    org_code: str
    org_name: str
    code: str
    label: str
    unit: str
    sheet: str
    row: int
    column: str
    old: str
    new: str
    raw: str
    version: int


@dataclass
class UploadPlan:
    file: str
    year: int
    sheet: str = ""
    units: list[tuple[str, str]] = field(default_factory=list)  # (code, name) of each filled column
    changes: list[UploadChange] = field(default_factory=list)
    problems: list[UploadProblem] = field(default_factory=list)
    findings: list[tuple[str, Finding]] = field(default_factory=list)  # (unit name, finding) after the changes
    unchanged: int = 0

    def payload(self) -> dict[str, Any]:
        """What confirming stores: each change with the version it was planned against."""
        return {"year": self.year, "file": self.file,
                "items": [[c.org_code, c.code, c.raw, c.version] for c in self.changes]}


def _column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


def _merged_values(ws: Any) -> dict[tuple[int, int], object]:
    """Each cell inside a merged range reads as the range's top-left value."""
    out: dict[tuple[int, int], object] = {}
    for rng in ws.merged_cells.ranges:
        value = ws.cell(row=rng.min_row, column=rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                out[(r, c)] = value
    return out


def _header(ws: Any, merged: dict[tuple[int, int], object]) -> tuple[int, int, int, int]:
    """(header row, first data row, 指标 column, 单位 column); InvalidValue when there is none."""
    for r in range(1, min(ws.max_row, HEADER_SCAN_ROWS) + 1):
        for c in range(1, min(ws.max_column, 10) + 1):
            if normalised_label(ws.cell(row=r, column=c).value) == "指标":
                unit_col = next((cc for cc in range(c + 1, min(ws.max_column, c + 4) + 1)
                                 if normalised_label(ws.cell(row=r, column=cc).value) == "单位"), 0)
                if not unit_col:
                    continue
                last = r
                for rng in ws.merged_cells.ranges:
                    if rng.min_row == r and rng.min_col == c:
                        last = rng.max_row
                return r, last + 1, c, unit_col
    raise InvalidValue(f"前 {HEADER_SCAN_ROWS} 行中找不到「指标」和「单位」表头，不是附件1统计表的格式")


def _unit_columns(ws: Any, merged: dict[tuple[int, int], object], header_row: int, first_data: int,
                  unit_col: int) -> list[tuple[int, str]]:
    """(column, name written in the lowest header row that names it) for every column after 单位."""
    out = []
    for c in range(unit_col + 1, ws.max_column + 1):
        name = ""
        for r in range(first_data - 1, header_row - 1, -1):
            value = merged.get((r, c), ws.cell(row=r, column=c).value)
            if value is not None and str(value).strip():
                name = str(value).strip()
                break
        out.append((c, name))
    return out


def _resolve_unit(name: str, page_org: OrgUnit, children: dict[str, OrgUnit]) -> OrgUnit | None:
    key = normalised_label(name)
    for unit in (page_org, *children.values()):
        if key in (normalised_label(unit.name), unit.code):
            return unit
    return None


def plan_upload(*, path: Path, name: str, org: OrgUnit, year: int) -> UploadPlan:
    """Read a filled 附件1 for `org` (a county, or a city and its counties) and plan its changes.

    InvalidValue when the file is not a readable 附件1 at all; bad cells are listed in the plan.
    """
    from openpyxl import load_workbook

    label = shown(name, 80)
    check_xlsx(path, name=label)  # bounds before any parser allocates
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise InvalidValue(f"无法读取 Excel 文件：{shown(exc, 200)}", location=Location(file=label)) from exc
    catalogue = get_catalogue(year)
    plan = UploadPlan(file=label, year=year)
    ws = wb.worksheets[0]
    plan.sheet = ws.title
    try:
        merged = _merged_values(ws)
        header_row, first_data, label_col, unit_col = _header(ws, merged)
    except XiezuoError as exc:
        raise InvalidValue(exc.message, location=Location(file=label, sheet=ws.title)) from None
    children = {u.code: u for u in OrgUnit.objects.filter(parent=org)} if org.level != "county" else {}
    columns: list[tuple[int, OrgUnit]] = []
    for c, unit_name in _unit_columns(ws, merged, header_row, first_data, unit_col):
        if not unit_name:
            continue
        unit = _resolve_unit(unit_name, org, children)
        if unit is None:
            plan.problems.append(UploadProblem(ws.title, first_data - 1, _column_letter(c), unit_name, unit_name,
                                               f"「{shown(unit_name, 40)}」不是{org.name}或其下级单位，此列未导入"))
            continue
        if unit.pk == org.pk and children:
            continue  # the city's own column is the roll-up of its counties: computed, never uploaded
        columns.append((c, unit))
    if not columns:
        raise InvalidValue(f"表头中没有{org.name}{'或其下级单位' if children else ''}的数据列",
                           location=Location(file=label, sheet=ws.title))
    plan.units = [(u.code, u.name) for _, u in columns]
    units = [u for _, u in columns]
    stored = {(v.org_id, v.code): v for v in DataValue.objects.filter(org__in=units, year=year)}
    _match_rows(ws, catalogue, plan, first_data, label_col, unit_col, columns, stored)
    _findings_after(plan, catalogue, units, year)
    return plan


def _match_rows(ws: Any, catalogue: Catalogue, plan: UploadPlan, first_data: int, label_col: int, unit_col: int,
                columns: list[tuple[int, OrgUnit]], stored: dict[tuple[int, str], DataValue]) -> None:
    by_label: dict[str, list[int]] = {}
    for i, row in enumerate(catalogue.rows):
        by_label.setdefault(normalised_label(row.label), []).append(i)
    pointer = 0
    sheet = ws.title
    for r in range(first_data, ws.max_row + 1):
        raw_label = ws.cell(row=r, column=label_col).value
        cells = [(c, unit, ws.cell(row=r, column=c).value) for c, unit in columns]
        filled = [(c, unit, v) for c, unit, v in cells if v is not None and str(v).strip() != ""]
        text = "" if raw_label is None else str(raw_label).strip()
        if not text:
            for c, _unit, v in filled:
                plan.problems.append(UploadProblem(sheet, r, _column_letter(c), "", shown(v, 40),
                                                   "这一行没有指标名称，数值未导入"))
            continue
        key = normalised_label(text)
        candidates = by_label.get(key, [])
        ahead = [i for i in candidates if i >= pointer]
        if not candidates:
            plan.problems.append(UploadProblem(
                sheet, r, _column_letter(label_col), shown(text, 60), shown(filled[0][2], 40) if filled else "",
                f"指标名称与{catalogue.year}年度统计表中的任何一行都不符，这一行未导入（请核对是否有错字）"))
            continue
        if not ahead:
            plan.problems.append(UploadProblem(
                sheet, r, _column_letter(label_col), shown(text, 60), shown(filled[0][2], 40) if filled else "",
                "这一行的位置与统计表不符（被移动过），这一行未导入"))
            continue
        index = ahead[0]
        pointer = index + 1
        row = catalogue.rows[index]
        file_unit = normalised_label(ws.cell(row=r, column=unit_col).value)
        if row.is_value and file_unit != normalised_label(row.unit):
            plan.problems.append(UploadProblem(
                sheet, r, _column_letter(unit_col), shown(text, 60), shown(file_unit, 20),
                f"单位应为「{row.unit}」，文件中为「{shown(file_unit, 20) or '（空）'}」，这一行未导入"))
            continue
        for c, unit, value in filled:
            _one_cell(plan, sheet, r, c, row, unit, value, stored.get((unit.pk, row.code)))


def _stored_value(dv: DataValue | None, row: Row) -> Decimal | str | None:
    from xiezuo.tables.selectors import _stored_value as stored_value

    return None if dv is None else stored_value(dv.number, dv.text, row)


def _one_cell(plan: UploadPlan, sheet: str, r: int, c: int, row: Row, unit: OrgUnit, value: object,
              dv: DataValue | None) -> None:
    letter = _column_letter(c)
    if not row.is_value:
        plan.problems.append(UploadProblem(sheet, r, letter, row.label, shown(value, 40),
                                           "这是标题行，不能填写数值，未导入"))
        return
    raw = normalised_raw(value, text_row=row.value_kind == "text")
    try:
        parsed = row.parse(raw, location=Location(sheet=sheet, row=r, column=letter, value=raw))
    except XiezuoError as exc:
        plan.problems.append(UploadProblem(sheet, r, letter, row.label, shown(value, 40), exc.message))
        return
    old = _stored_value(dv, row)
    if parsed == old:
        plan.unchanged += 1
        return
    plan.changes.append(UploadChange(
        org_code=unit.code, org_name=unit.name, code=row.code, label=row.label, unit=row.unit, sheet=sheet, row=r,
        column=letter, old=row.format(old) if old is not None else "", new=row.format(parsed),
        raw=str(parsed) if parsed is not None else "", version=dv.version if dv else 0))


def _findings_after(plan: UploadPlan, catalogue: Catalogue, units: list[OrgUnit], year: int) -> None:
    """The rules that fail once the changes are in, among those reading a changed row."""
    if not plan.changes:
        return
    current = values_for_many(units, year, catalogue)
    previous = values_for_many(units, year - 1, catalogue)
    changed: dict[str, set[str]] = {}
    for change in plan.changes:
        row = catalogue.by_code[change.code]
        current[change.org_code][change.code] = row.parse(change.raw) if change.raw else None
        changed.setdefault(change.org_code, set()).add(change.code)
    names = {u.code: u.name for u in units}
    for finding in validate_units(catalogue, current, previous, levels={u.code: u.level for u in units}):
        if changed.get(finding.org_code, set()) & set(finding.codes):
            plan.findings.append((names.get(finding.org_code, finding.org_code), finding))
