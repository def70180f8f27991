"""Roll-up of the statistics table over the org hierarchy.

Two halves. The SQL half takes querysets of stored values (or pairings) and a grouping expression
and returns plain dicts, one grouped query each, whatever the number of units. The combining half
is plain Python: it turns those sums into a column's values following each row's `rollup` rule —
sum, recompute from summed parts (never an average of ratios), distinct count, text list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Count, Expression, F, QuerySet, Sum, Value
from django.db.models.functions import StrIndex, Substr

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.core.errors import CatalogueError
from xiezuo.engine.rules import Compiled, Env, compile_expression, expression_codes, parse_expression

Number = Decimal
CellValue = Decimal | str | None
# A grouping key: a column reference or an expression over one (both resolve in SQL).
Key = Expression | F

# ---------------------------------------------------------------- distinct specs

DISTINCT_SIDES = ("east", "west")


@dataclass(frozen=True)
class DistinctSpec:
    """`pairing.<kind>.<side>`: count the distinct eastern (or western) parties of pairings of a kind.

    pair_east_counties uses `pairing.county.east`: an eastern district paired with two counties of
    the area counts once.
    """

    kind: str
    side: str

    @property
    def text(self) -> str:
        return f"pairing.{self.kind}.{self.side}"


def distinct_spec(row: Row) -> DistinctSpec:
    from xiezuo.orgunits.models import PairingKind

    parts = (row.distinct or "").split(".")
    if len(parts) != 3 or parts[0] != "pairing" or parts[1] not in PairingKind.values or parts[2] not in DISTINCT_SIDES:
        raise CatalogueError(
            f"「{row.label}」的 distinct 应为 pairing.<结对类型>.<east|west>，"
            f"结对类型为 {'/'.join(PairingKind.values)} 之一，现为「{row.distinct}」"
        )
    return DistinctSpec(kind=parts[1], side=parts[2])


# ---------------------------------------------------------------- SQL half


def path_child(field: str, prefix_len: int) -> Key:
    """From a materialised path under a prefix of `prefix_len` characters, the path of the direct child.

    "/620000/620400/620422/" under "/620000/" gives "/620000/620400/". Plain SUBSTR/INSTR (STRPOS on
    PostgreSQL), so grouping by it stays one query on both databases whatever the code lengths.
    """
    rest = Substr(F(field), prefix_len + 1)
    return Substr(F(field), 1, Value(prefix_len) + StrIndex(rest, Value("/")))


def grouped_sums(values: QuerySet[Any], key: Key) -> dict[str, dict[str, Decimal]]:
    """{group key: {row code: sum of numbers}} for a queryset of DataValue — one grouped query."""
    out: dict[str, dict[str, Decimal]] = {}
    rows = (
        values.filter(number__isnull=False)
        .annotate(rollup_key=key)
        .values("rollup_key", "code")
        .annotate(total=Sum("number"))
        .order_by()
    )
    for rec in rows:
        out.setdefault(rec["rollup_key"], {})[rec["code"]] = normalise(rec["total"]) or Decimal(0)
    return out


def total_sums(values: QuerySet[Any]) -> dict[str, Decimal]:
    """{row code: sum of numbers} over the whole queryset — one grouped query."""
    rows = values.filter(number__isnull=False).values("code").annotate(total=Sum("number")).order_by()
    return {rec["code"]: normalise(rec["total"]) or Decimal(0) for rec in rows}


@dataclass(frozen=True)
class TextEntry:
    key: str
    org_code: str
    org_name: str
    code: str
    text: str


def grouped_texts(values: QuerySet[Any], key: Key, codes: Iterable[str]) -> list[TextEntry]:
    """Every non-empty text value of the given rows with its unit and group key, by unit code."""
    codes = list(codes)
    if not codes:
        return []
    rows = (
        values.filter(code__in=codes)
        .exclude(text="")
        .annotate(rollup_key=key)
        .values_list("rollup_key", "org__code", "org__name", "code", "text")
        .order_by("org__code", "code")
    )
    return [TextEntry(*rec) for rec in rows]


def grouped_distinct(pairings: QuerySet[Any], key: Key | None) -> dict[str | None, tuple[int, int]]:
    """{group key: (distinct eastern parties, distinct western parties)}; key None counts the whole set."""
    if key is None:
        agg = pairings.aggregate(east=Count("east_id", distinct=True), west=Count("west_id", distinct=True))
        return {None: (agg["east"] or 0, agg["west"] or 0)}
    rows = (
        pairings.annotate(rollup_key=key)
        .values("rollup_key")
        .annotate(east=Count("east_id", distinct=True), west=Count("west_id", distinct=True))
        .order_by()
    )
    return {rec["rollup_key"]: (rec["east"], rec["west"]) for rec in rows}


def path_prefixes(path: str) -> list[str]:
    """Every area path a materialised path lies under, itself included, from the root down.

    "/000000/620000/620400/" gives "/000000/", "/000000/620000/" and "/000000/620000/620400/".
    """
    parts = path.strip("/").split("/") if path.strip("/") else []
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def subtree_sums(values: QuerySet[Any]) -> dict[str, dict[str, Decimal]]:
    """{area path: {row code: sum of numbers}} for every area above the values' units — one grouped
    query, and one for the parents' paths.

    The same sums as `grouped_sums` by `path_child` at each level (and `total_sums` at the root),
    for all levels at once: the values are grouped by their unit's parent, an integer key the
    database hashes (grouping by a path expression, PostgreSQL misjudges the number of groups and
    sorts instead, on disk at national size), and each parent's sums are then added into every
    area its path lies under. Exact decimal arithmetic, so the result does not depend on the order.
    """
    from xiezuo.orgunits.models import OrgUnit

    rows = list(
        values.filter(number__isnull=False, org__parent__isnull=False)
        .values_list("org__parent_id", "code")
        .annotate(total=Sum("number"))
        .order_by()
    )
    paths = dict(OrgUnit.objects.filter(pk__in={parent for parent, _, _ in rows}).values_list("pk", "path"))
    by_parent: dict[int, dict[str, Decimal]] = {}
    for parent, code, total in rows:
        by_parent.setdefault(parent, {})[code] = total
    sums: dict[str, dict[str, Decimal]] = {}
    for parent, parent_sums in by_parent.items():
        for key in path_prefixes(paths[parent]):
            area = sums.get(key)
            if area is None:
                sums[key] = dict(parent_sums)
                continue
            for code, total in parent_sums.items():
                area[code] = area[code] + total if code in area else total
    return {key: {code: normalise_sum(total) for code, total in area.items()} for key, area in sums.items()}


def subtree_distinct(pairings: QuerySet[Any]) -> dict[str, tuple[int, int]]:
    """{area path: (distinct eastern parties, distinct western parties)} of the pairings whose western
    party lies under the area, for every area above the western parties — one query.

    Counts as `grouped_distinct` does at each level: an eastern party paired with two counties of
    the area counts once.
    """
    parties: dict[str, tuple[set[int], set[int]]] = {}
    for parent_path, east, west in pairings.values_list("west__parent__path", "east_id", "west_id").order_by():
        if parent_path is None:
            continue
        for key in path_prefixes(parent_path):
            east_ids, west_ids = parties.setdefault(key, (set(), set()))
            east_ids.add(east)
            west_ids.add(west)
    return {key: (len(east_ids), len(west_ids)) for key, (east_ids, west_ids) in parties.items()}


_FOUR_PLACES = Decimal("0.0001")
_ONE = Decimal(1)


def normalise_sum(value: Decimal) -> Decimal:
    """`normalise` for a sum that is not None: the same result, without its extra steps for whole numbers."""
    if value == value.to_integral_value():
        return value.quantize(_ONE)
    n = normalise(value)
    assert n is not None
    return n


def normalise(value: Decimal | None) -> Decimal | None:
    """Drop the storage scale (4 places) so a sum carries only the places it needs."""
    if value is None:
        return None
    n = Decimal(value).quantize(Decimal("0.0001")).normalize()
    return n.quantize(Decimal(1)) if n == n.to_integral_value() else n


@lru_cache(maxsize=16)
def formula_inputs(catalogue: Catalogue) -> dict[str, tuple[str, ...]]:
    """{recomputed row: the row codes its formula reads}."""
    return {
        r.code: tuple(expression_codes(r.formula))
        for r in catalogue.value_rows
        if r.rollup == "recompute" and r.formula
    }


def complete_units(values: QuerySet[Any], codes: Sequence[str]) -> QuerySet[Any]:
    """Ids of the units (a subquery) with a number for every one of `codes` in `values`."""
    units: QuerySet[Any] = (
        values.filter(code__in=codes, number__isnull=False)
        .values("org_id")
        .annotate(present=Count("code", distinct=True))
        .filter(present=len(set(codes)))
        .values("org_id")
    )
    return units


# ---------------------------------------------------------------- combining half


@lru_cache(maxsize=64)
def _formula(catalogue: Catalogue, code: str) -> Compiled:
    row = catalogue.by_code[code]
    assert row.formula
    return compile_expression(parse_expression(row.formula), catalogue)


def recompute(catalogue: Catalogue, row: Row, values: Mapping[str, CellValue]) -> Decimal | None:
    """A ratio row from the area's summed parts, via its formula, rounded to the published places."""
    result = _formula(catalogue, row.code)(Env(values))
    if not isinstance(result, Decimal):
        return None
    return result.quantize(Decimal(1).scaleb(-row.places)) if row.places else result.quantize(Decimal(1))


def text_list(entries: Sequence[tuple[str, str]]) -> str | None:
    """Text rows are listed per unit, one line each: "会宁县：…"."""
    lines = [f"{name}：{text}" for name, text in entries if text]
    return "\n".join(lines) if lines else None


def combine(
    catalogue: Catalogue,
    *,
    sums: Mapping[str, Decimal],
    texts: Sequence[tuple[str, str, str]] = (),
    distinct: Mapping[str, int] | None = None,
    recompute_sums: Mapping[str, Mapping[str, Decimal]] | None = None,
) -> dict[str, CellValue]:
    """An area's values from its units' summed numbers, texts ((unit name, row code, text)) and counts.

    `distinct` holds the deduplicated count for each distinct row; a distinct row missing from it
    falls back to the sum (the units' own reported figures). `recompute_sums` gives, for a
    recomputed row, the sums of its formula's inputs over only the units that reported all of them
    (see `complete_units`), so a county that left one part empty does not skew the ratio.
    """
    distinct = distinct or {}
    by_code_texts: dict[str, list[tuple[str, str]]] = {}
    for name, code, text in texts:
        by_code_texts.setdefault(code, []).append((name, text))
    out: dict[str, CellValue] = {}
    for row in catalogue.value_rows:
        if row.rollup == "sum":
            out[row.code] = sums.get(row.code)
        elif row.rollup == "distinct":
            out[row.code] = Decimal(distinct[row.code]) if row.code in distinct else sums.get(row.code)
        elif row.rollup == "text":
            out[row.code] = text_list(by_code_texts.get(row.code, []))
        else:
            out[row.code] = None
    # Recomputed rows last, in table order, so a formula may read sums and earlier recomputed rows.
    for row in catalogue.value_rows:
        if row.rollup == "recompute":
            if recompute_sums is not None and row.code in recompute_sums:
                given = recompute_sums[row.code]
                env = {**out, **{c: given.get(c) for c in formula_inputs(catalogue)[row.code]}}
                out[row.code] = recompute(catalogue, row, env)
            else:
                out[row.code] = recompute(catalogue, row, out)
    return out


def own_values(
    catalogue: Catalogue, *, sums: Mapping[str, Decimal], texts: Sequence[tuple[str, str, str]] = ()
) -> dict[str, CellValue]:
    """A reporting unit's column: its own figures as stored (its ratio as entered, its text as is)."""
    by_code = {code: text for _, code, text in texts}
    return {
        row.code: (by_code.get(row.code) if row.value_kind == "text" else sums.get(row.code))
        for row in catalogue.value_rows
    }
