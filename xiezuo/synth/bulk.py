"""Fast inserts for generated rows: COPY on PostgreSQL, executemany on SQLite.

Rows are tuples already in database form (ids assigned by the caller, dates as ISO text), so no
per-value conversion happens here; the caller runs everything inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import Model

Row = tuple[Any, ...]
CHUNK = 5_000


def columns_of(model: type[Model], names: Sequence[str]) -> list[str]:
    """Database column names for the given field names (foreign keys become `<name>_id`)."""
    return [str(getattr(model._meta.get_field(n), "column", n)) for n in names]


def next_id(model: type[Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
        return int(cursor.fetchone()[0])


def timestamp(at: datetime) -> Any:
    """A timezone-aware datetime as this database stores it (SQLite: naive UTC text)."""
    if connection.vendor == "sqlite":
        return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return at


def insert_rows(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Row],
    *,
    advance: Callable[[int], None] | None = None,
) -> int:
    """Insert rows into the model's table; returns how many. Call inside transaction.atomic()."""
    table = model._meta.db_table
    cols = columns_of(model, fields)
    quoted = ", ".join(connection.ops.quote_name(c) for c in cols)
    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                while chunk := list(islice(iterator, CHUNK)):
                    for row in chunk:
                        copy.write_row(row)
                    count += len(chunk)
                    if advance:
                        advance(len(chunk))
        else:
            sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({', '.join(['%s'] * len(cols))})"  # noqa: S608
            while chunk := list(islice(iterator, CHUNK)):
                cursor.executemany(sql, chunk)
                count += len(chunk)
                if advance:
                    advance(len(chunk))
    return count


def sequences_reset(models: Iterable[type[Model]]) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def no_style() -> Any:
    from django.core.management.color import no_style as _no_style

    return _no_style()
