"""The money units of the statistics table and the ledgers (元, 万元, 亿元): what one of each is in 元.

The one place these factors live: the catalogue's units, the rule language's `in_unit`, the
derivation of table rows from ledgers (stored in whole 元) and the comparison of two years'
templates all convert through here.
"""

from __future__ import annotations

from decimal import Decimal

YUAN_PER: dict[str, Decimal] = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
YUAN_PER_WAN = YUAN_PER["万元"]


def is_money(unit: str) -> bool:
    return unit in YUAN_PER


def money_factor(source: str, target: str) -> Decimal:
    """What one `source` unit is in `target` units (万元 → 亿元: 0.0001); KeyError for other units."""
    return YUAN_PER[source] / YUAN_PER[target]


def yuan_from_wan(value: Decimal) -> int:
    """An amount in 万元 (up to 4 places) as whole 元."""
    return int((value * YUAN_PER_WAN).to_integral_value())


def wan_from_yuan(value: int) -> Decimal:
    """Whole 元 as 万元 without trailing zeros (12.5, not 12.5000)."""
    d = Decimal(value) / YUAN_PER_WAN
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
