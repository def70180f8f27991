"""Projecting a row to the year's end from the year's snapshots. Plain Python.

Two methods, and each projection says which it used:
- `last_year`: when last year's snapshots have the same month and the year-end, follow last
  year's curve — a flow grows by last year's ratio (year-end ÷ that month), a stock adds last
  year's remaining growth (year-end − that month);
- `linear`: otherwise a least-squares line through this year's snapshots (a flow's line also
  passes through zero on 1 January), read at 31 December.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

METHODS = {
    "actual": "年度快照的实际值",
    "last_year": "按上年同期至年末的变化",
    "linear": "按本年各期快照线性外推至年末",
    "flat": "只有一期快照，按当前值",
}


@dataclass(frozen=True)
class Projection:
    value: Decimal
    method: str  # a key of METHODS

    @property
    def description(self) -> str:
        return METHODS[self.method]


def _day(day: dt.date) -> int:
    """Days since the last day of the previous year: 31 January is 31, 31 December is 365 or 366."""
    return (day - dt.date(day.year - 1, 12, 31)).days


def project(
    points: Sequence[tuple[dt.date, Decimal]], *, span: str, last_year: Sequence[tuple[dt.date, Decimal]] = (),
    places: int = 0,
) -> Projection | None:
    """The row's value at the end of the points' year; None without any point."""
    if not points:
        return None
    points = sorted(points)
    last_day, last = points[-1]
    year_end = dt.date(last_day.year, 12, 31)
    q = Decimal(1).scaleb(-places) if places else Decimal(1)

    def rounded(v: Decimal) -> Decimal:
        return v.quantize(q, rounding=ROUND_HALF_UP)

    if last_day >= year_end:
        return Projection(rounded(last), "actual")
    ly = dict(sorted(last_year))
    ly_end = ly.get(dt.date(last_day.year - 1, 12, 31))
    same_month = [v for d, v in ly.items() if d.month == last_day.month and d.year == last_day.year - 1]
    if ly_end is not None and same_month:
        then = same_month[-1]
        if span == "stock":
            return Projection(rounded(last + (ly_end - then)), "last_year")
        if then > 0:
            return Projection(rounded(max(last, last * ly_end / then)), "last_year")
    xs = [Decimal(_day(d)) for d, _ in points]
    ys = [v for _, v in points]
    if span == "flow":
        xs.insert(0, Decimal(0))
        ys.insert(0, Decimal(0))
    if len(xs) < 2:
        return Projection(rounded(last), "flat")
    n = Decimal(len(xs))
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return Projection(rounded(last), "flat")
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    value = mean_y + slope * (Decimal(_day(year_end)) - mean_x)
    if span == "flow":
        value = max(value, last)  # a flow never shrinks
    return Projection(rounded(value), "linear")
