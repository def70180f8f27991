"""The rule language on its own: parsing, evaluation, safety."""

from decimal import Decimal as D

import pytest

from xiezuo.catalogue.loader import parse_catalogue
from xiezuo.core.errors import CatalogueError
from xiezuo.engine.rules import Env, compile_expression, expression_codes, parse_expression

MINI = """
year = 2023
title = "测试表"
[[rows]]
code = "s1"
kind = "section"
label = "一、测试"
[[rows]]
code = "total"
parent = "s1"
label = "总数"
unit = "人"
value = "int"
[[rows]]
code = "a"
parent = "total"
relation = "part"
label = "甲"
unit = "人"
value = "int"
[[rows]]
code = "b"
parent = "total"
relation = "part"
label = "乙"
unit = "人"
value = "int"
[[rows]]
code = "wan"
parent = "s1"
label = "投资"
unit = "万元"
value = "decimal"
places = 2
[[rows]]
code = "yi"
parent = "s1"
label = "投资（亿元）"
unit = "亿元"
value = "decimal"
places = 4
"""


@pytest.fixture
def cat():
    return parse_catalogue(MINI)


def run(expr, cat, values, previous=None):
    return compile_expression(parse_expression(expr), cat)(Env(values, previous))


def test_arithmetic_and_precedence(cat):
    assert run("1 + 2 * 3", cat, {}) == D(7)
    assert run("(1 + 2) * 3", cat, {}) == D(9)
    assert run("-a + 10", cat, {"a": D(3)}) == D(7)
    assert run("10 / 4", cat, {}) == D("2.5")


def test_comparisons_and_logic(cat):
    assert run("a <= total and b >= 0", cat, {"a": D(1), "b": D(2), "total": D(3)}) is True
    assert run("a > total or b == 2", cat, {"a": D(1), "b": D(2), "total": D(3)}) is True
    assert run("not a != 1", cat, {"a": D(1)}) is True


def test_missing_value_makes_result_unknown(cat):
    assert run("a <= total", cat, {"a": D(1)}) is None
    # ...but a definite false side decides an "and"
    assert run("a > 5 and total > 0", cat, {"a": D(1)}) is False


def test_functions(cat):
    values = {"a": D(1), "b": D(2), "total": D(4), "wan": D(6907), "yi": D("0.6907")}
    assert run("sum_parts(total)", cat, values) == D(3)
    assert run("sum_children(total)", cat, values) == D(3)
    assert run("abs(a - b)", cat, values) == D(1)
    assert run("round(10 / 3, 2)", cat, values) == D("3.33")
    assert run("min(a, b, total)", cat, values) == D(1)
    assert run("max(a, b, total)", cat, values) == D(4)
    assert run('in_unit(yi, "万元") == wan', cat, values) is True
    assert run('in_unit(wan, "亿元")', cat, values) == D("0.6907")
    assert run("if(a > b, a, b)", cat, values) == D(2)
    assert run("prev(total)", cat, values, {"total": D(9)}) == D(9)
    assert run("total >= prev(total)", cat, values, {}) is None


def test_division_by_zero_is_unknown(cat):
    assert run("a / total", cat, {"a": D(1), "total": D(0)}) is None


@pytest.mark.parametrize(
    "expr",
    ["__import__('os')", "a.__class__", "open(1)", "a; b", "a ** 2", "lambda: 1", "a[0]", "eval(a)"],
)
def test_anything_outside_the_whitelist_is_refused(cat, expr):
    with pytest.raises(CatalogueError):
        compile_expression(parse_expression(expr), cat)


def test_unknown_row_and_bad_arguments_are_refused(cat):
    with pytest.raises(CatalogueError, match="不存在的行"):
        compile_expression(parse_expression("nosuchrow > 1"), cat)
    with pytest.raises(CatalogueError, match="in_unit"):
        compile_expression(parse_expression('in_unit(total, "万元")'), cat)
    with pytest.raises(CatalogueError, match="没有数值子项"):
        compile_expression(parse_expression("sum_parts(a)"), cat)
    with pytest.raises(CatalogueError, match="应为「\\)」"):
        parse_expression("abs(a")


def test_expression_codes():
    assert expression_codes("a + prev(b) - sum_parts(c) > a") == ["a", "b", "c"]
