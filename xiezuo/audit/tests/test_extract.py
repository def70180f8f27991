from decimal import Decimal

from xiezuo.audit.extract import extract
from xiezuo.audit.reader import document_from_text


def figs(text: str):
    ex = extract(document_from_text(text), report_year=2023)
    return ex, [f for f in ex.figures if f.relation != "implied"]


def test_numbers_units_and_multipliers():
    _, fs = figs("全年帮助销售农特产品1.2亿元，动员社会力量投入698.4475万元，资金使用比例90.99%，共建三十五个示范点，惠及73.1万人。")
    got = [(f.value, f.unit) for f in fs]
    assert got == [(Decimal("1.2"), "亿元"), (Decimal("698.4475"), "万元"), (Decimal("90.99"), "%"),
                   (Decimal("35"), "个"), (Decimal("73.1"), "万人")]


def test_words_that_are_not_figures():
    _, fs = figs("帮扶 1-6 个月 7 人，第六届活动，一对一结对，2023年4月18日召开，陇豆78-1，29个项目。")
    assert [(f.text.strip(), f.unit) for f in fs] == [("7 人", "人"), ("29个", "个")]


def test_qizhong_children_and_comparisons():
    ex, fs = figs("实现转移就业2641人(2022年2625人)，其中脱贫人口2287人(2022年2271人)。")
    total, prev, poor, poor_prev = fs
    assert prev.relation == "comparison" and prev.parent == total.id and prev.year == 2022
    assert poor.relation == "child" and poor.parent == total.id
    assert poor_prev.parent == poor.id


def test_qizhong_list_with_dunhao_and_semicolons():
    _, fs = figs("共召开 10 次会议，其中，政府常务会 4 次、县委常委会 1 次、领导小组会 5 次。")
    assert [f.parent for f in fs[1:]] == [fs[0].id] * 3
    _, fs = figs("投入资金500万元。其中产业类300万元；教育类150万元；其他类50万元。")
    assert all(f.relation == "child" and f.parent == fs[0].id for f in fs[1:])


def test_qizhong_stops_at_another_kind_of_figure():
    _, fs = figs("吸纳就业 81 人，其中脱贫户 14 人，土地流转 57 户，分红 235 人。")
    assert fs[1].parent == fs[0].id
    assert fs[2].parent is None and fs[3].parent is None


def test_parenthesised_breakdown_and_entities():
    _, fs = figs("选派 31 名专技人才，其中，支教教师 19 人（帮扶 1-6 个月 7 人、帮扶 7-12 个月 4 人、帮扶 12 个月以上 8 人）。")
    teachers = next(f for f in fs if f.value == 19)
    assert [f.value for f in fs if f.parent == teachers.id] == [7, 4, 8]
    assert all(f.approx is None for f in fs)
    ex, fs = figs("甘肃某某农业发展有限公司实际到位投资额 1014 万元，吸纳就业 21 人；会宁某某食品有限公司实际到位投资额 500 万元。")
    assert [f.entity.name for f in fs] == ["甘肃某某农业发展有限公司"] * 2 + ["会宁某某食品有限公司"]


def test_bounds_and_approximations():
    _, fs = figs("投资 1000 万元以上企业 5 家，开展活动500余场次，协议投资逾 110 亿元，共签约 76 个项目。")
    assert [f.approx for f in fs] == ["at_least", None, "at_least", "at_least", None]


def test_counted_lists_and_totals():
    ex, _ = figs("引进大豆新品种3个，分别为：陇豆78-1、陇豆22-17、蒙豆15，示范面积15亩以上。")
    assert len(ex.lists) == 1 and len(ex.lists[0].items) == 3
    ex, _ = figs("甲农业有限公司实际到位投资额 100 万元；乙食品有限公司实际到位投资额 200 万元；共计实际投资额 300 万元。")
    assert [p.value for p in ex.totals[0].parts] == [100, 200]


def test_headings_and_joined_page_breaks():
    doc = document_from_text("一、年度任务完成情况\n\n（二）就业\n\n1. 劳务协作。截至目前，转移就业\n\n2641人。\n")
    ex = extract(doc, report_year=2023)
    f = ex.figures[0]
    assert f.heading == ("一、年度任务完成情况", "（二）就业", "1.劳务协作")
    assert f.pre.endswith("转移就业")
    assert doc.text[f.start:f.end] == "2641人"
