"""Saving the report's texts: versions, optimistic locking, change records."""

import datetime as dt

import pytest

from xiezuo.core.errors import InvalidValue, StaleEdit
from xiezuo.core.models import ChangeRecord
from xiezuo.documents.models import CoverLetter, Narrative, NarrativeSection
from xiezuo.documents.selectors import document_texts
from xiezuo.documents.services import (
    cover_letter_save,
    doc_number_normalise,
    narrative_save,
    typical_case_remove,
    typical_case_save,
)


def _cover(org, expected, **over):
    fields = dict(
        issuer_mark="某县文件", doc_number="某办发[2024]3号", title="关于报送的报告", recipient="某市",
        body="现将报告随文上报，请审示。", signatory="某县办公室", signed_on=dt.date(2024, 11, 1),
    )
    fields.update(over)
    return cover_letter_save(org=org, year=2024, by=None, expected_version=expected, **fields)


def test_demo_texts_are_loaded(huining):
    texts = document_texts(huining, 2023)
    assert texts.cover.doc_number == "会农领办发〔2023〕51号"
    assert texts.cover.recipient.endswith("：")
    assert texts.narrative_text(NarrativeSection.INNOVATION).startswith("按照远期和近期目标")
    assert texts.narrative_text(NarrativeSection.PROBLEMS).startswith("今年以来")
    assert [c.title for c in texts.cases][0].startswith("会宁县第五中学")
    assert len(texts.cases) == 2


def test_each_save_is_a_new_version_and_stale_saves_are_refused(huining):
    first = _cover(huining, 0)
    assert first.version == 1 and first.doc_number == "某办发〔2024〕3号" and first.recipient == "某市："
    second = _cover(huining, 1, title="关于报送自评报告的报告")
    assert second.version == 2
    with pytest.raises(StaleEdit):
        _cover(huining, 1, title="基于旧版本的修改")
    assert CoverLetter.objects.filter(org=huining, year=2024).count() == 2
    assert document_texts(huining, 2024).cover.title == "关于报送自评报告的报告"
    rec = ChangeRecord.objects.filter(action="cover_letter.save", object_key="620422/2024").first()
    assert rec.old["title"] == "关于报送的报告" and rec.new["title"] == "关于报送自评报告的报告"


def test_doc_number_must_read_like_one():
    assert doc_number_normalise("会农领办发（2023）51号") == "会农领办发〔2023〕51号"
    assert doc_number_normalise("") == ""
    with pytest.raises(InvalidValue) as exc:
        doc_number_normalise("51号文")
    assert "发文字号" in exc.value.full_message


def test_narratives_version_and_lock(huining):
    n1 = narrative_save(org=huining, year=2024, section="innovation", text="一稿", by=None, expected_version=0)
    n2 = narrative_save(org=huining, year=2024, section="innovation", text="二稿", by=None, expected_version=1)
    assert (n1.version, n2.version) == (1, 2)
    with pytest.raises(StaleEdit):
        narrative_save(org=huining, year=2024, section="innovation", text="旧", by=None, expected_version=1)
    assert document_texts(huining, 2024).narrative_text("innovation") == "二稿"
    assert Narrative.objects.filter(org=huining, year=2024).count() == 2


def test_cases_add_edit_remove(huining):
    a = typical_case_save(org=huining, year=2024, number=None, title="甲", text="甲文", by=None, expected_version=0)
    b = typical_case_save(org=huining, year=2024, number=None, title="乙", text="乙文", by=None, expected_version=0)
    assert (a.number, b.number) == (1, 2)
    typical_case_save(org=huining, year=2024, number=1, title="甲（修改）", text="甲文", by=None, expected_version=1)
    with pytest.raises(StaleEdit):
        typical_case_save(org=huining, year=2024, number=1, title="甲旧", text="", by=None, expected_version=1)
    typical_case_remove(org=huining, year=2024, number=2, by=None, expected_version=1)
    assert [c.title for c in document_texts(huining, 2024).cases] == ["甲（修改）"]
    assert ChangeRecord.objects.filter(action="typical_case.remove").count() == 1
