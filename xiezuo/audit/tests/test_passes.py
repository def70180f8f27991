"""The structure passes and checks added with the clause model, each on a sentence of its own."""

from __future__ import annotations

from xiezuo.audit.extract import extract
from xiezuo.audit.reader import document_from_text
from xiezuo.audit.tests.helpers import run


def _lists(text: str) -> list[tuple[int, int, bool]]:
    ex = extract(document_from_text(text), report_year=2023)
    return [(int(lst.count.value), len(lst.items), lst.before) for lst in ex.lists]


def test_counts_stated_after_the_list_or_before_a_colon():
    assert _lists("组织西吉中学、西吉回民中学、将台堡中学两所学校与泉州学校结对。") == [(2, 3, True)]
    assert _lists("建设育苗区、种植区、加工区、仓储区、展销区、研学区六大功能区。") == [(6, 6, True)]
    assert _lists("规划四大功能区：育苗区、种植区、加工区、研学区。") == [(4, 4, False)]
    # A list of places where something was built is not a count of those places.
    assert _lists("在河西坡村、苟岷村建立示范点3个。") == []


def test_overlapping_categories_are_not_added_but_other_makes_a_list_complete():
    overlapping = run("帮扶西部县1个，其中脱贫县1个、国家乡村振兴重点帮扶县1个。", {"pair_west_counties": "1"})
    assert not [f for f in overlapping.findings if f.check == "sum"]
    complete = run("培训农村劳动力2140人次，其中脱贫劳动力1350人次，监测对象420人次，其他农村劳动力410人次。")
    [finding] = [f for f in complete.findings if f.check == "sum"]
    assert "2180" in finding.message


def test_shares_and_use_rates_recomputed_from_the_text():
    share = run("培训农村劳动力1380人次，其中脱贫劳动力920人次，占比达70.2%。")
    assert [f.check for f in share.findings] == ["rate"] and "66.7%" in share.findings[0].message
    assert not run("培训农村劳动力1380人次，其中脱贫劳动力920人次，占比达66.7%。").findings
    used = run("拨付财政援助资金8800万元，已使用财政援助资金8120万元，资金使用率93.5%。")
    assert [f.check for f in used.findings] == ["rate"] and "92.3%" in used.findings[0].message
    assert not run("拨付财政援助资金8800万元，已使用财政援助资金8120万元，资金使用率92.3%。").findings


def test_a_quantity_restated_without_a_table_row():
    text = "（一）人才\n\n全县培训致富带头人326人次。\n\n（二）创新\n\n开设研修班，培训致富带头人{n}人次。"
    [finding] = run(text.format(n=362)).findings
    assert finding.check == "text_text" and "326" in finding.message and "362" in finding.message
    assert not run(text.format(n=326)).findings


def test_two_subject_claim_names_each_wrong_pair_once():
    text = ("转移就业两万零三百人（2022年19800人），其中脱贫劳动力一万一千二百人（2022年11500人）。"
            "转移就业总量及脱贫劳动力就业人数均超出2022年。")
    [claim] = [f for f in run(text).findings if f.check == "claim"]
    assert "11200" in claim.message and claim.message.count("11200") == 1 and "20300" not in claim.message


def test_a_list_ending_in_deng_claims_no_count():
    ex = extract(document_from_text("组织西吉中学、西吉回民中学等三所学校参加培训。"), report_year=2023)
    assert [lst.partial for lst in ex.lists] == [True]
    assert not run("组织西吉中学、西吉回民中学等三所学校参加培训。").findings
