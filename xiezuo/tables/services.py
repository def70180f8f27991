"""Writes of table values as actions: typed parsing, optimistic locking and a change record per write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser

from xiezuo.accounts.scope import Permission
from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core import rawsql
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action, changed_fields
from xiezuo.core.changes import actor_display_name, stored_actor
from xiezuo.core.errors import ErrorReport, InvalidValue, Location, NotFound, StaleEdit, XiezuoError
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue, Source

R = TypeVar("R")
_VALUE_COLUMNS = rawsql.Columns.of(DataValue, "v")


def _jsonable(value: Decimal | str | None) -> str | None:
    return None if value is None else str(value)


def _row(catalogue: Catalogue, code: str, location: Location | None = None) -> Row:
    row = catalogue.by_code.get(code)
    if row is None:
        raise NotFound(f"{catalogue.year} 年度统计表中没有指标「{code}」", location=location)
    if not row.is_value:
        raise InvalidValue(f"「{row.label}」是标题行，不能填写数值", location=location)
    return row


def _apply(dv: DataValue, row: Row, value: Decimal | str | None) -> None:
    if row.value_kind == "text":
        dv.text, dv.number = str(value or ""), None
    else:
        assert not isinstance(value, str)
        dv.number, dv.text = value, ""


@dataclass(frozen=True)
class ValueInput:
    code: str
    raw: object
    location: Location | None = None
    published: bool = False
    note: str = ""
    # The version the client saw (0 = empty); None: not checked (files, loaders).
    expected_version: int | None = None


def _stored(dv: DataValue, row: Row) -> Decimal | str | None:
    return dv.text if row.value_kind == "text" else dv.number


def _write(dv: DataValue, row: Row, value: Decimal | str | None, *, source: str, by: AbstractBaseUser | None,
           note: str, published: bool | None = None) -> list[rawsql.Statement]:
    """Set the cell; a stored one's update is returned, to be sent with its change record."""
    _apply(dv, row, value)
    dv.source = source
    dv.note = note or dv.note
    if published is not None:
        dv.published = published
    dv.updated_by = stored_actor(by)
    dv.version += 1
    if dv.pk:
        # Every cell save runs it: written out (core.rawsql), as are the cell's read and the change record.
        return [rawsql.update_statement(
            dv, ["number", "text", "source", "published", "note", "updated_by", "updated_at", "version"])]
    dv.save(force_insert=True)
    return []


def _value_change(old: DataValue | None, row: Row, value: Decimal | str | None, source: str) -> tuple[
        dict[str, object], dict[str, object]]:
    before = None if old is None else {"value": _jsonable(_stored(old, row)), "source": old.source}
    return changed_fields(before, {"value": _jsonable(value), "source": source})


def _stale(dv: DataValue | None, row: Row, raw: object) -> StaleEdit:
    shown = row.format(_stored(dv, row)) if dv else "（空）"
    who = actor_display_name(dv.updated_by) if dv and dv.updated_by else "他人"
    return StaleEdit(
        f"「{row.label}」已被{who}修改为「{shown}」，您的修改基于旧版本，未保存。请刷新后再改。",
        location=Location(row=row.label, value=raw),
        current={"code": row.code, "value": row.format(_stored(dv, row)) if dv and _stored(dv, row) is not None
                 else None, "version": dv.version if dv else 0, "updated_by": who if dv else None},
    )


@dataclass(kw_only=True)
class _TableWrite(Action[R]):
    """What every write of a unit-year's table shares: who may, the lock, how history labels it."""

    permission = Permission.EDIT
    frozen_with_submission = True
    field_labels = {"value": "数值", "source": "来源"}

    org: OrgUnit
    year: int

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year


@dataclass(kw_only=True)
class ValueSet(_TableWrite[DataValue]):
    """Set one cell. `expected_version` is the version the editor saw (0 = the cell was empty)."""

    kind = ActionKind.VALUE_SET

    code: str
    raw: object
    expected_version: int | None = None
    source: str = Source.ENTERED
    note: str = ""

    def __post_init__(self) -> None:
        # Parsed before the transaction: a wrong value is refused without touching the database.
        self.row = _row(get_catalogue(self.year), self.code)
        self.value = self.row.parse(self.raw, location=Location(row=self.row.label, value=self.raw))

    def reads(self) -> list[rawsql.Statement]:
        # The cell, row-locked, with the unit's lock. Who changed it last is read only when the save
        # is refused as stale (`_stale`).
        return [rawsql.select_one_statement(_VALUE_COLUMNS, ["org", "year", "code"],
                                            [self.org.pk, self.year, self.code], for_update=True)]

    def validate(self) -> None:
        self.current = rawsql.first(_VALUE_COLUMNS, self.read[0])
        current_version = self.current.version if self.current else 0
        if self.expected_version is not None and self.expected_version != current_version:
            raise _stale(self.current, self.row, self.raw)

    def perform(self) -> DataValue:
        dv = self.current or DataValue(org=self.org, year=self.year, code=self.code, version=0)
        old, new = _value_change(self.current, self.row, self.value, self.source)
        written = _write(dv, self.row, self.value, source=self.source, by=self.by, note=self.note)
        self.record(object_type="tables.datavalue", object_key=f"{self.org.code}/{self.year}/{self.code}",
                    old=old, new=new, comment=self.note, together=written)
        return dv


value_set = ValueSet.run


@dataclass(kw_only=True)
class ValuesSetMany(_TableWrite[int]):
    """Set many cells at once; every input is checked first and nothing is written if one is bad."""

    kind = ActionKind.VALUES_IMPORT

    inputs: Sequence[ValueInput]
    source: str = Source.ENTERED
    file: str | None = None

    def __post_init__(self) -> None:
        catalogue = get_catalogue(self.year)
        errors: list[XiezuoError] = []
        self.parsed: list[tuple[ValueInput, Row, Decimal | str | None]] = []
        for item in self.inputs:
            loc = item.location or Location(file=self.file, row=item.code, value=item.raw)
            try:
                row = _row(catalogue, item.code, loc)
                self.parsed.append((item, row, row.parse(item.raw, location=loc)))
            except XiezuoError as exc:
                errors.append(exc)
        if errors:
            raise ErrorReport(errors=errors, file=self.file)

    def perform(self) -> int:
        existing = {v.code: v for v in DataValue.objects.select_for_update().filter(org=self.org, year=self.year)}
        for item, row, _value in self.parsed:
            seen = existing.get(item.code)
            if item.expected_version is not None and item.expected_version != (seen.version if seen else 0):
                raise _stale(seen, row, item.raw)  # before any write: nothing of the batch is stored
        for item, row, value in self.parsed:
            current = existing.get(item.code)
            dv = current or DataValue(org=self.org, year=self.year, code=item.code, version=0)
            old, new = _value_change(current, row, value, self.source)
            written = _write(dv, row, value, source=self.source, by=self.by, note=item.note,
                             published=item.published)
            self.record(object_type="tables.datavalue", object_key=f"{self.org.code}/{self.year}/{item.code}",
                        old=old, new=new, comment=self.file or "", together=written)
        return len(self.parsed)


values_set_many = ValuesSetMany.run


@dataclass(kw_only=True)
class TableUploadApply(_TableWrite[int]):
    """A confirmed 附件1 upload: every planned cell of every unit in the file, all or nothing.

    `items` are (unit code, row code, value, version planned against); a cell changed by someone
    after the preview refuses the whole upload. For a city's file the units are its counties:
    each must be one the user may edit and still open (the one lock rule, per unit).
    """

    kind = ActionKind.TABLE_UPLOAD_APPLY

    items: Sequence[Sequence[object]]
    file: str = ""

    def __post_init__(self) -> None:
        catalogue = get_catalogue(self.year)
        codes = {str(item[0]) for item in self.items}
        self.units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
        allowed = {self.org.pk} | set(OrgUnit.objects.filter(parent=self.org).values_list("pk", flat=True))
        if any(u.pk not in allowed for u in self.units.values()) or len(self.units) != len(codes):
            raise InvalidValue("上传内容与本单位不符，请重新上传文件")
        self.parsed: list[tuple[OrgUnit, Row, Decimal | str | None, int]] = []
        for unit_code, code, raw, version in self.items:
            row = _row(catalogue, str(code))
            value = row.parse(str(raw), location=Location(file=self.file or None, row=row.label, value=raw))
            self.parsed.append((self.units[str(unit_code)], row, value, int(str(version))))

    def target(self) -> tuple[OrgUnit | None, int | None]:
        only = list(self.units.values())
        return (only[0] if len(only) == 1 else self.org), self.year

    def check(self) -> None:
        from xiezuo.accounts.scope import require
        from xiezuo.submissions.locks import unit_year_open

        for unit in sorted(self.units.values(), key=lambda u: u.code):
            if self.by is not None:
                require(self.by, Permission.EDIT, unit)
            unit_year_open(org=unit, year=self.year)
        self.validate()

    def validate(self) -> None:
        self.existing = {(v.org_id, v.code): v for v in DataValue.objects.select_for_update(of=("self",)).filter(
            org__in=list(self.units.values()), year=self.year).select_related("updated_by")}
        for unit, row, _value, version in self.parsed:
            dv = self.existing.get((unit.pk, row.code))
            if (dv.version if dv else 0) != version:
                who = actor_display_name(dv.updated_by) if dv and dv.updated_by else "他人"
                raise StaleEdit(f"{unit.name}「{row.label}」在预览之后已被{who}修改，整个文件未导入。请重新上传。",
                                location=Location(file=self.file or None, row=row.label))

    def perform(self) -> int:
        for unit, row, value, _version in self.parsed:
            current = self.existing.get((unit.pk, row.code))
            dv = current or DataValue(org=unit, year=self.year, code=row.code, version=0)
            old, new = _value_change(current, row, value, Source.ENTERED)
            written = _write(dv, row, value, source=Source.ENTERED, by=self.by, note="")
            self.record(object_type="tables.datavalue", object_key=f"{unit.code}/{self.year}/{row.code}",
                        old=old, new=new, comment=self.file, org_code=unit.code, together=written)
        return len(self.parsed)


table_upload_apply = TableUploadApply.run
