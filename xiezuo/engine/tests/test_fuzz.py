"""The rule language and the cell parser on generated input: a Chinese error or a value that fits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xiezuo.catalogue.loader import Rule
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.errors import CatalogueError, InvalidValue
from xiezuo.engine.rules import compile_rule, parse_expression

CATALOGUE = get_catalogue(2023)
CODES = [r.code for r in CATALOGUE.value_rows][:30]
TOKENS = st.sampled_from([*CODES, "(", ")", "+", "-", "*", "/", "<=", ">=", "==", "!=", "<", ">", "and", "or",
                          "not", "abs(", "round(", "min(", "max(", "if(", "sum_children(", "sum_parts(", "prev(",
                          "in_unit(", '"万元"', ",", "1", "0", "0.5", "1e9", "1e999999", " ", "true", "false"])
EXPRESSIONS = st.lists(TOKENS, max_size=40).map(" ".join)


@given(st.one_of(EXPRESSIONS, st.text(max_size=60)))
def test_the_rule_parser_refuses_in_chinese_or_compiles(text: str) -> None:
    try:
        parse_expression(text)
        compile_rule(Rule(id="fuzz", expr=text, severity="warning", message="fuzz"), CATALOGUE)
    except CatalogueError as exc:
        assert exc.message


@pytest.mark.parametrize("text", ["(" * 5000 + "1" + ")" * 5000, "-" * 5000 + "1", "not " * 3000 + "1",
                                  "abs(" * 2000 + "1" + ")" * 2000, "1" + "+1" * 3000])
def test_deeply_nested_or_long_rules_are_refused(text: str) -> None:
    with pytest.raises(CatalogueError, match="嵌套|过长"):
        parse_expression(text)


NUMERIC = [r for r in CATALOGUE.value_rows if r.is_numeric]
CELL = st.one_of(st.text(max_size=30), st.decimals(allow_nan=True, allow_infinity=True).map(str),
                 st.integers(-10**25, 10**25).map(str), st.sampled_from(["1e100", "sNaN", "1e999999999", "9" * 400]))


@given(st.sampled_from(NUMERIC + [r for r in CATALOGUE.value_rows if not r.is_numeric]), CELL)
def test_a_cell_is_refused_or_fits_both_databases(row, raw: str) -> None:  # type: ignore[no-untyped-def]
    try:
        value = row.parse(raw)
    except InvalidValue as exc:
        assert exc.message
        return
    if isinstance(value, Decimal):
        # tables.DataValue: 20 digits, 4 decimal places; within the row's bound.
        assert value.copy_abs() <= row.max_value
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int) and -exponent <= 4
        assert len(value.quantize(Decimal("0.0001")).as_tuple().digits) <= 20
    elif isinstance(value, str):
        assert "\x00" not in value and len(value) <= 2000
