"""The report page and downloads: permissions through accounts.scope, saves through the services."""

import io

import pytest
from django.contrib.auth import get_user_model
from docx import Document

from xiezuo.documents.selectors import document_texts


def _client(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_clerk_downloads_the_docx(demo, client):
    c = _client(client, "huining-clerk")
    page = c.get("/documents/620422/2023/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "会农领办发〔2023〕51号" in text and "已拨付到位财政援助资金5590万元" in text
    response = c.get("/documents/620422/2023/report.docx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "%E4%BC%9A%E5%AE%81%E5%8E%BF2023" in response["Content-Disposition"]  # 会宁县2023…
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    assert any(p.text == "会农领办发〔2023〕51号" for p in doc.paragraphs)


@pytest.mark.parametrize("url", ["/documents/620422/2023/", "/documents/620422/2023/report.docx"])
def test_other_county_gets_404(demo, client, url):
    assert _client(client, "jingyuan-clerk").get(url).status_code == 404


def test_city_reviewer_reads_the_city_report(demo, client):
    c = _client(client, "baiyin-reviewer")
    assert c.get("/documents/620400/2023/").status_code == 200
    assert c.get("/documents/620422/2023/report.docx").status_code == 200
    # Reading is not writing: the reviewer cannot change the county's texts.
    r = c.post("/documents/620422/2023/narrative/problems/", {"text": "改", "version": "1"})
    assert r.status_code == 404


def test_clerk_saves_a_narrative_and_a_stale_save_is_refused(demo, client, huining):
    c = _client(client, "huining-clerk")
    version = document_texts(huining, 2023).narrative_version("problems")
    r = c.post("/documents/620422/2023/narrative/problems/", {"text": "新的问题与建议。", "version": str(version)},
               follow=True)
    assert "已保存" in r.content.decode()
    assert document_texts(huining, 2023).narrative_text("problems") == "新的问题与建议。"
    r = c.post("/documents/620422/2023/narrative/problems/", {"text": "旧稿", "version": str(version)}, follow=True)
    assert "未保存" in r.content.decode()
    assert document_texts(huining, 2023).narrative_text("problems") == "新的问题与建议。"


def test_clerk_adds_and_removes_a_case(demo, client, huining):
    c = _client(client, "huining-clerk")
    c.post("/documents/620422/2023/cases/", {"title": "第三个案例", "text": "正文", "version": "0"})
    cases = document_texts(huining, 2023).cases
    assert [x.title for x in cases][-1] == "第三个案例"
    c.post(f"/documents/620422/2023/cases/{cases[-1].number}/remove/", {"version": str(cases[-1].version)})
    assert len(document_texts(huining, 2023).cases) == 2


def test_bad_doc_number_is_explained(demo, client, huining):
    c = _client(client, "huining-clerk")
    cover = document_texts(huining, 2023).cover
    r = c.post("/documents/620422/2023/cover/", {
        "version": str(cover.version), "issuer_mark": cover.issuer_mark, "doc_number": "51号",
        "title": cover.title, "recipient": cover.recipient, "body": cover.body, "signatory": cover.signatory,
        "signed_on": "2023-11-20",
    }, follow=True)
    assert "发文字号应为" in r.content.decode()
    assert document_texts(huining, 2023).cover.version == cover.version


def test_the_city_writes_its_own_covering_report(demo, client):
    """白银市's reviewer edits the city's own header fields; they are what the city report prints."""
    c = _client(client, "baiyin-reviewer")
    page = c.get("/documents/620400/2023/").content.decode()
    assert "保存报送文件" in page
    response = c.post("/documents/620400/2023/cover/", {
        "version": "0", "issuer_mark": "中共白银市委农村工作领导小组办公室文件", "doc_number": "市农领办发[2023]9号",
        "signer": "赵某", "title": "关于报送《白银市2023年度东西部协作工作自评报告》的报告",
        "recipient": "中共甘肃省委农村工作领导小组", "body": "现将自评报告随文上报，请审示。",
        "signatory": "中共白银市委农村工作领导小组办公室", "signed_on": "2023-12-08",
    })
    assert response.status_code == 302
    from xiezuo.orgunits.models import OrgUnit

    download = c.get("/documents/620400/2023/report.docx")
    doc = Document(io.BytesIO(b"".join(download.streaming_content)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "中共白银市委农村工作领导小组办公室文件"
    assert "市农领办发〔2023〕9号\t签发人：赵某" in texts and "2023年12月8日" in texts
    # A county's clerk cannot write the city's report, nor the city reviewer a county's.
    assert _client(client, "huining-clerk").post("/documents/620400/2023/cover/", {"version": "1"}).status_code == 404
    assert document_texts(OrgUnit.objects.get(code="620400"), 2023).cover.version == 1
    assert _client(client, "baiyin-reviewer").post("/documents/620422/2023/narrative/intro/",
                                                   {"version": "1", "text": "x"}).status_code == 404
