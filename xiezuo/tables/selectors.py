"""Reads of the statistics table shared by the CLI, the web views and the documents."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.rawsql import Columns, Read, Result, Statement, column
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue


@dataclass(frozen=True)
class TableLine:
    row: Row
    value: Decimal | str | None
    source: str | None
    version: int
    published: bool
    updated_at: str | None

    @property
    def display(self) -> str:
        return self.row.format(self.value)

    def as_dict(self, catalogue: Catalogue) -> dict[str, object]:
        section = catalogue.by_code[self.row.section].label
        return {
            "code": self.row.code,
            "section": section,
            "label": self.row.label,
            "unit": self.row.unit or None,
            "kind": self.row.kind,
            "value": self.display if self.value is not None else None,
            "source": self.source,
        }


_ONE = Decimal(1)


def _stored_value(number: Decimal | None, text: str, row: Row | None) -> Decimal | str | None:
    if row is not None and row.value_kind == "text":
        return text or None
    if number is None:
        return None
    # Drop the storage scale (4 places) so the Decimal carries only what was entered. Whole numbers,
    # most of a table, straight to no places: normalising them first gives the same, slower.
    if number == number.to_integral_value():
        return number.quantize(_ONE)
    return number.normalize()


def values_for(org: OrgUnit, year: int, catalogue: Catalogue | None = None) -> dict[str, Decimal | str | None]:
    catalogue = catalogue or get_catalogue(year)
    by_code = catalogue.by_code
    # Tuples, not model instances: a table page and every cell save read two years of values.
    return {
        code: _stored_value(number, text, by_code.get(code))
        for code, number, text in DataValue.objects.filter(org=org, year=year).values_list("code", "number", "text")
    }


def values_for_many(
    orgs: Iterable[OrgUnit], year: int, catalogue: Catalogue | None = None
) -> dict[str, dict[str, Decimal | str | None]]:
    """One query for many units: {org code: {row code: value}}."""
    catalogue = catalogue or get_catalogue(year)
    ids = {o.pk: o.code for o in orgs}
    out: dict[str, dict[str, Decimal | str | None]] = {code: {} for code in ids.values()}
    # Tuples, not model instances: building 125,000 instances for a national check costs seconds.
    qs = DataValue.objects.filter(org_id__in=list(ids), year=year).values_list("org_id", "code", "number", "text")
    by_code = catalogue.by_code
    for org_id, code, number, text in qs.iterator(chunk_size=5000):
        out[ids[org_id]][code] = _stored_value(number, text, by_code.get(code))
    return out


LINE_FIELDS = ("code", "number", "text", "source", "version", "published", "updated_at")


def _lines(catalogue: Catalogue, stored: dict[str, tuple[Any, ...]]) -> list[TableLine]:
    lines = []
    for row in catalogue.rows:
        v = stored.get(row.code)
        if v is None:
            lines.append(TableLine(row=row, value=None, source=None, version=0, published=False, updated_at=None))
            continue
        _, number, text, source, version, published, updated_at = v
        lines.append(TableLine(row=row, value=_stored_value(number, text, row), source=source, version=version,
                               published=published, updated_at=updated_at.isoformat()))
    return lines


def table_for(org: OrgUnit, year: int) -> tuple[Catalogue, list[TableLine]]:
    """Every catalogue row in printed order with this unit's value (or None)."""
    catalogue = get_catalogue(year)
    stored = {v[0]: v for v in DataValue.objects.filter(org=org, year=year).values_list(*LINE_FIELDS)}
    return catalogue, _lines(catalogue, stored)


def table_with_previous(org: OrgUnit, year: int) -> tuple[Catalogue, list[TableLine], dict[str, Decimal | str | None]]:
    """`table_for` and last year's values (`values_for`, read by this year's rows) in one query."""
    catalogue = get_catalogue(year)
    by_code = catalogue.by_code
    stored: dict[str, tuple[Any, ...]] = {}
    previous: dict[str, Decimal | str | None] = {}
    for v in DataValue.objects.filter(org=org, year__in=[year, year - 1]).values_list("year", *LINE_FIELDS):
        if v[0] == year:
            stored[v[1]] = v[1:]
        else:
            previous[v[1]] = _stored_value(v[2], v[3], by_code.get(v[1]))
    return catalogue, _lines(catalogue, stored), previous


def line_of(row: Row, dv: DataValue | None) -> TableLine:
    """One row's line from its stored value (a model instance, e.g. the one a save just wrote)."""
    if dv is None:
        return TableLine(row=row, value=None, source=None, version=0, published=False, updated_at=None)
    return TableLine(row=row, value=_stored_value(dv.number, dv.text, row), source=dv.source, version=dv.version,
                     published=dv.published, updated_at=dv.updated_at.isoformat())


def values_with_previous_read(org: OrgUnit, year: int, catalogue: Catalogue) -> Read[tuple[
        dict[str, Decimal | str | None], dict[str, Decimal | str | None]]]:
    """`values_with_previous` as a read to send with another (a cell save's, `web.selectors.table_row`)."""
    columns = Columns.of(DataValue, "v", ["year", "code", "number", "text"])
    table = connection.ops.quote_name(DataValue._meta.db_table)

    def decode(result: Result) -> tuple[dict[str, Decimal | str | None], dict[str, Decimal | str | None]]:
        by_code = catalogue.by_code
        current: dict[str, Decimal | str | None] = {}
        previous: dict[str, Decimal | str | None] = {}
        for row_year, code, number, text in columns.convert_rows(result.rows):
            value = _stored_value(number, text, by_code.get(code))
            if row_year != year:
                previous[code] = value
            elif value is not None:
                current[code] = value
        return current, previous

    return Read(Statement(f"SELECT {columns.sql()} FROM {table} v "  # noqa: S608 - names only
                          f"WHERE v.{column(DataValue, 'org')} = %s AND v.year IN (%s, %s)", [org.pk, year, year - 1]),
                decode)


def values_with_previous(org: OrgUnit, year: int, catalogue: Catalogue) -> tuple[
        dict[str, Decimal | str | None], dict[str, Decimal | str | None]]:
    """This year's and last year's values of one unit ({row code: value} each), one query.

    Written out, for a cell save: compiling the ORM query costs more than running it, and the save
    needs only the values (the rules read the whole table), not each row's source and version.
    """
    return values_with_previous_read(org, year, catalogue).fetch()
