"""Synthetic statistics tables: plausible, seeded, and passing every catalogue rule.

The one generator of synthetic tables, for the demo's counties and for `xiezuo synth`'s nation.
Plain Python: a template table (one real county's figures) is scaled by a per-unit factor;
rows that no rule or 其中 relation ties to others get a little extra seeded noise. Then the
structure is restored — parts add up, 其中 ≤ total, ratios recomputed from their parts — so the
result passes the catalogue's checks like a carefully filled table. Money is scaled in 元 and kept
to whole 万元, so one amount printed in 万元 and in 亿元 (two sections of the table) stays equal.
Text rows never copy the template (it names real people): they get a marked synthetic sentence.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import lru_cache

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.core.money import YUAN_PER, YUAN_PER_WAN, is_money
from xiezuo.engine.aggregate import normalise, recompute
from xiezuo.engine.rules import Binary, Call, Ref, parse_expression
from xiezuo.engine.validate import compiled_rules

SYNTHETIC_TEXT = "合成示例数据，非真实信息"

Values = dict[str, Decimal | str | None]


def quantum(row: Row) -> Decimal:
    """The smallest step the table publishes for a row (1 for counts)."""
    return Decimal(1).scaleb(-(0 if row.value_kind == "int" else row.places))


def recompute_ratios(catalogue: Catalogue, values: Values) -> None:
    """Ratio rows recomputed in place from the values' parts (after parts were changed)."""
    for row in catalogue.value_rows:
        if row.rollup == "recompute" and row.code in values:
            value = recompute(catalogue, row, values)
            if value is not None:
                values[row.code] = value


def _quantize(row: Row, value: Decimal) -> Decimal:
    if row.value_kind == "int":
        return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if is_money(row.unit):
        # Whole 万元 whatever the printed unit, so equal amounts in different units stay equal.
        wan = (value * YUAN_PER[row.unit] / YUAN_PER_WAN).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        value = wan * YUAN_PER_WAN / YUAN_PER[row.unit]
    return normalise(value.quantize(quantum(row), rounding=ROUND_HALF_UP)) or Decimal(0)


def _floor(row: Row, value: Decimal) -> Decimal:
    step = YUAN_PER_WAN / YUAN_PER[row.unit] if is_money(row.unit) else Decimal(1).scaleb(-row.places)
    return normalise((value / step).to_integral_value(rounding=ROUND_FLOOR) * step) or Decimal(0)


def _absorb(out: dict[str, Decimal], parts: list[Row], total: Decimal) -> None:
    """Make the parts add up to the total, the largest parts taking up the rounding difference."""
    diff = total - sum((out[p.code] for p in parts), Decimal(0))
    for p in sorted(parts, key=lambda r: out[r.code], reverse=True):
        if diff == 0:
            break
        value = out[p.code]
        new = max(Decimal(0), value + diff)
        diff -= new - value
        out[p.code] = new


@lru_cache(maxsize=8)
def _capped_totals(catalogue: Catalogue) -> frozenset[str]:
    """Rows a declared rule `sum_children(X) <= X` caps by the sum of their sub-items."""
    out: set[str] = set()
    for rule in catalogue.rules:
        node = parse_expression(rule.expr)
        if (
            isinstance(node, Binary) and node.op == "<=" and isinstance(node.right, Ref)
            and isinstance(node.left, Call) and node.left.name == "sum_children"
            and node.left.args == (node.right,)
        ):
            out.add(node.right.code)
    return frozenset(out)


@lru_cache(maxsize=8)
def _counted_parties(catalogue: Catalogue) -> frozenset[str]:
    """Distinct-count rows (paired districts, counties) and the sub-items under them."""
    out: set[str] = set()
    for row in catalogue.value_rows:
        if row.rollup == "distinct" or (row.relation is not None and row.parent in out):
            out.add(row.code)
    return frozenset(out)


@lru_cache(maxsize=8)
def _free_rows(catalogue: Catalogue) -> frozenset[str]:
    """Rows no rule reads and no 其中 relation ties to another row: safe to vary on their own."""
    tied: set[str] = set()
    for compiled in compiled_rules(catalogue):
        if not compiled.rule.id.startswith("nonneg."):
            tied.update(compiled.codes)
    for row in catalogue.value_rows:
        if row.relation in ("subset", "part") and row.parent:
            tied.update((row.code, row.parent))
    return frozenset(r.code for r in catalogue.value_rows
                     if r.is_numeric and r.code not in tied and r.rollup != "recompute")


def synthetic_values(
    catalogue: Catalogue,
    template: Mapping[str, Decimal | str | None],
    *,
    seed: str,
    factor: Decimal,
    noise: Decimal = Decimal("0.15"),
    adjust: Mapping[str, Decimal] | None = None,
    label: str = SYNTHETIC_TEXT,
) -> dict[str, Decimal | str]:
    """One synthetic table: `template` scaled by `factor`, free rows varied by up to ±`noise`.

    `adjust` gives extra factors for single rows (a unit that used less of its funds, say); the
    structure is restored after them, so the result still passes every rule.
    """
    rng = random.Random(seed)
    free = _free_rows(catalogue)
    counted = _counted_parties(catalogue)
    out: dict[str, Decimal] = {}
    texts: dict[str, str] = {}
    for row in catalogue.value_rows:
        base = template.get(row.code)
        if row.value_kind == "text":
            if base:
                texts[row.code] = f"【{label}】{row.unit}"
            continue
        if not isinstance(base, Decimal) or row.rollup == "recompute":
            continue
        if row.code in counted:
            # How many counties and districts are paired does not grow with a county's size.
            out[row.code] = base
            continue
        f = factor
        if row.code in free:
            f = factor * (1 + Decimal(str(round(rng.uniform(-float(noise), float(noise)), 3))))
        f *= (adjust or {}).get(row.code, Decimal(1))
        out[row.code] = _quantize(row, base * f)

    # Restore the structure top-down (a total precedes its sub-items): parts add up to their total,
    # sub-items a rule caps at their total are scaled down, and each 其中 stays within its total.
    capped = _capped_totals(catalogue)
    for row in catalogue.value_rows:
        total = out.get(row.code)
        if total is None:
            continue
        parts = [p for p in catalogue.sub_items(row.code, "part") if p.code in out]
        if parts:
            _absorb(out, parts, total)
        if row.code in capped:
            subs = [r for r in catalogue.sub_items(row.code) if r.is_numeric and r.code in out]
            present = sum((out[r.code] for r in subs), Decimal(0))
            if present > total:
                for r in subs:
                    out[r.code] = _floor(r, out[r.code] * total / present)
        if row.relation == "subset" and row.parent and (parent := out.get(row.parent)) is not None:
            out[row.code] = min(out[row.code], parent)
    for row in catalogue.value_rows:
        if row.rollup == "recompute" and isinstance(template.get(row.code), Decimal):
            value = recompute(catalogue, row, out)
            if value is not None:
                out[row.code] = value
    return {**out, **texts}
