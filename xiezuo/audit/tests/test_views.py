"""The upload page: the report's text with findings highlighted in place and listed beside it."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xiezuo.accounts.services import demo_password

URL = "/audit/org/620422/2023/"


def _login(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": demo_password()}).status_code == 302
    return client


def _upload(text: str, name: str = "会宁县自评报告.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


@pytest.mark.django_db
def test_clerk_sees_findings_in_place(demo, seed_text):
    client = _login("huining-clerk")
    page = client.get(URL)
    assert page.status_code == 200 and "报告核查" in page.content.decode()
    response = client.post(URL, {"report": _upload(seed_text), "min_confidence": "0"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "发现 7 个问题" in html
    # The training figure is highlighted in the text and explained beside it.
    marks = re.findall(r'<mark id="(q\d+)" class="sev-(\w+)" data-findings="([^"]+)"[^>]*>([^<]*)</mark>', html)
    assert any("培训农村劳动力人数617人" in text.replace(" ", "") for _, _, _, text in marks)
    assert "统计表「培训农村劳动力人数」为 790人次" in html
    assert "指标「培训农村劳动力人数」" in html and "train_people" not in html  # the printed label, not the code
    assert 'data-confidence="0.55"' in html  # low ones are listed; the page's filter hides them


@pytest.mark.django_db
def test_reviewer_audits_a_county_below(demo, seed_text):
    client = _login("baiyin-reviewer")
    page = client.get("/audit/org/620400/2023/")
    assert '<option value="620422"' in page.content.decode()
    response = client.post("/audit/org/620400/2023/", {"report": _upload(seed_text), "unit": "620422"})
    assert "会宁县 · 2023 年度自评报告核查" in response.content.decode()
    assert "612.3725" in response.content.decode()


@pytest.mark.django_db
def test_scope_and_bad_files(demo):
    assert _login("jingyuan-clerk").get(URL).status_code == 404
    assert Client().get(URL).status_code == 302  # to the login page
    client = _login("huining-clerk")
    bad = client.post(URL, {"report": SimpleUploadedFile("table.xlsx", b"PK", content_type="application/zip")})
    assert bad.status_code == 400 and "只能核查 txt、docx 或 pdf 文件" in bad.content.decode()
    broken = client.post(URL, {"report": SimpleUploadedFile("report.docx", b"not a zip")})
    assert broken.status_code == 400 and "无法读取 Word 文件" in broken.content.decode()


@pytest.mark.django_db
def test_reviewer_audits_the_report_the_county_submits(demo):
    """The county's own report (drafted paragraphs and its free texts) against its table."""
    from xiezuo.documents.models import Narrative, NarrativeSection
    from xiezuo.documents.services import narrative_save
    from xiezuo.orgunits.models import OrgUnit

    huining = OrgUnit.objects.get(code="620422")
    latest = Narrative.objects.filter(org=huining, year=2023, section=NarrativeSection.INNOVATION).order_by("-version")
    narrative_save(org=huining, year=2023, section=NarrativeSection.INNOVATION, by=None,
                   expected_version=latest[0].version if latest else None,
                   text="（一）稳岗就业。今年举办劳务协作培训班，培训农村劳动力人数650人次。")
    client = _login("baiyin-reviewer")
    page = client.get(URL + "report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "会宁县2023年度东西部协作工作自评报告（本单位撰写部分）" in html
    assert "650" in html and "790人次" in html  # the free text against the table's 培训农村劳动力人数
    assert 'href="/audit/org/620422/2023/report/"' in _login("huining-clerk").get(
        "/org/620422/2023/submission/").content.decode()
    assert _login("jingyuan-clerk").get(URL + "report/").status_code == 404
