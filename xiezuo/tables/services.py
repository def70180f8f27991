"""Writes of table values: typed parsing, optimistic locking and a change record per write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.changes import change_record
from xiezuo.core.errors import ErrorReport, InvalidValue, Location, NotFound, StaleEdit, XiezuoError
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue, Source


def _jsonable(value: Decimal | str | None) -> str | None:
    return None if value is None else str(value)


def _row(catalogue: Catalogue, code: str, location: Location | None = None) -> Row:
    row = catalogue.by_code.get(code)
    if row is None:
        raise NotFound(f"{catalogue.year} 年度统计表中没有指标「{code}」", location=location)
    if not row.is_value:
        raise InvalidValue(f"「{row.label}」是标题行，不能填写数值", location=location)
    return row


def _refuse_if_locked(org: OrgUnit, year: int) -> None:
    from xiezuo.submissions.locks import refuse_if_locked

    refuse_if_locked(org=org, year=year, what="统计表")


def _apply(dv: DataValue, row: Row, value: Decimal | str | None) -> None:
    if row.value_kind == "text":
        dv.text, dv.number = (value or ""), None  # type: ignore[assignment]
    else:
        dv.number, dv.text = value, ""  # type: ignore[assignment]


@dataclass(frozen=True)
class ValueInput:
    code: str
    raw: object
    location: Location | None = None
    published: bool = False
    note: str = ""


def value_set(
    *,
    org: OrgUnit,
    year: int,
    code: str,
    raw: object,
    by: AbstractBaseUser | None,
    expected_version: int | None = None,
    source: str = Source.ENTERED,
    note: str = "",
) -> DataValue:
    """Set one cell. `expected_version` is the version the editor saw (0 = the cell was empty)."""
    catalogue = get_catalogue(year)
    row = _row(catalogue, code)
    value = row.parse(raw, location=Location(row=row.label, value=raw))
    with transaction.atomic():
        if source == Source.ENTERED:
            _refuse_if_locked(org, year)
        dv = DataValue.objects.select_for_update().filter(org=org, year=year, code=code).first()
        current_version = dv.version if dv else 0
        if expected_version is not None and expected_version != current_version:
            shown = row.format(dv.number if dv and row.is_numeric else (dv.text if dv else None)) if dv else "（空）"
            who = dv.updated_by.get_username() if dv and dv.updated_by else "他人"
            raise StaleEdit(
                f"「{row.label}」已被{who}修改为「{shown}」，您的修改基于旧版本，未保存。请刷新后再改。",
                location=Location(row=row.label, value=raw),
            )
        old = None
        if dv is None:
            dv = DataValue(org=org, year=year, code=code, version=0)
        else:
            old = {"value": _jsonable(dv.text if row.value_kind == "text" else dv.number), "source": dv.source}
        _apply(dv, row, value)
        dv.source = source
        dv.note = note or dv.note
        dv.updated_by = by if by is not None and by.pk else None  # type: ignore[assignment]
        dv.version = current_version + 1
        if dv.pk:
            dv.save(update_fields=["number", "text", "source", "note", "updated_by", "updated_at", "version"])
        else:
            dv.save()
        change_record(
            actor=by, action="value.set", object_type="tables.datavalue", object_key=f"{org.code}/{year}/{code}",
            org_code=org.code, year=year, old=old,
            new={"value": _jsonable(value), "source": source}, comment=note,
        )
    return dv


def values_set_many(
    *,
    org: OrgUnit,
    year: int,
    inputs: Sequence[ValueInput],
    by: AbstractBaseUser | None,
    source: str = Source.ENTERED,
    file: str | None = None,
) -> int:
    """Set many cells at once; every input is checked first and nothing is written if one is bad."""
    catalogue = get_catalogue(year)
    errors: list[XiezuoError] = []
    parsed: list[tuple[ValueInput, Row, Decimal | str | None]] = []
    for item in inputs:
        loc = item.location or Location(file=file, row=item.code, value=item.raw)
        try:
            row = _row(catalogue, item.code, loc)
            parsed.append((item, row, row.parse(item.raw, location=loc)))
        except XiezuoError as exc:
            errors.append(exc)
    if errors:
        raise ErrorReport(errors=errors, file=file)
    with transaction.atomic():
        if source == Source.ENTERED:
            _refuse_if_locked(org, year)
        existing = {v.code: v for v in DataValue.objects.select_for_update().filter(org=org, year=year)}
        for item, row, value in parsed:
            dv = existing.get(item.code)
            old = None if dv is None else _jsonable(dv.text if row.value_kind == "text" else dv.number)
            if dv is None:
                dv = DataValue(org=org, year=year, code=item.code, version=0)
            _apply(dv, row, value)
            dv.source, dv.published, dv.note = source, item.published, item.note
            dv.updated_by = by if by is not None and by.pk else None  # type: ignore[assignment]
            dv.version += 1
            if dv.pk:
                dv.save(update_fields=["number", "text", "source", "published", "note", "updated_by", "updated_at", "version"])
            else:
                dv.save()
            change_record(
                actor=by, action="value.set", object_type="tables.datavalue",
                object_key=f"{org.code}/{year}/{item.code}", org_code=org.code, year=year,
                old=None if old is None else {"value": old}, new={"value": _jsonable(value), "source": source},
            )
    return len(parsed)


def values_from_mapping(mapping: Mapping[str, object]) -> list[ValueInput]:
    return [ValueInput(code=k, raw=v) for k, v in mapping.items()]
