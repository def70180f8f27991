"""Numerals as reports write them, read the way cn2an reads them; units and rounding are ours."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import cn2an
import pytest

from xiezuo.audit.extract import extract
from xiezuo.audit.numerals import cn_to_int, parse_number, same_within_rounding
from xiezuo.audit.reader import document_from_text

TABLE = [tuple(line.split("\t")) for line in
         (Path(__file__).parent / "data" / "numerals.tsv").read_text(encoding="utf-8").splitlines()
         if line and not line.startswith("#")]


def _cn2an(text: str) -> Decimal:
    value = cn2an.cn2an(text.removeprefix("百分之"), "normal")
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def test_the_table_is_a_few_hundred_varied_strings():
    assert len(TABLE) >= 300
    assert {form for _, _, form in TABLE} >= {"standard", "liang", "abbreviated", "digits", "decimal", "negative",
                                              "percent", "wan-yi", "zero-inside", "capital"}


@pytest.mark.parametrize(("numeral", "value", "form"), TABLE)
def test_numeral_reads_as_cn2an_reads_it(numeral: str, value: str, form: str):
    assert parse_number(numeral) == _cn2an(numeral) == Decimal(value), form


@pytest.mark.parametrize(("numeral", "value", "form"), [r for r in TABLE if r[0] not in ("零", "〇", "一")])
def test_numeral_in_a_sentence_is_one_figure(numeral: str, value: str, form: str):
    unit = "" if form == "percent" else "人"
    ex = extract(document_from_text(f"全年共帮扶{numeral}{unit}，成效明显。"), report_year=2023)
    [fig] = ex.figures
    assert fig.base == Decimal(value) and fig.family == ("percent" if form == "percent" else "person"), numeral


def test_multiplier_stays_with_the_unit_as_written():
    ex = extract(document_from_text("投入资金五千万元，销售额一点二亿元，带动三万五千人，共三亿五千万元。"),
                 report_year=2023)
    assert [(f.value, f.unit) for f in ex.figures] == [(Decimal(5000), "万元"), (Decimal("1.2"), "亿元"),
                                                        (Decimal(35000), "人"), (Decimal(350_000_000), "元")]


def test_whole_numerals_and_arabic():
    assert cn_to_int("一万二千三百四十五") == 12345
    assert cn_to_int("三亿五千万") == 350_000_000
    assert cn_to_int("零点五") is None  # not whole
    assert cn_to_int("三个") is None
    assert parse_number("1,200.5") == Decimal("1200.5")
    assert parse_number("百分之三十五") == Decimal(35)
    assert parse_number("合计") is None


def test_rounding_the_text_announces_is_consistent():
    assert same_within_rounding(Decimal("1.2"), "亿元", Decimal("1.2019"), "亿元")
    assert same_within_rounding(Decimal("6907"), "万元", Decimal("0.6907"), "亿元")
    assert same_within_rounding(Decimal("12019"), "万元", Decimal("1.2019"), "亿元")
    assert not same_within_rounding(Decimal("1.2"), "亿元", Decimal("1.26"), "亿元")
    assert not same_within_rounding(Decimal("617"), "人", Decimal("790"), "人次")
