"""Writes of targets: one at a time, or an XLSX of many, all or nothing, each with its change record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser

from xiezuo.accounts.scope import Permission
from xiezuo.assessment.models import Target
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action, changed_fields
from xiezuo.core.bounded import check_xlsx
from xiezuo.core.changes import stored_actor
from xiezuo.core.errors import ErrorReport, InvalidValue, Location, NotFound, StaleEdit, XiezuoError
from xiezuo.core.textcheck import shown, text_problem
from xiezuo.orgunits.models import OrgUnit

# The columns of a targets workbook, as a reviewer types them (the English names are accepted too).
COLUMNS = {"区划代码": "org", "年度": "year", "指标代码": "code", "目标值": "value", "说明": "note",
           "org": "org", "year": "year", "code": "code", "value": "value", "note": "note"}
REQUIRED = ("org", "year", "code", "value")
NOTE_MAX_LENGTH = 2000


def _parse_target(org: OrgUnit, year: int, code: str, raw: object, location: Location) -> Decimal:
    catalogue = get_catalogue(year)
    row = catalogue.by_code.get(code)
    if row is None:
        raise NotFound(f"{year} 年度统计表中没有指标「{code}」", location=location)
    if not row.is_numeric:
        raise InvalidValue(f"「{row.label}」不是数值指标，不能设定目标", location=location)
    value = row.parse(raw, location=location)
    if value is None:
        raise InvalidValue(f"「{row.label}」的目标值不能为空", location=location)
    assert isinstance(value, Decimal)
    if value < 0:
        raise InvalidValue(f"「{row.label}」的目标值不能为负数", location=location)
    return value


class TargetSet(Action[Target]):
    """Set one unit's target for one row and year. `expected_version` 0 means "there was none"."""

    kind = ActionKind.TARGET_SET
    permission = Permission.REVIEW
    exempt_reason = "目标由上级设定，不随本单位的报送冻结"
    field_labels = {"value": "目标值", "illustrative": "示例数据"}

    def __init__(self, *, org: OrgUnit, year: int, code: str, raw: object, by: AbstractBaseUser | None,
                 note: str = "", illustrative: bool = False, expected_version: int | None = None) -> None:
        self.org, self.year, self.code, self.raw, self.by = org, year, code, raw, by
        self.note, self.illustrative, self.expected_version = note, illustrative, expected_version
        self.value = _parse_target(org, year, code, raw, Location(row=code, value=raw))

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year

    def perform(self) -> Target:
        org, year, code = self.org, self.year, self.code
        target = Target.objects.select_for_update().filter(org=org, year=year, code=code).first()
        current = target.version if target else 0
        if self.expected_version is not None and self.expected_version != current:
            raise StaleEdit(f"{org.name} {year} 年「{code}」的目标已被他人修改，您的修改未保存，请刷新后再改",
                            location=Location(row=code, value=self.raw))
        old = None if target is None else {"value": str(target.number), "illustrative": target.illustrative}
        if target is None:
            target = Target(org=org, year=year, code=code, version=0)
        target.number, target.note, target.illustrative = self.value, self.note, self.illustrative
        target.updated_by = stored_actor(self.by)
        target.version = current + 1
        if target.pk:
            target.save(update_fields=["number", "note", "illustrative", "updated_by", "updated_at", "version"])
        else:
            target.save(force_insert=True)
        before, after = changed_fields(old, {"value": str(self.value), "illustrative": self.illustrative})
        self.record(object_type="assessment.target", object_key=f"{org.code}/{year}/{code}",
                    old=before, new=after, comment=self.note)
        return target


target_set = TargetSet.run


@dataclass(frozen=True)
class TargetInput:
    org: OrgUnit
    year: int
    code: str
    value: Decimal
    note: str = ""


class TargetsSetMany(Action[int]):
    """Many targets in one transaction (already parsed), each recorded as one target change."""

    kind = ActionKind.TARGETS_IMPORT
    admin_only = True
    exempt_reason = "目标由上级设定，不随本单位的报送冻结"

    def __init__(self, *, inputs: list[TargetInput], by: AbstractBaseUser | None, illustrative: bool = False) -> None:
        self.inputs, self.by, self.illustrative = inputs, by, illustrative

    def perform(self) -> int:
        for item in self.inputs:
            TargetSet(org=item.org, year=item.year, code=item.code, raw=item.value, by=self.by, note=item.note,
                      illustrative=self.illustrative).execute()
        return len(self.inputs)


targets_set_many = TargetsSetMany.run


def _cell_text(value: object) -> str:
    if isinstance(value, float):
        # Spreadsheet numbers arrive as binary floats; their shortest repr is what was typed.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return "" if value is None else str(value).strip()


def targets_import_xlsx(*, path: Path, by: AbstractBaseUser | None) -> int:
    """Targets from the first sheet of an XLSX: 区划代码 | 年度 | 指标代码 | 目标值 | 说明.

    Every row is checked first; one bad cell and nothing is stored, and each bad cell is named by
    sheet, row, column and value.
    """
    from python_calamine import CalamineWorkbook

    check_xlsx(path, name=path.name)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_name = workbook.sheet_names[0]
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for every unreadable file
        raise InvalidValue(f"无法读取 XLSX 文件：{shown(exc, 200)}", location=Location(file=path.name)) from exc
    if not rows:
        raise InvalidValue("工作表是空的", location=Location(file=path.name, sheet=sheet_name))
    header = [_cell_text(c) for c in rows[0]]
    index = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}
    missing = [name for name in REQUIRED if name not in index]
    if missing:
        names = {"org": "区划代码", "year": "年度", "code": "指标代码", "value": "目标值"}
        raise InvalidValue(f"缺少列：{'、'.join(names[m] for m in missing)}（应有列：区划代码、年度、指标代码、目标值、说明）",
                           location=Location(file=path.name, sheet=sheet_name, row=1))
    units = {u.code: u for u in OrgUnit.objects.all()}
    by_name: dict[str, list[OrgUnit]] = {}
    for u in units.values():
        by_name.setdefault(u.name, []).append(u)
    errors: list[XiezuoError] = []
    parsed: list[TargetInput] = []
    seen: dict[tuple[str, int, str], int] = {}
    for lineno, cells in enumerate(rows[1:], start=2):
        def cell(name: str, cells: Sequence[object] = cells) -> str:
            i = index.get(name)
            return _cell_text(cells[i]) if i is not None and i < len(cells) else ""

        if not any(_cell_text(c) for c in cells):
            continue

        def where(column: str, value: object, lineno: int = lineno) -> Location:
            return Location(file=path.name, sheet=sheet_name, row=lineno, column=column, value=value)

        org_key = cell("org")
        org = units.get(org_key)
        if org is None:
            named = by_name.get(org_key, [])
            org = named[0] if len(named) == 1 else None
        if org is None:
            errors.append(NotFound("找不到该行政区划（请填区划代码，如 620422）", location=where("区划代码", org_key)))
            continue
        year_text = cell("year")
        try:
            year_number = Decimal(year_text)
            # Bounds before int(): int(Decimal("1e999999999")) would allocate a billion digits.
            if not year_number.is_finite() or not 2000 <= year_number <= 2100:
                raise ValueError
            year = int(year_number)
        except (InvalidOperation, ValueError):
            errors.append(InvalidValue("年度应为四位整数，如 2024", location=where("年度", year_text)))
            continue
        code = cell("code")
        try:
            value = _parse_target(org, year, code, cell("value"), where("目标值", cell("value")))
        except XiezuoError as exc:
            errors.append(exc)
            continue
        key = (org.code, year, code)
        if key in seen:
            errors.append(InvalidValue(f"与第{seen[key]}行重复（同一单位、年度和指标）", location=where("指标代码", code)))
            continue
        seen[key] = lineno
        note = cell("note")
        problem = text_problem(note, NOTE_MAX_LENGTH)
        if problem:
            errors.append(InvalidValue(f"说明{problem}", location=where("说明", shown(note))))
            continue
        parsed.append(TargetInput(org=org, year=year, code=code, value=value, note=note))
    if errors:
        raise ErrorReport(errors=errors, file=path.name)
    return targets_set_many(inputs=parsed, by=by)
