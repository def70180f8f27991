"""Version stamps per (unit, year, area): what cached pages and derived figures are keyed by.

Every change record raises the stamp of its unit, year and area (the app of the object changed:
`tables`, `ledgers`, `submissions`, `documents` …) in the same transaction (`core.changes`), so any
write through the write gate invalidates whatever was computed from that unit-year — a cache key
built from `stamps_for` can never outlive the data it was built from. System-wide writes (a demo
load, a synthetic nation, an exchange import without a unit) raise the global stamp, which every
key includes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import connection

from xiezuo.core import rawsql
from xiezuo.core.models import Stamp

GLOBAL = ("", 0, "*")


def area_of(object_type: str) -> str:
    return object_type.split(".", 1)[0] or "*"


def touch_statements(triples: Iterable[tuple[str, int | None, str]]) -> list[rawsql.Statement]:
    """The upserts that raise the stamps of these (org code, year, area) triples by one, to run with
    the change record's insert (`core.changes`)."""
    table = connection.ops.quote_name(Stamp._meta.db_table)
    keys = {(code, year or 0, area) if code else GLOBAL for code, year, area in triples}
    return [rawsql.Statement(
        f"INSERT INTO {table} (org_code, year, area, version) VALUES (%s, %s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (org_code, year, area) DO UPDATE SET version = {table}.version + 1",
        [code, year, area]) for code, year, area in sorted(keys)]


def touch(triples: Iterable[tuple[str, int | None, str]]) -> None:
    """Raise the stamps of these (org code, year, area) triples by one (an upsert each)."""
    rawsql.run_together(touch_statements(triples))


def stamps_read(pairs: Iterable[tuple[str, int]]) -> rawsql.Read[Mapping[tuple[str, int, str], int]]:
    """`stamps_for` as a read to send with others (a cell save's, `web.selectors.table_row`)."""
    wanted = sorted(set(pairs))
    codes = sorted({code for code, _ in wanted} | {""})
    years = sorted({year for _, year in wanted} | {0})
    table = connection.ops.quote_name(Stamp._meta.db_table)
    # Written out: pages read stamps on every view, and compiling the ORM query costs more than running it.
    sql = (f"SELECT org_code, year, area, version FROM {table} "  # noqa: S608 - the table name only
           f"WHERE org_code IN ({', '.join(['%s'] * len(codes))}) AND year IN ({', '.join(['%s'] * len(years))})")
    # A unit's writes that belong to no year (its name, its pairings) count for every year of it.
    allowed = set(wanted) | {(code, 0) for code in codes}
    return rawsql.Read(rawsql.Statement(sql, [*codes, *years]),
                       lambda result: {(c, y, a): v for c, y, a, v in result.rows if (c, y) in allowed})


def stamps_for(pairs: Iterable[tuple[str, int]]) -> Mapping[tuple[str, int, str], int]:
    """The stamps of these (org code, year) pairs, every area, the units' stamps of no year, and the
    global one: one query."""
    return stamps_read(pairs).fetch()


def key_of(stamps: Mapping[tuple[str, int, str], int], *, area: str | None = None) -> str:
    """A compact text of these stamps (of one area, or all): part of a cache key."""
    parts = [f"{c}/{y}/{a}={v}" for (c, y, a), v in sorted(stamps.items())
             if area is None or a in (area, "*")]
    return ";".join(parts) or "-"


def stamp_key(pairs: Iterable[tuple[str, int]], *, area: str | None = None) -> str:
    """`key_of` the stamps of these pairs, read here."""
    return key_of(stamps_for(pairs), area=area)
