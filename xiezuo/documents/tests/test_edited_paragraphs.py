"""Drafted paragraphs the clerk edits: figures stay bound to their cells unless typed over."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from docx import Document

from xiezuo.core.errors import StaleEdit
from xiezuo.documents.reports import report_docx_bytes
from xiezuo.documents.selectors import document_texts, report_data
from xiezuo.documents.services import drafted_paragraph_save
from xiezuo.tables.services import value_set

KEY = "组织领导/工作推动部署情况。"
ENTERPRISES = "加强区域协作/引导引进东部企业落地情况。"


def _paragraph(org, key):  # type: ignore[no-untyped-def]
    return next(p for part in report_data(org, 2023).draft.parts for p in part.paragraphs if p.key == key)


def _docx_text(org) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(p.text for p in Document(io.BytesIO(report_docx_bytes(org, 2023))).paragraphs)


def test_the_editor_shows_bound_figures_in_brackets(huining):  # type: ignore[no-untyped-def]
    para = _paragraph(huining, KEY)
    assert para.editable_text.startswith("县委、县政府共召开【10次】会议研究部署东西部协作工作，其中，县委常委会【1次】")
    assert para.template.startswith("县委、县政府共召开{meet_party+meet_gov+meet_group}会议")
    assert para.text == para.editable_text.replace("【", "").replace("】", "")


def test_kept_figures_follow_the_table_and_typed_ones_stay(huining):  # type: ignore[no-untyped-def]
    typed = ("县委、县政府高度重视，全年共召开【10次】会议专题研究东西部协作工作，其中县委常委会【1次】、"
             "县政府常务会十次。")
    drafted_paragraph_save(org=huining, year=2023, key=KEY, text=typed, by=None, expected_version=0)
    para = _paragraph(huining, KEY)
    assert para.edited and para.text == typed.replace("【", "").replace("】", "")
    assert "县委、县政府高度重视，全年共召开10次会议" in _docx_text(huining)

    value_set(org=huining, year=2023, code="meet_gov", raw="6", by=None)  # the table changes: 10 → 12
    para = _paragraph(huining, KEY)
    assert para.text.startswith("县委、县政府高度重视，全年共召开12次会议")
    assert "县政府常务会十次" in para.text  # typed over: the user's words, not bound
    assert [b.text for b in para.bindings] == ["12次", "1次"]
    assert "县政府常务会十次" in para.typed and "12次" not in para.typed  # what the audit reads as the user's
    assert "全年共召开12次会议" in _docx_text(huining)


def test_ledger_figures_stay_bound_to_their_records(huining):  # type: ignore[no-untyped-def]
    from xiezuo.ledgers.models import Enterprise

    para = _paragraph(huining, ENTERPRISES)
    edited = para.editable_text.replace("各企业情况：", "引进企业情况如下：")
    drafted_paragraph_save(org=huining, year=2023, key=ENTERPRISES, text=edited, by=None, expected_version=0)
    Enterprise.objects.filter(org=huining, year=2023, name="甘肃善荞农业发展有限公司").update(jobs=9)
    para = _paragraph(huining, ENTERPRISES)
    assert "引进企业情况如下：" in para.text
    assert "甘肃善荞农业发展有限公司实际到位投资1135万元，吸纳就业9人" in para.text


def test_a_stale_save_is_refused_and_nothing_is_stored(huining):  # type: ignore[no-untyped-def]
    drafted_paragraph_save(org=huining, year=2023, key=KEY, text="第一稿【10次】", by=None, expected_version=0)
    with pytest.raises(StaleEdit):
        drafted_paragraph_save(org=huining, year=2023, key=KEY, text="另一人的稿子", by=None, expected_version=0)
    assert document_texts(huining, 2023).paragraphs[KEY].version == 1
    assert _paragraph(huining, KEY).text.startswith("第一稿10次")


def test_an_empty_save_returns_to_the_drafted_text_and_a_vanished_figure_falls_back(huining):  # type: ignore[no-untyped-def]
    drafted_paragraph_save(org=huining, year=2023, key=KEY, text="共召开【10次】会议。", by=None, expected_version=0)
    value_set(org=huining, year=2023, code="meet_group", raw="", by=None)  # a cell the edit depends on is cleared
    data = report_data(huining, 2023)
    assert any("修改稿中的数字已不在统计表或台账中" in w for w in data.warnings)
    drafted_paragraph_save(org=huining, year=2023, key=KEY, text="", by=None, expected_version=1)
    assert not _paragraph(huining, KEY).edited


def test_the_page_keeps_the_typed_text_when_a_save_is_refused(huining, client):  # type: ignore[no-untyped-def]
    client.force_login(get_user_model().objects.get(username="huining-clerk"))
    url = "/documents/620422/2023/drafted/"
    ok = client.post(url, {"key": KEY, "version": "0", "text": "共召开【10次】会议研究东西部协作。"})
    assert ok.status_code == 302
    refused = client.post(url, {"key": KEY, "version": "0", "text": "我刚写的这一稿，共召开【10次】会议。"})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "我刚写的这一稿" in page and "第 1 版" in page
    assert _paragraph(huining, KEY).text == "共召开10次会议研究东西部协作。"
