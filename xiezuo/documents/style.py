"""Chinese number style for official documents: amounts, counts, dates and ranges.

Plain Python. Amounts keep the decimals the table publishes and drop trailing zeros
(889.20 万元 → 889.2万元); the unit is the table's own (万元 stays 万元, 亿元 stays 亿元);
counts carry their measure word; dates read 2023年4月18日 and ranges 4月18日—19日.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

# Measure words a count may carry in prose; the table's unit is used as written.
MEASURE_WORDS = ("人次", "人", "个", "次", "期", "项", "所", "家", "户", "对", "名", "篇", "场")
DIGITS = "零一二三四五六七八九"
RANGE_DASH = "—"  # GB/T 15835: a range of dates or numbers is joined with a dash (一字线)


def plain_number(value: Decimal | int, places: int | None = None) -> str:
    """A number with at most `places` decimals, no trailing zeros, no exponent, no grouping."""
    number = Decimal(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places)) if places else number.quantize(Decimal(1))
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def amount(value: Decimal | int, unit: str = "万元", places: int | None = None) -> str:
    """889.20 → 889.2万元; 1.2019 亿元 stays 1.2019亿元 (the unit is whatever the table uses)."""
    return f"{plain_number(value, places)}{unit}"


def count(value: Decimal | int, measure: str) -> str:
    """29 个, 15 期, 790 人次: counts are whole numbers with their measure word."""
    return f"{plain_number(value, 0)}{measure}"


def percent(value: Decimal | int, places: int | None = 2) -> str:
    return f"{plain_number(value, places)}%"


def figure(value: Decimal | int, unit: str, places: int | None = None) -> str:
    """A table value in prose with the table's unit: amounts, percentages or counts."""
    if unit == "%":
        return percent(value, places)
    if unit in ("元", "万元", "亿元"):
        return amount(value, unit, places)
    return count(value, unit) if not places else amount(value, unit, places)


def date_cn(day: dt.date, *, with_year: bool = True) -> str:
    """2023年4月18日 (Arabic numerals, no leading zeros), as GB/T 9704 asks for 成文日期."""
    head = f"{day.year}年" if with_year else ""
    return f"{head}{day.month}月{day.day}日"


def date_range_cn(start: dt.date, end: dt.date, *, with_year: bool = False) -> str:
    """4月18日—19日; 4月30日—5月2日; across years both dates in full."""
    if end < start:
        start, end = end, start
    if start == end:
        return date_cn(start, with_year=with_year)
    if start.year != end.year:
        return f"{date_cn(start)}{RANGE_DASH}{date_cn(end)}"
    head = date_cn(start, with_year=with_year)
    if start.month == end.month:
        return f"{head}{RANGE_DASH}{end.day}日"
    return f"{head}{RANGE_DASH}{end.month}月{end.day}日"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九: for 一、 and （一） headings."""
    if not 0 < n < 100:
        raise ValueError(f"heading numbers run from 1 to 99, not {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    head = "十" if tens == 1 else f"{DIGITS[tens]}十"
    return head + (DIGITS[ones] if ones else "")
