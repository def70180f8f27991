"""Table rows computed from the ledgers: declarative specs compiled into set-based SQL.

Plain Python. A row's spec (from the catalogue file) names a ledger, a filter and an aggregate:

    derive = { ledger = "labour_placements", filter = { destination = "east", poverty_status = "poor" },
               aggregate = "count" }

`compile_ledger` turns every spec on one ledger into ONE grouped query — a conditional aggregate
per row (SUM(CASE WHEN … THEN … ELSE 0 END)), GROUP BY org, year — so the whole table for every
county takes one query per ledger, whatever the number of counties or rows. `derive_all` runs
those queries through an `execute(sql, params) -> rows` callable and converts the results to the
rows' units and decimals. Money is stored as whole 元, so sums are exact integers on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xiezuo.core.money import YUAN_PER
from xiezuo.ledgers.schema import BY_KIND, Ledger

AGGREGATES = ("count", "sum", "count_distinct")
FILTERABLE = ("code", "bool", "text", "int")


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

    @property
    def money(self) -> bool:
        return self.field is not None and BY_KIND[self.ledger].by_name[self.field].type == "money"


def parse_spec(raw: object, *, code: str, unit: str, value_kind: str, places: int) -> DeriveSpec:
    """Check a catalogue row's `derive` table against the ledger schema; SpecError saying why."""
    if not isinstance(raw, Mapping):
        raise SpecError("derive 应为表：{ ledger = …, filter = {…}, aggregate = … }")
    unknown = sorted(set(raw) - {"ledger", "filter", "aggregate"})
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
    return DeriveSpec(
        code=code, ledger=kind, conditions=tuple(conditions), aggregate=name, field=field or None,
        unit=unit, places=places, integer=value_kind == "int",
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
    specs: tuple[DeriveSpec, ...]  # in the order of the result columns after org_id, year


def compile_ledger(
    kind: str, specs: Sequence[DeriveSpec], *, years: Sequence[int], org_ids: Sequence[int] | None = None
) -> CompiledQuery:
    """One query for every spec on this ledger, every county (or those given) and every year given."""
    ledger = BY_KIND[kind]
    select, params = [], []
    for spec in specs:
        cond, cond_params = _condition_sql(spec.conditions)
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
    where = [f"year IN ({', '.join(['%s'] * len(years))})"]
    params.extend(years)
    if org_ids is not None:
        where.append(f"org_id IN ({', '.join(['%s'] * len(org_ids))})" if org_ids else "1 = 0")
        params.extend(org_ids)
    # Only schema identifiers are interpolated; every value is a bound parameter.
    sql = (
        f"SELECT org_id, year, {', '.join(select)} FROM {_quote(ledger.table)} "  # noqa: S608
        f"WHERE {' AND '.join(where)} GROUP BY org_id, year"
    )
    return CompiledQuery(ledger=kind, sql=sql, params=params, specs=tuple(specs))


def compile_all(
    specs: Iterable[DeriveSpec], *, years: Sequence[int], org_ids: Sequence[int] | None = None
) -> list[CompiledQuery]:
    by_ledger: dict[str, list[DeriveSpec]] = defaultdict(list)
    for spec in specs:
        by_ledger[spec.ledger].append(spec)
    return [compile_ledger(kind, group, years=years, org_ids=org_ids) for kind, group in sorted(by_ledger.items())]


def convert(spec: DeriveSpec, raw: object) -> Decimal:
    """A query result in the row's unit and decimals (money: 元 → 万元/亿元)."""
    value = Decimal(int(str(raw))) if raw is not None else Decimal(0)
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
) -> dict[tuple[int, int], dict[str, Decimal]]:
    """{(org id, year): {row code: derived value}} for every county with records in a ledger.

    A county with no records at all in a ledger gets no values from it (the ledger is not kept
    there), rather than zeros that would look like a real count.
    """
    out: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for query in compile_all(specs, years=years, org_ids=org_ids):
        for row in execute(query.sql, query.params):
            values = out[(int(row[0]), int(row[1]))]
            for spec, raw in zip(query.specs, row[2:], strict=True):
                values[spec.code] = convert(spec, raw)
    return dict(out)
