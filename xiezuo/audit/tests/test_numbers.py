from decimal import Decimal

from xiezuo.audit.numbers import cn_to_int, parse_number, same_within_rounding


def test_chinese_numerals():
    assert cn_to_int("三十五") == 35
    assert cn_to_int("两") == 2
    assert cn_to_int("十二") == 12
    assert cn_to_int("一百零八") == 108
    assert cn_to_int("二〇二三") == 2023
    assert parse_number("三点五") == Decimal("3.5")
    assert parse_number("1,200.5") == Decimal("1200.5")


def test_rounding_the_text_announces_is_consistent():
    assert same_within_rounding(Decimal("1.2"), "亿元", Decimal("1.2019"), "亿元")
    assert same_within_rounding(Decimal("6907"), "万元", Decimal("0.6907"), "亿元")
    assert same_within_rounding(Decimal("12019"), "万元", Decimal("1.2019"), "亿元")
    assert not same_within_rounding(Decimal("1.2"), "亿元", Decimal("1.26"), "亿元")
    assert not same_within_rounding(Decimal("617"), "人", Decimal("790"), "人次")
