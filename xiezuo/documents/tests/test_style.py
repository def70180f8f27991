import datetime as dt
from decimal import Decimal

import pytest

from xiezuo.documents import style


@pytest.mark.parametrize(
    ("value", "unit", "places", "expected"),
    [
        (Decimal("889.20"), "万元", 2, "889.2万元"),
        (Decimal("5590.00"), "万元", 2, "5590万元"),
        (Decimal("612.3725"), "万元", 4, "612.3725万元"),
        (Decimal("1.2019"), "亿元", 4, "1.2019亿元"),
        (Decimal("0.6907"), "亿元", 4, "0.6907亿元"),
        (Decimal("90.99"), "%", 2, "90.99%"),
        (Decimal("29"), "个", 0, "29个"),
        (Decimal("15"), "期", 0, "15期"),
        (Decimal("790"), "人次", 0, "790人次"),
        (Decimal("27"), "项", 0, "27项"),
        (Decimal("3"), "次", 0, "3次"),
    ],
)
def test_figures_keep_the_table_unit_and_published_decimals(value, unit, places, expected):
    assert style.figure(value, unit, places) == expected


def test_amounts_never_show_exponents_or_trailing_zeros():
    assert style.amount(Decimal("1E+3"), "万元") == "1000万元"
    assert style.amount(Decimal("0.0000"), "万元") == "0万元"
    assert style.amount(Decimal("30.960"), "万元") == "30.96万元"


def test_dates_and_ranges():
    assert style.date_cn(dt.date(2023, 4, 18)) == "2023年4月18日"
    assert style.date_cn(dt.date(2023, 11, 20)) == "2023年11月20日"
    assert style.date_range_cn(dt.date(2023, 4, 18), dt.date(2023, 4, 19)) == "4月18日—19日"
    assert style.date_range_cn(dt.date(2023, 4, 30), dt.date(2023, 5, 2)) == "4月30日—5月2日"
    assert style.date_range_cn(dt.date(2023, 12, 30), dt.date(2024, 1, 2)) == "2023年12月30日—2024年1月2日"
    assert style.date_range_cn(dt.date(2023, 4, 18), dt.date(2023, 4, 18)) == "4月18日"


def test_chinese_numerals_for_headings():
    assert [style.chinese_numeral(n) for n in (1, 4, 10, 11, 20, 23)] == ["一", "四", "十", "十一", "二十", "二十三"]
