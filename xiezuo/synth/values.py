"""Plausible, rule-abiding table values for a synthetic county (plain Python, no database).

A county's figures are a template's figures (a real county's published table: realistic
magnitudes and proportions) scaled by one factor for the whole county, so the relations between
rows survive: 其中 stays below its total, equal figures stay equal. Rounding can still break a
sum or a ratio, so after scaling every rule of the catalogue is evaluated and any row a failing
rule touches goes back to the template's figure, until nothing fails. Text rows never copy the
template (it names real people): they get a marked synthetic sentence.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.engine.rules import compile_expression, parse_expression
from xiezuo.engine.validate import validate_units

Values = dict[str, Decimal | str | None]


def _quantum(row: Row) -> Decimal:
    places = 0 if row.value_kind == "int" else row.places
    return Decimal(1).scaleb(-places)


def synthetic_text(row: Row, *, unit_name: str, rng: random.Random, year: int) -> str:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    if "姓名" in row.unit:
        return f"{year}年{month}月{day}日，{unit_name}负责同志（合成数据）"
    if "文件" in row.unit:
        return f"{month}月{day}日，{unit_name}印发《{year}年东西部协作工作方案（合成数据）》"
    return f"{unit_name}（合成数据）"


def scaled_values(
    catalogue: Catalogue,
    template: Mapping[str, Decimal | str | None],
    *,
    factor: Decimal,
    unit_name: str,
    year: int,
    rng: random.Random,
) -> Values:
    """Every template figure × factor, rounded to the places the table publishes; ratios recomputed."""
    out: Values = {}
    for row in catalogue.value_rows:
        base = template.get(row.code)
        if base is None:
            continue
        if row.value_kind == "text":
            out[row.code] = synthetic_text(row, unit_name=unit_name, rng=rng, year=year)
        elif row.value_kind == "percent" or row.rollup == "recompute":
            out[row.code] = base  # recomputed below from the scaled parts
        else:
            assert isinstance(base, Decimal)
            # Monotone rounding keeps a ≤ b after scaling; half-up keeps small counts above zero.
            out[row.code] = (base * factor).quantize(_quantum(row), rounding=ROUND_HALF_UP)
    # Parts add up exactly: a total with parts is the sum of its (rounded) parts, deepest first.
    for row in sorted(catalogue.value_rows, key=lambda r: -r.depth):
        parts = catalogue.sub_items(row.code, "part")
        if parts and row.code in out and all(isinstance(out.get(p.code), Decimal) for p in parts):
            out[row.code] = sum((out[p.code] for p in parts), Decimal(0))  # type: ignore[misc, type-var]
    _recompute(catalogue, out)
    return out


def _recompute(catalogue: Catalogue, values: Values) -> None:
    from xiezuo.engine.rules import Env

    for row in catalogue.value_rows:
        if row.rollup == "recompute" and row.formula and row.code in values:
            compiled = compile_expression(parse_expression(row.formula), catalogue)
            result = compiled(Env(values))
            if isinstance(result, Decimal):
                values[row.code] = result.quantize(_quantum(row), rounding=ROUND_HALF_UP)


def _bound(node: object) -> tuple[str, object] | None:
    """For `expr <= X` or `X >= expr` (X a row), the row X and the expression bounding it from below."""
    from xiezuo.engine.rules import Binary, Ref

    if isinstance(node, Binary) and node.op in ("<=", ">=", "<", ">"):
        low, high = (node.left, node.right) if node.op in ("<=", "<") else (node.right, node.left)
        if isinstance(high, Ref) and not isinstance(low, Ref):
            return high.code, low
    return None


def template_clean(catalogue: Catalogue, template: Mapping[str, Decimal | str | None]) -> Values:
    """The template with the figures its own rules object to raised, so it passes every rule.

    A real table may carry a warning (sub-items counted twice, say); synthetic data should not.
    Only rules of the form `expression <= row` are repaired, by raising the row to the expression's
    value; rows that had the same figure (equal figures, e.g. a key county's totals) follow it.
    """
    from xiezuo.engine.rules import Env

    values: Values = dict(template)
    for _ in range(len(catalogue.rules) + 1):
        changed = False
        for finding in validate_units(catalogue, {"x": values}):
            rule = next(r for r in catalogue.rules if r.id == finding.rule)
            bound = _bound(parse_expression(rule.expr))
            if bound is None:
                continue
            code, low = bound
            needed = compile_expression(low, catalogue)(Env(values))  # type: ignore[arg-type]
            old = values.get(code)
            if not isinstance(needed, Decimal) or not isinstance(old, Decimal) or needed <= old:
                continue
            needed = needed.quantize(_quantum(catalogue.by_code[code]), rounding="ROUND_CEILING")
            for other, value in list(values.items()):
                if value == old and catalogue.by_code[other].unit == catalogue.by_code[code].unit:
                    values[other] = needed
            changed = True
        _recompute(catalogue, values)
        if not changed:
            break
    return values


def county_values(
    catalogue: Catalogue,
    template: Mapping[str, Decimal | str | None],
    *,
    factor: Decimal,
    unit_name: str,
    year: int,
    rng: random.Random,
    previous: Mapping[str, Decimal | str | None] | None = None,
) -> Values:
    """Scaled values that pass every rule of the catalogue (errors and warnings alike).

    Rows named by a failing rule fall back to the template; if the template itself fails a rule,
    the rule is left failing rather than looping (the caller reports it).
    """
    values = scaled_values(catalogue, template, factor=factor, unit_name=unit_name, year=year, rng=rng)
    for _ in range(len(catalogue.rules) + 1):
        findings = validate_units(catalogue, {"x": values}, {"x": dict(previous)} if previous else None)
        touched = {c for f in findings for c in f.codes if values.get(c) != template.get(c)
                   and catalogue.by_code[c].value_kind != "text"}
        if not touched:
            break
        for code in touched:
            values[code] = template[code]
        _recompute(catalogue, values)
    return values
