"""Written-out reads for the few queries every request or every save runs.

Compiling an ORM query costs more than running it on an indexed key (about 0.3 ms of Python for a
query the database answers in 0.05 ms), so the handful of reads on the hot paths — the signed-in
user, the session, a cell save's values — are written as SQL. What the ORM would do with a value
on its way out of the database (SQLite's decimals and aware datetimes) is still done, by the
ORM's own converters: `Columns` gives a model's columns and turns raw rows into field values or
model instances, so a new field on the model needs no change here.

A save waits on the database for each statement in turn, and PostgreSQL plans each statement it
is sent as text again (for the session's four-table join, several times longer than running it).
`run_together` sends statements that follow one another anyway in one round trip on PostgreSQL —
psycopg's pipeline, each statement still on its own, with its own snapshot, as if sent alone — as
prepared statements (planned once per connection, then only bound: the hot statements are few and
fixed), and through Django's cursor machinery all the same (its execute wrappers, its query log,
its error classes). On SQLite, which is in the process, they run one by one.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Result:
    """What one statement gave: its rows (none for a write without RETURNING) and its row count."""

    rows: list[tuple[Any, ...]]
    rowcount: int


@dataclass(frozen=True)
class Statement:
    """One SQL statement (`%s` placeholders) to run with others (`run_together`); `then` is called
    with its result once it has run: checks of the row count, the key of an insert."""

    sql: str
    params: Sequence[Any] = ()
    then: Callable[[Result], None] | None = field(default=None, compare=False)


def _pipelined(connection: Any, statements: Sequence[Statement]) -> list[Result]:
    """Run the statements in one psycopg pipeline (one round trip), prepared unless the connection
    prepares nothing (`prepare_threshold` None: a PgBouncer without prepared-statement support)."""
    import psycopg

    raw = connection.connection
    prepare = None if raw.prepare_threshold is None else True
    cursors = []
    with raw.pipeline():
        for statement in statements:
            cursor = psycopg.Cursor(raw)
            cursor.execute(statement.sql, list(statement.params), prepare=prepare)
            cursors.append(cursor)
    results = []
    for cursor in cursors:
        results.append(Result(cursor.fetchall() if cursor.description else [], cursor.rowcount))
        cursor.close()
    return results


def run_together(statements: Sequence[Statement], using: str = "default") -> list[Result]:
    """Run the statements in order and return their results: in one round trip where the database
    is across a network (PostgreSQL), one by one where it is in the process (SQLite)."""
    if not statements:
        return []
    connection = connections[using]
    results: list[Result] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's execute wrappers (the tests' write guard) and its query log see them as one
            # query: the statements joined, as they would read in a log.
            sql = ";\n".join(s.sql for s in statements)
            params = [p for s in statements for p in s.params]

            def execute(sql: str, params: Any, many: bool, context: Any) -> list[Result]:
                connection.validate_no_broken_transaction()
                with connection.wrap_database_errors:
                    return _pipelined(connection, statements)

            # Logged (only when queries are: DEBUG, or a test capturing them) with the values in.
            logged: Any = nullcontext()
            if hasattr(cursor, "debug_sql"):
                logged = cursor.debug_sql(connection.ops.compose_sql(sql, params))  # type: ignore[attr-defined]
            with logged:
                results = cursor._execute_with_wrappers(sql, params, many=False, executor=execute)
        else:
            for statement in statements:
                cursor.execute(statement.sql, list(statement.params))
                results.append(Result(cursor.fetchall() if cursor.description else [], cursor.rowcount))
    for statement, result in zip(statements, results, strict=True):
        if statement.then is not None:
            statement.then(result)
    return results


T = TypeVar("T")


@dataclass(frozen=True)
class Read(Generic[T]):
    """A written-out read and what its rows mean: `fetch()` runs it alone, `fetch_all` with others."""

    statement: Statement
    decode: Callable[[Result], T]

    def fetch(self, using: str = "default") -> T:
        return self.decode(run_together([self.statement], using)[0])


def fetch_all(reads: Sequence[Read[Any]], using: str = "default") -> list[Any]:
    """Any number of reads in one round trip, their decoded results in order."""
    results = run_together([r.statement for r in reads], using)
    return [read.decode(result) for read, result in zip(reads, results, strict=True)]


def select_one_statement(columns: Columns[M], where: Sequence[str], params: Sequence[Any], *,
                         for_update: bool = False, using: str = "default") -> Statement:
    """The read of `select_one`, to run with others; `first(columns, result)` makes its instance."""
    connection = connections[using]
    quote = connection.ops.quote_name
    model = columns.model
    condition = " AND ".join(f"{columns.alias}.{quote(column(model, name))} = %s" for name in where)
    sql = f"SELECT {columns.sql(using)} FROM {quote(model._meta.db_table)} {columns.alias} WHERE {condition}"  # noqa: S608
    if for_update and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return Statement(sql, list(params))


def first(columns: Columns[M], result: Result, using: str = "default") -> M | None:
    """The instance of a statement's first row, or None."""
    return columns.instance(result.rows[0], using) if result.rows else None


def select_one(columns: Columns[M], where: Sequence[str], params: Sequence[Any], *, for_update: bool = False,
               using: str = "default") -> M | None:
    """One instance of `columns.model` whose `where` columns equal `params` (`for_update`: row-locked
    where the database has row locks), or None."""
    statement = select_one_statement(columns, where, params, for_update=for_update, using=using)
    return first(columns, run_together([statement], using)[0], using)


def update_statement(instance: Model, fields: Sequence[str], using: str = "default") -> Statement:
    """Write these fields of a stored instance by its key, as `save(update_fields=…)` does (`auto_now`
    included; no signals — the domain uses none); the statement raises, once run, if the row is gone."""
    from django.db import DatabaseError

    connection = connections[using]
    quote = connection.ops.quote_name
    meta = instance._meta
    chosen = [f for f in meta.local_concrete_fields if f.name in fields or f.attname in fields]
    values = [f.get_db_prep_save(f.pre_save(instance, False), connection) for f in chosen]
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in chosen)

    def gone(result: Result) -> None:
        if result.rowcount != 1:
            raise DatabaseError(f"{meta.db_table} {instance.pk}: the row to update is gone")

    return Statement(f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608 - names only
                     f"WHERE {quote(str(meta.pk.column))} = %s", [*values, instance.pk], then=gone)


def update(instance: Model, fields: Sequence[str], using: str = "default") -> None:
    run_together([update_statement(instance, fields, using)], using)


def insert_statement(instance: Model, using: str = "default") -> Statement:
    """Store a new instance as `save(force_insert=True)` does (defaults, `auto_now_add`); once run,
    the instance has its key. For models with an automatic key and no signals, on a database that
    returns columns from an insert (PostgreSQL, SQLite 3.35 and later)."""
    connection = connections[using]
    if not connection.features.can_return_columns_from_insert:
        raise NotImplementedError(f"{connection.vendor} cannot return the key of an insert")
    quote = connection.ops.quote_name
    meta = instance._meta
    auto = meta.auto_field
    fields = [f for f in meta.local_concrete_fields if f is not auto and not f.generated]
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    table, key = quote(meta.db_table), quote(str(meta.pk.column))

    def stored(result: Result) -> None:
        setattr(instance, meta.pk.attname, result.rows[0][0])
        instance._state.adding = False
        instance._state.db = using

    return Statement(f"INSERT INTO {table} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608
                     f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {key}", values, then=stored)


def insert(instance: Model, using: str = "default") -> None:
    run_together([insert_statement(instance, using)], using)
