"""Year-over-year comparison across two hand-made template versions."""

from decimal import Decimal as D

from xiezuo.catalogue.loader import parse_catalogue
from xiezuo.engine.compare import compare_values

HEAD = """
year = {year}
title = "t"
[[rows]]
code = "s"
kind = "section"
label = "一、测试"
"""


def cat(year: int, rows: str):
    return parse_catalogue(HEAD.format(year=year) + rows)


OLD = cat(2022, """
[[rows]]
code = "jobs"
parent = "s"
label = "就业人数（旧表述）"
unit = "人"
value = "int"
[[rows]]
code = "sales"
parent = "s"
label = "销售金额"
unit = "万元"
value = "decimal"
places = 2
[[rows]]
code = "dropped"
parent = "s"
label = "已取消的指标"
unit = "个"
value = "int"
""")

NEW = cat(2023, """
[[rows]]
code = "jobs"
parent = "s"
label = "就业人数"
unit = "人"
value = "int"
[[rows]]
code = "sales"
parent = "s"
label = "销售金额"
unit = "亿元"
value = "decimal"
places = 4
[[rows]]
code = "ratio"
parent = "s"
label = "新增比例"
unit = "%"
value = "percent"
places = 2
""")


def test_rows_are_matched_by_code_and_missing_rows_say_so():
    lines = compare_values(OLD, {"jobs": D(200), "sales": D(12000), "dropped": D(3)},
                           NEW, {"jobs": D(230), "sales": D("1.5"), "ratio": D(90)})
    by = {line.row.code: line for line in lines}
    assert [line.row.code for line in lines] == ["jobs", "sales", "ratio", "dropped"]
    assert by["jobs"].row.label == "就业人数"  # the later template's wording
    assert (by["jobs"].first, by["jobs"].second, by["jobs"].change, by["jobs"].percent) == (D(200), D(230), D(30), D("15.00"))
    # 12000 万元 is 1.2 亿元: compared in the later year's unit.
    assert by["sales"].first == D("1.2") and by["sales"].change == D("0.3") and by["sales"].percent == D("25.00")
    assert by["ratio"].status == "上年模板无此行" and by["ratio"].change is None
    assert by["dropped"].status == "本年模板无此行" and by["dropped"].first == D(3) and by["dropped"].second is None
    assert by["jobs"].as_dict((2022, 2023))["2022"] == "200"


def test_missing_values_and_zero_bases_give_no_percent():
    lines = compare_values(OLD, {"jobs": D(0)}, NEW, {"jobs": D(5)})
    by = {line.row.code: line for line in lines}
    assert by["jobs"].change == D(5) and by["jobs"].percent is None
    assert by["sales"].status == "两年均未填报"
