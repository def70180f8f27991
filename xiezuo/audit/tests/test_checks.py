"""Every check on a contradiction and on its consistent twin, in the wording of different counties."""

from __future__ import annotations

import pytest

from xiezuo.audit.tests.helpers import checks, run

# ---------------------------------------------------------------- text against table


def test_text_against_table_flags_a_different_value():
    r = run("2023年，累计举办劳务协作培训班12期，培训农村劳动力人数420人。",
            {"train_classes": "12", "train_people": "560", "train_poor": "420"})
    [f] = [f for f in r.findings if f.check == "text_table"]
    assert f.row == "train_people" and "420" in f.message and "560" in f.message
    assert "其中：脱贫劳动力数" in f.message  # the text's figure is the table's 其中 row
    assert f.confidence >= 0.8 and len(f.quotes) == 2


def test_text_against_table_consistent_twin():
    r = run("全年共举办劳务协作培训班十二期，培训农村劳动力人数560人次，其中脱贫劳动力数420人次。",
            {"train_classes": "12", "train_people": "560", "train_poor": "420"})
    assert checks(r) == []


@pytest.mark.parametrize("sentence", [
    "帮助销售农特产品销售金额1.2亿元。",  # rounding announced by one decimal
    "东部省份采购、帮助销售农副产品金额达12019万元。",  # 万元 ↔ 亿元
    "消费帮扶金额约1.2亿元。",
])
def test_units_and_rounding_are_consistent(sentence):
    assert checks(run(sentence, {"consumption_sales": "1.2019"})) == []


def test_units_converted_when_they_disagree():
    r = run("通过消费帮扶帮助销售农特产品1.5亿元。", {"consumption_sales": "1.2019"})
    [f] = r.findings
    assert f.check == "text_table" and "1.5亿元" in f.message and "1.2019亿元" in f.message


def test_total_including_goods_matches_cash_row():
    text = "动员社会力量投入帮扶资金 698.4475 万元（其中捐物折款 605.3975 万元）。"
    assert checks(run(text, {"social_funds": "93.05", "social_goods": "605.3975"})) == []
    r = run(text, {"social_funds": "93.05", "social_goods": "612.3725"})
    assert [(f.check, f.row) for f in r.findings] == [("text_table", "social_goods")]


def test_direction_decides_between_east_and_west_rows():
    text = "和平区选派 31 名专技人才到会宁县挂职，会宁县选派 48 名专技人才到和平区挂职。"
    assert checks(run(text, {"pro_e2w": "31", "pro_w2e": "48"})) == []
    r = run(text, {"pro_e2w": "31", "pro_w2e": "40"})
    assert [f.row for f in r.findings] == ["pro_w2e"]


def test_entity_figures_and_sub_breakdowns_are_not_county_totals():
    text = ("其中甲农业有限公司吸纳就业 81 人。和平区选派专技人才 31 人，其中，支教教师 19 人"
            "（帮扶 1-6 个月 7 人、帮扶 7-12 个月 4 人、帮扶 12 个月以上 8 人），支医医生 12 人。")
    assert checks(run(text, {"region_jobs": "234", "pro_e2w": "31", "pro_e2w_1_6": "14"})) == []


def test_pairing_is_not_a_demonstration_village():
    text = "完成2个街道与乡镇结对、2个社区与共建乡村振兴示范村结对，共建 5 个乡村振兴示范村。"
    assert checks(run(text, {"pair_east_towns": "2", "demo_started": "5"})) == []


# ---------------------------------------------------------------- text against text


def test_same_entity_two_values():
    text = ("甘肃某牛业发展有限公司实际到位投资额 1014 万元，吸纳就业 21 人。\n"
            "二、工作创新情况\n引进落地甘肃某牛业发展有限公司建设肉牛产业园，计划投资1600万元，已到位资金1537万元。")
    r = run(text)
    [f] = [f for f in r.findings if f.check == "text_text"]
    assert "1014" in f.message and "1537" in f.message and len(f.quotes) == 2


def test_same_entity_planned_and_actual_are_different_quantities():
    text = ("甘肃某牛业发展有限公司实际到位投资额 1537 万元。\n"
            "引进落地甘肃某牛业发展有限公司，项目一期计划投资1600万元，已到位资金1537万元，占地120亩。")
    assert checks(run(text)) == []


def test_same_row_stated_twice():
    text = "2023年和平区投入财政帮扶资金5590万元。\n四、资金\n全年到位财政援助资金5950万元，启动项目29个。"
    r = run(text)
    assert [f.check for f in r.findings] == ["text_text"]
    assert "5590" in r.findings[0].message and "5950" in r.findings[0].message
    assert checks(run(text.replace("5950", "5590"))) == []


# ---------------------------------------------------------------- sums


def test_qizhong_parts_exceed_total():
    r = run("县委、县政府共召开 9 次会议研究部署东西部协作工作，其中，政府常务会 4 次、县委常委会 1 次、领导小组会 5 次。")
    assert checks(r) == ["sum"] and "10次" in r.findings[0].message


def test_qizhong_parts_add_up():
    assert checks(run("全年召开会议10次，其中：政府常务会议4次、党委常委会会议1次、领导小组会议5次。")) == []


def test_exhaustive_list_with_other_falls_short():
    text = "投入财政帮扶资金5590万元。其中产业培育类项目3380万元；教育培训类项目889.2万元；其他类280万元。"
    r = run(text)
    assert checks(r) == ["sum"] and "少于" in r.findings[0].message
    assert checks(run(text.replace("5590", "4549.2"))) == []


def test_partial_qizhong_list_is_not_a_contradiction():
    assert checks(run("援建项目联农带农共299户1166人，其中脱贫户71户269人，监测户21户86人，人均增收500元以上。")) == []


def test_parenthesised_breakdown():
    base = "选派专技人才 31 人，其中，支教教师 19 人（帮扶 1-6 个月 7 人、帮扶 7-12 个月 4 人、帮扶 12 个月以上 {n} 人），支医医生 6 人，科技人员 6 人。"
    assert checks(run(base.format(n=8))) == []
    r = run(base.format(n=9))
    assert checks(r) == ["sum"] and "20人" in r.findings[0].message


def test_breakdown_by_destination():
    text = ("截至目前，实现转移就业2641人(2022年2625人)，其中脱贫人口2287人(2022年2271人)。按就业去向分布：赴津就业235人"
            "(均为脱贫人口，2022年232人)，就近就地就业{local}人(其中脱贫人口472人，2022年468人)，其他地区就业1580人(均为脱贫人口)。")
    assert checks(run(text.format(local=826))) == []
    r = run(text.format(local=862))
    assert checks(r) == ["sum"] and "2677" in r.findings[0].message


def test_poor_people_across_destinations():
    text = ("转移就业2641人，其中脱贫人口{poor}人。按去向分：赴津就业235人(均为脱贫人口)，就近就业826人(其中脱贫人口472人)，"
            "其他地区就业1580人(均为脱贫人口)。")
    assert checks(run(text.format(poor=2287))) == []
    r = run(text.format(poor=2278))
    assert checks(r) == ["sum"] and "2287" in r.findings[0].message


def test_total_over_enterprise_items():
    text = ("甲农业发展有限公司实际到位投资额 1565 万元，吸纳就业 81 人；乙食品有限公司实际到位投资额 1533 万元，吸纳就业 24 人；"
            "丙科技有限公司实际到位投资额 500 万元，吸纳就业 35 人；共计实际投资额 {total} 万元，吸纳农村劳动力数 140 人。")
    assert checks(run(text.format(total=3598))) == []
    r = run(text.format(total=3698))
    assert checks(r) == ["sum"] and "3598" in r.findings[0].message


# ---------------------------------------------------------------- stated count vs items


def test_count_against_listed_names():
    text = "新增引导 6 家企业落地，投资 1000 万元以上企业 {n} 家，分别是甲农业发展有限公司、乙贸易有限公司、丙农业发展有限公司、丁农业发展有限公司。"
    r = run(text.format(n=5))
    assert checks(r) == ["count"] and "4 项" in r.findings[0].message
    assert checks(run(text.format(n=4))) == []
    assert checks(run("共建示范村三个，分别为田家坪村、杨崖集村和道口村。")) == []
    assert checks(run("引进企业 5 家，分别是甲公司、乙公司等。")) == []  # 等: not a complete list
    assert checks(run("建成 3 个示范点，分别为河西坡村、苟岷村。")) == ["count"]
    assert checks(run("建成 2 个示范点，分别为河西坡村、苟岷村。")) == []


def test_count_names_the_enterprise_left_out():
    text = ("投资 1000 万元以上企业 3 家，分别是甲农业发展有限公司、乙贸易有限公司。其中甲农业发展有限公司实际到位投资额 1565 万元；"
            "乙贸易有限公司实际到位投资额 1200 万元；丙粮油有限公司实际到位投资额 1160 万元；丁科技有限公司实际到位投资额 500 万元。")
    [f] = run(text).findings
    assert "丙粮油有限公司" in f.message and "丁科技有限公司" not in f.message


# ---------------------------------------------------------------- names


def test_names_one_character_apart():
    text = "引进甘肃善荞农业发展有限公司建设加工厂。\n在小杂粮产业上，引进落地甘肃善莽农业发展有限公司建设特色杂粮方便食品加工厂。"
    r = run(text)
    assert checks(r) == ["name"] and r.findings[0].confidence >= 0.8
    assert checks(run(text.replace("善莽", "善荞"))) == []


def test_village_names():
    r = run("线川家村：红色旅游康养村。\n捐助 12 万元用于丁家沟镇线川村开展助学助困。")
    assert checks(r) == ["name"] and r.findings[0].confidence < 0.8
    # Two villages named side by side are two villages.
    assert checks(run("在河西坡村、河西沟村建立示范点2个。")) == []
    # 第一中学 and 第二中学 are different schools.
    assert checks(run("会宁县第一中学与会宁县第二中学结对。\n会宁县第一中学开展活动。")) == []


# ---------------------------------------------------------------- claims


def test_claim_against_both_years():
    text = "转移就业{a}人(2022年2625人)，其中脱贫人口2287人(2022年2271人)，转移就业总体规模及脱贫人口转移就业人数均超出2022年度。"
    assert checks(run(text.format(a=2641))) == []
    r = run(text.format(a=2600))
    assert checks(r) == ["claim"] and "2600" in r.findings[0].message and "2625" in r.findings[0].message


def test_claim_with_a_percentage():
    text = "帮助销售农特产品3456万元（2022年2880万元），较2022年增长{p}%。"
    assert checks(run(text.format(p=20))) == []
    r = run(text.format(p=25))
    assert checks(r) == ["claim"] and "20%" in r.findings[0].message


def test_claim_of_decrease():
    text = "监测户返贫风险人数{a}人（上年同期86人），较上年减少。"
    assert checks(run(text.format(a=60))) == []
    assert checks(run(text.format(a=90))) == ["claim"]


def test_parallel_totals_each_with_its_own_qizhong():
    text = "全年新增帮助农村劳动力到东部就业356人，其中脱贫劳动力288人；省内就近就业1024人，其中脱贫劳动力615人。"
    assert checks(run(text)) == []
    result = run(text, {"labour_east": "410", "labour_new_east": "356"})
    assert [f for f in result.findings if f.confidence >= 0.8] == []  # 新增 is not the running total


def test_single_qizhong_above_its_total():
    r = run("培训农村劳动力人数560人次，其中脱贫劳动力数620人次。")
    assert checks(r) == ["sum"] and "620人次" in r.findings[0].message
    assert checks(run("培训农村劳动力人数560人次，其中脱贫劳动力数420人次。")) == []
