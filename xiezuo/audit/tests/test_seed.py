"""The seed report against the demo table: its real slips are found, its consistent figures are not flagged."""

from __future__ import annotations

import pytest

from xiezuo.audit.audit import audit_document
from xiezuo.audit.reader import document_from_text
from xiezuo.audit.selectors import audit_context_for, audit_table_for
from xiezuo.catalogue.registry import get_catalogue


@pytest.fixture
def seed_audit(huining, seed_text):
    return audit_document(document_from_text(seed_text, source="seed.txt"), catalogue=get_catalogue(2023),
                          table=audit_table_for(huining, 2023), context=audit_context_for(huining, 2023))


def _find(findings, check, *words):
    return [f for f in findings if f.check == check and all(w in f.message for w in words)]


@pytest.mark.django_db
def test_seed_real_contradictions_are_found(seed_audit):
    fs = seed_audit.findings
    [training] = _find(fs, "text_table", "617", "790")
    assert training.row == "train_people" and training.confidence >= 0.8
    [goods] = _find(fs, "text_table", "605.3975", "612.3725")
    assert goods.row == "social_goods"
    [count] = _find(fs, "count", "5家", "4 项")
    assert "会宁依禾粮油蔬菜有限公司" in count.message and "1160" in count.message
    assert _find(fs, "name", "甘肃善荞农业发展有限公司", "甘肃善莽农业发展有限公司")
    [village] = _find(fs, "name", "线川家村", "线川村")
    assert village.confidence < 0.8
    [invest] = _find(fs, "text_text", "甘肃牛墩墩农业发展有限公司", "1014", "1537")
    [environment] = _find(fs, "text_table", "434", "249")
    assert environment.confidence <= 0.6  # the text lists project categories, the table uses
    for f in fs:
        assert f.quotes and all(q["text"] for q in f.quotes)
        if f.check in ("text_table", "text_text", "name"):
            assert len(f.quotes) >= 2


@pytest.mark.django_db
def test_seed_consistent_figures_are_not_flagged(seed_audit):
    fs = seed_audit.findings
    assert not [f for f in fs if f.check in ("sum", "claim")]  # 10 = 4+1+5, 5590, 2641, 2287, 6907, 234, 139, 31…
    for figure in ("1.2亿元", "6907", "5590", "234", "139", "31", "2641", "2287", "10次"):
        assert not [f for f in fs if figure in f.message], figure
    assert len(fs) == 7
    mapped = {f.row for f in seed_audit.extraction.figures if f.row}
    assert {"meet_gov", "labour_local_poor", "consumption_sales", "region_invest", "pro_w2e", "cadre_w2e"} <= mapped
