"""Written-out reads for the few queries every request or every save runs.

Compiling an ORM query costs more than running it on an indexed key (about 0.3 ms of Python for a
query the database answers in 0.05 ms), so the handful of reads on the hot paths — the signed-in
user, the session, a cell save's values — are written as SQL. What the ORM would do with a value
on its way out of the database (SQLite's decimals and aware datetimes) is still done, by the
ORM's own converters: `Columns` gives a model's columns and turns raw rows into field values or
model instances, so a new field on the model needs no change here.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model

# Per database connection (one per thread): each column's converters, found once.
_CONVERTERS: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], list[tuple[Any, ...]]]] = weakref.WeakKeyDictionary()


M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Columns(Generic[M]):
    """Some (default: all concrete) columns of a model, as written in SQL under a table alias."""

    model: type[M]
    alias: str
    attnames: tuple[str, ...]

    @classmethod
    def of(cls, model: type[M], alias: str, fields: Sequence[str] | None = None) -> Columns[M]:
        names = tuple(fields) if fields is not None else tuple(f.attname for f in model._meta.concrete_fields)
        return cls(model=model, alias=alias, attnames=names)

    def sql(self, using: str = "default") -> str:
        quote = connections[using].ops.quote_name
        by_attname = {f.attname: f for f in self.model._meta.concrete_fields}
        return ", ".join(f"{self.alias}.{quote(str(by_attname[name].column))}" for name in self.attnames)

    def _converters(self, connection: Any) -> list[tuple[Any, ...]]:
        found = _CONVERTERS.setdefault(connection, {})
        key = (self.model, self.attnames)
        if key not in found:
            by_attname = {f.attname: f for f in self.model._meta.concrete_fields}
            cols = [by_attname[name].get_col(self.model._meta.db_table) for name in self.attnames]
            found[key] = [(col, *connection.ops.get_db_converters(col), *col.field.get_db_converters(connection))
                          for col in cols]
        return found[key]

    def convert(self, values: Sequence[Any], using: str = "default") -> list[Any]:
        """The values as the ORM would load them (its converters for this database)."""
        return self.convert_rows([values], using)[0]

    def convert_rows(self, rows: Sequence[Sequence[Any]], using: str = "default") -> list[list[Any]]:
        """`convert` for many rows: only the columns that have converters on this database are touched
        (on PostgreSQL, usually none)."""
        connection = connections[using]
        todo = [(i, col, converters) for i, (col, *converters) in enumerate(self._converters(connection)) if converters]
        out = [list(row) for row in rows]
        for i, col, converters in todo:
            for row in out:
                value = row[i]
                for convert in converters:
                    value = convert(value, col, connection)
                row[i] = value
        return out

    def instance(self, values: Sequence[Any], using: str = "default") -> M:
        """A model instance from a raw row of these columns, as a queryset would make it."""
        return self.model.from_db(using, list(self.attnames), self.convert(values, using))

    def __len__(self) -> int:
        return len(self.attnames)


def column(model: type[Model], field: str) -> str:
    """The database column of a model's field (a foreign key's `<name>_id`), for written-out SQL."""
    found = model._meta.get_field(field)
    return str(getattr(found, "column", None) or found.name)


def select_one(columns: Columns[M], where: Sequence[str], params: Sequence[Any], *, for_update: bool = False,
               using: str = "default") -> M | None:
    """One instance of `columns.model` whose `where` columns equal `params` (`for_update`: row-locked
    where the database has row locks), or None."""
    connection = connections[using]
    quote = connection.ops.quote_name
    model = columns.model
    condition = " AND ".join(f"{columns.alias}.{quote(column(model, name))} = %s" for name in where)
    sql = f"SELECT {columns.sql(using)} FROM {quote(model._meta.db_table)} {columns.alias} WHERE {condition}"  # noqa: S608
    if for_update and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
    return None if row is None else columns.instance(row, using)


def update(instance: Model, fields: Sequence[str], using: str = "default") -> None:
    """Write these fields of a stored instance by its key, as `save(update_fields=…)` does (`auto_now`
    included; no signals — the domain uses none). Raises if the row is gone."""
    from django.db import DatabaseError

    connection = connections[using]
    quote = connection.ops.quote_name
    meta = instance._meta
    chosen = [f for f in meta.local_concrete_fields if f.name in fields or f.attname in fields]
    values = [f.get_db_prep_save(f.pre_save(instance, False), connection) for f in chosen]
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in chosen)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608 - names only
                       f"WHERE {quote(str(meta.pk.column))} = %s", [*values, instance.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"{meta.db_table} {instance.pk}: the row to update is gone")


def insert(instance: Model, using: str = "default") -> None:
    """Store a new instance as `save(force_insert=True)` does (defaults, `auto_now_add`), and set its
    key. For models with an automatic key and no signals."""
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = instance._meta
    auto = meta.auto_field
    fields = [f for f in meta.local_concrete_fields if f is not auto and not f.generated]
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    table, key = quote(meta.db_table), quote(str(meta.pk.column))
    sql = (f"INSERT INTO {table} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608 - names only
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(f"{sql} RETURNING {key}", values)
            pk = cursor.fetchone()[0]
        else:
            cursor.execute(sql, values)
            pk = connection.ops.last_insert_id(cursor, meta.db_table, str(meta.pk.column))
    setattr(instance, meta.pk.attname, pk)
    instance._state.adding = False
    instance._state.db = using
