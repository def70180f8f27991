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
from typing import Any

from django.db import connections
from django.db.models import Model

# Per database connection (one per thread): each column's converters, found once.
_CONVERTERS: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], list[tuple[Any, ...]]]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Columns:
    """Some (default: all concrete) columns of a model, as written in SQL under a table alias."""

    model: type[Model]
    alias: str
    attnames: tuple[str, ...]

    @classmethod
    def of(cls, model: type[Model], alias: str, fields: Sequence[str] | None = None) -> Columns:
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
        connection = connections[using]
        out = []
        for (col, *converters), value in zip(self._converters(connection), values, strict=True):
            for convert in converters:
                value = convert(value, col, connection)
            out.append(value)
        return out

    def instance(self, values: Sequence[Any], using: str = "default") -> Model:
        """A model instance from a raw row of these columns, as a queryset would make it."""
        return self.model.from_db(using, list(self.attnames), self.convert(values, using))

    def __len__(self) -> int:
        return len(self.attnames)


def column(model: type[Model], field: str) -> str:
    """The database column of a model's field (a foreign key's `<name>_id`), for written-out SQL."""
    found = model._meta.get_field(field)
    return str(getattr(found, "column", None) or found.name)
