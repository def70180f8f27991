"""Table rows computed from the ledgers: declarative specs compiled into set-based SQL.

Plain Python. A row's spec (from the catalogue file) names a ledger, a filter and an aggregate:

    derive = { ledger = "labour_placements", filter = { destination = "east", poverty_status = "poor" },
               aggregate = "count" }

`compile_ledger` turns every spec on one ledger into ONE grouped query, so the whole table for every
county takes one query per ledger, whatever the number of counties or rows. Where the specs filter
only on columns with few values (codes, yes/no) and count or sum, the query groups by org, year and
those columns (a handful of rows per county: a count and a sum per group) and the filters are applied
to the groups here; the database then aggregates each record once instead of evaluating a
condition per row and record. Otherwise it is a conditional aggregate per row (SUM(CASE WHEN … THEN
… ELSE 0 END)), GROUP BY org, year. `derive_all` runs those queries through an
`execute(sql, params) -> rows` callable and converts the results to the rows' units and decimals.
Money is stored as whole 元, so sums are exact integers on SQLite and PostgreSQL alike.

As of a day: a spec also says whether its row is a stock (`span = "stock"`, 截至目前: every record
dated up to that day, earlier years included) or a flow (`span = "flow"`, 新增/本年: records dated
from the year's first day up to that day), and which date column places a record in time (the
ledger's `dated_by`, or `date = "…"` in the spec). `derive_as_of` computes the table for several
days in the same one query per ledger: one conditional aggregate per row and day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from xiezuo.core.money import YUAN_PER
from xiezuo.ledgers.schema import BY_KIND, Ledger

AGGREGATES = ("count", "sum", "count_distinct")
FILTERABLE = ("code", "bool", "text", "int")
SPANS = ("stock", "flow")


class SpecError(ValueError):
    """A derive spec that cannot work; the message is Chinese and names the problem."""


@dataclass(frozen=True)
class Condition:
    column: str
    values: tuple[Any, ...]  # one value: equality; several: IN


@dataclass(frozen=True)
class DeriveSpec:
    code: str  # the table row
    ledger: str
    conditions: tuple[Condition, ...]
    aggregate: str  # count | sum | count_distinct
    field: str | None
    unit: str  # the row's unit
    places: int  # decimals the row keeps
    integer: bool  # the row is an int row
    span: str | None = None  # stock | flow, as the template declares; None: not declared
    date: str | None = None  # the date column placing a record in time; None: the ledger is undated

    @cached_property
    def money(self) -> bool:
        return self.field is not None and BY_KIND[self.ledger].by_name[self.field].type == "money"


def parse_spec(raw: object, *, code: str, unit: str, value_kind: str, places: int) -> DeriveSpec:
    """Check a catalogue row's `derive` table against the ledger schema; SpecError saying why."""
    if not isinstance(raw, Mapping):
        raise SpecError("derive 应为表：{ ledger = …, filter = {…}, aggregate = … }")
    unknown = sorted(set(raw) - {"ledger", "filter", "aggregate", "span", "date"})
    if unknown:
        raise SpecError(f"derive 有未知字段 {', '.join(unknown)}")
    kind = raw.get("ledger")
    if kind not in BY_KIND:
        raise SpecError(f"derive.ledger「{kind}」不是已知台账（{'、'.join(BY_KIND)}）")
    ledger: Ledger = BY_KIND[kind]
    if value_kind not in ("int", "decimal"):
        raise SpecError("只有整数或数值行可以由台账生成")
    aggregate = raw.get("aggregate")
    if not isinstance(aggregate, str) or not aggregate:
        raise SpecError("derive.aggregate 应为 count、sum:列名 或 count_distinct:列名")
    name, _, field = aggregate.partition(":")
    if name not in AGGREGATES:
        raise SpecError(f"derive.aggregate「{aggregate}」应为 count、sum:列名 或 count_distinct:列名")
    if name == "count" and field:
        raise SpecError("count 不带列名")
    if name != "count":
        if field not in ledger.by_name:
            raise SpecError(f"台账「{ledger.label}」没有列「{field}」")
        col = ledger.by_name[field]
        if name == "sum" and col.type not in ("int", "money"):
            raise SpecError(f"sum 只能用于整数或金额列，「{field}」是 {col.type}")
        if name == "sum" and col.type == "money" and unit not in YUAN_PER:
            raise SpecError(f"金额列「{field}」只能汇总到金额行（元/万元/亿元），本行单位为「{unit}」")
        if name == "sum" and col.type == "int" and unit in YUAN_PER:
            raise SpecError(f"整数列「{field}」不能汇总到金额行")
    elif unit in YUAN_PER:
        raise SpecError("count 不能用于金额行")
    if (name == "count" or name == "count_distinct" or ledger.by_name[field].type == "int") and value_kind != "int":
        raise SpecError("计数和整数汇总只能生成整数行")
    raw_filter = raw.get("filter", {})
    if not isinstance(raw_filter, Mapping):
        raise SpecError("derive.filter 应为表：{ 列名 = 值 } 或 { 列名 = [值, 值] }")
    conditions = []
    for column, value in raw_filter.items():
        found = ledger.by_name.get(column)
        if found is None:
            raise SpecError(f"filter 中的列「{column}」不在台账「{ledger.label}」中")
        col = found
        if col.type not in FILTERABLE:
            raise SpecError(f"不能按「{column}」（{col.type}）筛选")
        values = tuple(value) if isinstance(value, list) else (value,)
        if not values:
            raise SpecError(f"filter 中「{column}」的取值列表为空")
        for v in values:
            if col.type == "bool" and not isinstance(v, bool):
                raise SpecError(f"filter 中「{column}」应为 true 或 false")
            if col.type == "code" and v not in col.label_of:
                raise SpecError(f"filter 中「{column}」没有代码「{v}」（可选：{'、'.join(col.label_of)}）")
            if col.type == "int" and (not isinstance(v, int) or isinstance(v, bool)):
                raise SpecError(f"filter 中「{column}」应为整数")
            if col.type == "text" and not isinstance(v, str):
                raise SpecError(f"filter 中「{column}」应为文本")
        conditions.append(Condition(column=column, values=values))
    span = raw.get("span")
    if span is not None and span not in SPANS:
        raise SpecError(f"derive.span「{span}」应为 stock（截至目前的存量）或 flow（本年新增的流量）")
    date = raw.get("date", ledger.dated_by)
    if "date" in raw and (date not in ledger.by_name or ledger.by_name[str(date)].type != "date"):
        raise SpecError(f"derive.date「{date}」不是台账「{ledger.label}」的日期列")
    return DeriveSpec(
        code=code, ledger=kind, conditions=tuple(conditions), aggregate=name, field=field or None,
        unit=unit, places=places, integer=value_kind == "int", span=span, date=date,
    )


def _quote(name: str) -> str:
    # Names come from the schema (identifiers), never from users; quoting keeps reserved words safe.
    return '"' + name.replace('"', "") + '"'


def _condition_sql(conditions: Sequence[Condition]) -> tuple[str, list[Any]]:
    if not conditions:
        return "", []
    parts: list[str] = []
    params: list[Any] = []
    for c in conditions:
        if len(c.values) == 1:
            parts.append(f"{_quote(c.column)} = %s")
        else:
            parts.append(f"{_quote(c.column)} IN ({', '.join(['%s'] * len(c.values))})")
        params.extend(c.values)
    return " AND ".join(parts), params


@dataclass(frozen=True)
class CompiledQuery:
    ledger: str
    sql: str
    params: list[Any]
    # Conditional form: one result column per spec, in this order, after org_id, year.
    # Grouped form: the specs whose values are combined from the groups.
    specs: tuple[DeriveSpec, ...]
    # Grouped form only: the filter columns after org_id, year, then one aggregate column each for
    # `aggregates` (None: COUNT(*); a column name: SUM of it).
    group_by: tuple[str, ...] = ()
    aggregates: tuple[str | None, ...] = ()


# Filter column types with few values: grouping by them gives a few rows per county, not one per record.
GROUPABLE = ("code", "bool")
# Above this many possible groups per county and year, conditional aggregates are the better query.
MAX_GROUPS = 64


def _group_columns(ledger: Ledger, specs: Sequence[DeriveSpec]) -> tuple[str, ...] | None:
    """The filter columns to group the ledger by, or None when the conditional form should be used."""
    if any(spec.aggregate == "count_distinct" for spec in specs):
        return None
    columns = sorted({c.column for spec in specs for c in spec.conditions})
    if not columns or any(ledger.by_name[c].type not in GROUPABLE for c in columns):
        return None
    groups = 1
    for c in columns:
        col = ledger.by_name[c]
        groups *= 2 if col.type == "bool" else max(1, len(col.label_of))
    return tuple(columns) if groups <= MAX_GROUPS else None


def _compile_grouped(
    ledger: Ledger, specs: Sequence[DeriveSpec], columns: tuple[str, ...], where: list[str], params: list[Any]
) -> CompiledQuery:
    aggregates: list[str | None] = []
    for spec in specs:
        field = None if spec.aggregate == "count" else spec.field
        if field not in aggregates:
            aggregates.append(field)
    select = [_quote(c) for c in columns] + [
        "COUNT(*)" if field is None else f"SUM({_quote(field)})" for field in aggregates
    ]
    grouped = ", ".join(_quote(c) for c in columns)
    # Only schema identifiers are interpolated; every value is a bound parameter.
    sql = (
        f"SELECT org_id, year, {', '.join(select)} FROM {_quote(ledger.table)} "  # noqa: S608
        f"WHERE {' AND '.join(where)} GROUP BY org_id, year, {grouped}"
    )
    return CompiledQuery(ledger=ledger.kind, sql=sql, params=params, specs=tuple(specs), group_by=columns,
                         aggregates=tuple(aggregates))


def _dated_condition(spec: DeriveSpec, year: int, as_of: dt.date) -> tuple[str, list[Any]]:
    """When a record counts for this row as of a day (a SQL condition and its parameters).

    Stock: dated up to the day (undated records always count). Flow: dated inside the year up to
    the day (undated records count only once the year is over).
    """
    if spec.span is None:
        raise SpecError(f"指标「{spec.code}」的 derive 没有声明 span（stock 或 flow），不能按日期生成")
    year_over = as_of >= dt.date(year, 12, 31)
    if spec.date is None:
        return ("1 = 1" if spec.span == "stock" or year_over else "1 = 0"), []
    column = _quote(spec.date)
    day = as_of.isoformat()
    if spec.span == "stock":
        return f"({column} IS NULL OR {column} <= %s)", [day]
    inside = f"{column} >= %s AND {column} <= %s"
    return (f"({column} IS NULL OR ({inside}))" if year_over else f"({inside})"), [f"{year}-01-01", day]


def compile_ledger(
    kind: str, specs: Sequence[DeriveSpec], *, years: Sequence[int], org_ids: Sequence[int] | None = None,
    as_of: Sequence[dt.date] = (), conditional: bool = False,
) -> CompiledQuery:
    """One query for every spec on this ledger, every county (or those given) and every year given.

    Grouped by the filter columns where they allow it (see the module's doc), unless `conditional`.
    With `as_of` (one year only), conditional: one result column per spec and day, day by day: the
    table as it stood on each of those days.
    """
    ledger = BY_KIND[kind]
    select, params = [], []
    if as_of and len(years) != 1:
        raise SpecError("按日期生成时只能指定一个年度")
    group = None if as_of or conditional else _group_columns(ledger, specs)
    if group is not None:
        where, where_params = _where(years, org_ids)
        return _compile_grouped(ledger, specs, group, where, where_params)
    columns: list[tuple[DeriveSpec, list[Condition], tuple[str, list[Any]] | None]] = []
    for day in as_of:
        for spec in specs:
            columns.append((spec, list(spec.conditions), _dated_condition(spec, years[0], day)))
    if not as_of:
        columns = [(spec, list(spec.conditions), None) for spec in specs]
    for spec, conditions, dated in columns:
        cond, cond_params = _condition_sql(conditions)
        if dated is not None:
            cond = f"{cond} AND {dated[0]}" if cond else dated[0]
            cond_params = [*cond_params, *dated[1]]
        if spec.aggregate == "count":
            if cond:
                select.append(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)")
                params.extend(cond_params)
            else:
                select.append("COUNT(*)")
        elif spec.aggregate == "sum":
            column = _quote(spec.field or "")
            if cond:
                select.append(f"COALESCE(SUM(CASE WHEN {cond} THEN {column} ELSE 0 END), 0)")
                params.extend(cond_params)
            else:
                select.append(f"COALESCE(SUM({column}), 0)")
        else:  # count_distinct
            column = _quote(spec.field or "")
            if cond:
                select.append(f"COUNT(DISTINCT CASE WHEN {cond} THEN {column} END)")
                params.extend(cond_params)
            else:
                select.append(f"COUNT(DISTINCT {column})")
    where, where_params = _where(years, org_ids)
    params.extend(where_params)
    # Only schema identifiers are interpolated; every value is a bound parameter.
    sql = (
        f"SELECT org_id, year, {', '.join(select)} FROM {_quote(ledger.table)} "  # noqa: S608
        f"WHERE {' AND '.join(where)} GROUP BY org_id, year"
    )
    return CompiledQuery(ledger=kind, sql=sql, params=params, specs=tuple(spec for spec, _c, _d in columns))


def _where(years: Sequence[int], org_ids: Sequence[int] | None) -> tuple[list[str], list[Any]]:
    where = [f"year IN ({', '.join(['%s'] * len(years))})"]
    params: list[Any] = list(years)
    if org_ids is not None:
        where.append(f"org_id IN ({', '.join(['%s'] * len(org_ids))})" if org_ids else "1 = 0")
        params.extend(org_ids)
    return where, params


def compile_all(
    specs: Iterable[DeriveSpec], *, years: Sequence[int], org_ids: Sequence[int] | None = None,
    conditional: bool = False,
) -> list[CompiledQuery]:
    by_ledger: dict[str, list[DeriveSpec]] = defaultdict(list)
    for spec in specs:
        by_ledger[spec.ledger].append(spec)
    return [compile_ledger(kind, group, years=years, org_ids=org_ids, conditional=conditional)
            for kind, group in sorted(by_ledger.items())]


def convert(spec: DeriveSpec, raw: object) -> Decimal:
    """A query result in the row's unit and decimals (money: 元 → 万元/亿元)."""
    whole = raw if type(raw) is int else int(str(raw)) if raw is not None else 0
    if spec.integer and not spec.money:
        # A count or a sum of an integer column: already the row's value (110,000 of them nationally).
        return Decimal(whole)
    value = Decimal(whole)
    if spec.money:
        value = value / YUAN_PER[spec.unit]
    if spec.integer:
        return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    q = Decimal(1).scaleb(-spec.places) if spec.places else Decimal(1)
    value = value.quantize(q, rounding=ROUND_HALF_UP)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def derive_all(
    specs: Iterable[DeriveSpec],
    execute: Callable[[str, list[Any]], Iterable[Sequence[Any]]],
    *,
    years: Sequence[int],
    org_ids: Sequence[int] | None = None,
    conditional: bool = False,
) -> dict[tuple[int, int], dict[str, Decimal]]:
    """{(org id, year): {row code: derived value}} for every county with records in a ledger.

    A county with no records at all in a ledger gets no values from it (the ledger is not kept
    there), rather than zeros that would look like a real count. `conditional` compiles every
    ledger to conditional aggregates (the same values, another query).
    """
    out: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for query in compile_all(specs, years=years, org_ids=org_ids, conditional=conditional):
        rows = execute(query.sql, query.params)
        if query.group_by:
            _combine_groups(query, rows, out)
            continue
        for row in rows:
            values = out[(int(row[0]), int(row[1]))]
            for spec, raw in zip(query.specs, row[2:], strict=True):
                values[spec.code] = convert(spec, raw)
    return dict(out)


def _combine_groups(
    query: CompiledQuery, rows: Iterable[Sequence[Any]], out: dict[tuple[int, int], dict[str, Decimal]]
) -> None:
    """Each spec's count or sum from the grouped rows: the groups its filter admits, added up."""
    width = len(query.group_by)
    first = 2 + width
    column_of = [
        (spec, first + query.aggregates.index(None if spec.aggregate == "count" else spec.field))
        for spec in query.specs
    ]
    # Which specs a combination of filter values counts for: a few combinations, decided once each.
    admitted: dict[tuple[Any, ...], list[tuple[int, int]]] = {}
    totals: dict[tuple[int, int], list[int]] = {}
    for row in rows:
        key = tuple(row[2:first])
        hits = admitted.get(key)
        if hits is None:
            value_of = dict(zip(query.group_by, key, strict=True))
            hits = admitted[key] = [
                (i, column) for i, (spec, column) in enumerate(column_of)
                if all(value_of[c.column] in c.values for c in spec.conditions)
            ]
        unit = (int(row[0]), int(row[1]))
        sums = totals.get(unit)
        if sums is None:
            sums = totals[unit] = [0] * len(column_of)
        for i, column in hits:
            if row[column] is not None:
                sums[i] += int(row[column])
    for unit, sums in totals.items():
        values = out[unit]
        for (spec, _column), raw in zip(column_of, sums, strict=True):
            values[spec.code] = convert(spec, raw)


def derive_as_of(
    specs: Iterable[DeriveSpec],
    execute: Callable[[str, list[Any]], Iterable[Sequence[Any]]],
    *,
    year: int,
    days: Sequence[dt.date],
    org_ids: Sequence[int] | None = None,
) -> dict[tuple[int, dt.date], dict[str, Decimal]]:
    """{(org id, day): {row code: value as of that day}} — one query per ledger for all the days.

    Every spec needs its `span`; a county without records in a ledger gets nothing from it.
    """
    by_ledger: dict[str, list[DeriveSpec]] = defaultdict(list)
    for spec in specs:
        by_ledger[spec.ledger].append(spec)
    out: dict[tuple[int, dt.date], dict[str, Decimal]] = defaultdict(dict)
    if not days:
        return {}
    for kind, group in sorted(by_ledger.items()):
        query = compile_ledger(kind, group, years=[year], org_ids=org_ids, as_of=days)
        width = len(group)
        for row in execute(query.sql, query.params):
            raw = row[2:]
            for i, day in enumerate(days):
                values = out[(int(row[0]), day)]
                for spec, value in zip(group, raw[i * width:(i + 1) * width], strict=True):
                    values[spec.code] = convert(spec, value)
    return dict(out)
