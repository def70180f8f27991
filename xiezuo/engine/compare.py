"""Year over year: two years' values of one unit, row by row, across template versions.

Plain Python. Rows are matched by code; a row only one year's template has is shown with the other
year marked as absent. Money printed in different units in the two years (万元 one year, 亿元 the
next) is converted to the later year's unit before comparing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.core.money import is_money, money_factor

CellValue = Decimal | str | None


@dataclass(frozen=True)
class ComparisonLine:
    row: Row  # as the later template prints it (the earlier one's if the later lacks it)
    section: str
    first: CellValue
    second: CellValue
    in_first: bool  # the earlier year's template has this row
    in_second: bool
    change: Decimal | None  # second − first, in the row's unit (percentage points for % rows)
    percent: Decimal | None  # change ÷ first × 100; None when first is zero or missing, and for % rows

    @property
    def status(self) -> str:
        if not self.in_first:
            return "上年模板无此行"
        if not self.in_second:
            return "本年模板无此行"
        if self.first is None and self.second is None:
            return "两年均未填报"
        if self.first is None:
            return "上年未填报"
        if self.second is None:
            return "本年未填报"
        return ""

    def as_dict(self, years: tuple[int, int]) -> dict[str, object]:
        fmt = self.row.format
        return {
            "code": self.row.code,
            "section": self.section,
            "label": self.row.label,
            "unit": self.row.unit,
            str(years[0]): fmt(self.first) if self.first is not None else None,
            str(years[1]): fmt(self.second) if self.second is not None else None,
            "change": plain(self.change),
            "percent": plain(self.percent),
            "in_template": {str(years[0]): self.in_first, str(years[1]): self.in_second},
            "status": self.status,
        }


def plain(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _converted(value: CellValue, source: Row, target: Row) -> CellValue:
    if not isinstance(value, Decimal) or source.unit == target.unit:
        return value
    if is_money(source.unit) and is_money(target.unit):
        return value * money_factor(source.unit, target.unit)
    return value


def compare_values(
    first_catalogue: Catalogue,
    first: Mapping[str, CellValue],
    second_catalogue: Catalogue,
    second: Mapping[str, CellValue],
) -> list[ComparisonLine]:
    """Every value row of either template: the later template's order, then rows it dropped."""
    lines: list[ComparisonLine] = []
    rows: list[tuple[Row, Catalogue]] = [(r, second_catalogue) for r in second_catalogue.value_rows]
    rows += [(r, first_catalogue) for r in first_catalogue.value_rows if r.code not in second_catalogue.by_code]
    for row, catalogue in rows:
        old_row = first_catalogue.by_code.get(row.code)
        in_first = old_row is not None and old_row.is_value
        in_second = row.code in second_catalogue.by_code
        a = _converted(first.get(row.code), old_row, row) if in_first and old_row is not None else None
        b = second.get(row.code) if in_second else None
        change = percent = None
        if isinstance(a, Decimal) and isinstance(b, Decimal):
            places = row.places if row.value_kind != "int" else 0
            change = (b - a).quantize(Decimal(1).scaleb(-places))
            if a != 0 and row.value_kind != "percent":
                percent = ((b - a) / a * 100).quantize(Decimal("0.01"))
        lines.append(ComparisonLine(
            row=row, section=catalogue.by_code[row.section].label, first=a, second=b,
            in_first=in_first, in_second=in_second, change=change, percent=percent,
        ))
    return lines
