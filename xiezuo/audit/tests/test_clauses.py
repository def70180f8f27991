"""The clause model's passes, one by one, and what `xiezuo audit --facts` shows of them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from xiezuo.audit import clauses
from xiezuo.audit.extract import extract
from xiezuo.audit.reader import document_from_text
from xiezuo.cli import app


def _clauses(text: str) -> list[clauses.Clause]:
    cl = clauses.split(text, 0)
    clauses.carry_subject(cl, text)
    clauses.carry_scope(cl, text)
    return cl


def test_split_keeps_sentences_apart():
    cl = clauses.split("甲1人，乙2人；丙3人。丁4人", 0)
    assert [c.sentence for c in cl] == [0, 0, 1, 2]


def test_subject_is_carried_until_the_sentence_ends_or_the_county_speaks():
    text = "在城关镇易地扶贫搬迁安置区援建帮扶车间2个，吸纳就业86人，全县吸纳就业620人。吸纳就业30人。"
    assert [c.subject for c in _clauses(text)] == ["relocation", "relocation", None, None]
    assert clauses.subject_of("津镇共建产业园引导入驻企业9家") == "park"
    assert clauses.subject_of("肉牛养殖项目完成投资3200万元") == "project"


def test_scope_is_carried_across_a_list_until_another_scope_word():
    text = "新增到东部就业218人，省内就近就业580人，到其他地区就业1109人；累计转移就业2641人，其中脱贫1人。"
    assert [c.scope for c in _clauses(text)] == ["new", "new", "new", "cumulative", "cumulative"]
    assert clauses.scope_before("截至目前，今年新增") == "new"


def test_side_of_the_speaker():
    west, east = ("通渭县", "通渭"), ("红桥区", "红桥")
    assert clauses.side("我县选派党政干部3名赴红桥区挂职交流", west, east) == "w2e"
    assert clauses.side("红桥区选派党政干部5名到我县挂职", west, east) == "e2w"
    assert clauses.side("全县选派干部2人赴西青区挂职", west, ()) == "w2e"
    assert clauses.side("宁海县选派党政干部6人到紫云挂职", ("紫云县", "紫云"), ("宁海县", "宁海")) == "e2w"
    assert clauses.side("举办培训班3期", west, east) is None


def test_figures_get_their_clause_context():
    ex = extract(document_from_text("今年新增帮助农村劳动力到东部就业620人，省内就近就业1840人。"
                                    "在屯字镇易地扶贫搬迁集中安置区援建帮扶车间两个，吸纳就业一百二十人。"), report_year=2023)
    got = {f.text: (f.scope, f.subject) for f in ex.figures}
    assert got["620人"] == got["1840人"] == ("new", None)
    assert got["两个"] == got["一百二十人"] == (None, "relocation")


@pytest.mark.parametrize(("year", "text"), [
    (2023, "帮助农村劳动力转移就业9860人，比2022年多420人（2022年9440人）。"),
    (2024, "转移就业九千八百六十人，较上年增加420人（上年9440人）。"),
])
def test_comparison_attaches_to_the_level_not_the_change(year: int, text: str):
    ex = extract(document_from_text(text), report_year=year)
    level, delta, prior = ex.figures
    assert delta.delta and prior.relation == "comparison" and prior.parent == level.id
    assert prior.year == year - 1 and [c.delta for c in ex.claims] == [delta]


@pytest.mark.django_db
def test_facts_show_subject_side_scope_and_year(tmp_path):
    path = tmp_path / "通渭县.txt"
    path.write_text("通渭县2023年度东西部协作工作自评报告\n\n"
                    "今年新增帮助农村劳动力到东部就业620人，省内就近就业1840人（上年1700人）。"
                    "我县选派党政干部3名赴红桥区挂职交流。在安置区援建帮扶车间2个，吸纳就业86人。\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", str(path), "--year", "2023", "--facts", "--format", "json"])
    assert result.exit_code == 0, result.output
    facts = {f["text"]: f for f in json.loads(result.stdout)}
    assert facts["1840人"]["scope"] == "new" and facts["1840人"]["year"] == 2023
    assert facts["1700人"]["year"] == 2022
    assert facts["3名"]["side"] == "w2e"
    assert facts["86人"]["subject"] == "relocation"
