"""Values that used to break pages: refused where they enter, and no page of any role answers 500.

Hostile numbers (1e100, 19 digits, NaN) and texts (NUL, control characters, over-long, rich
markup, HTML) go in through the same endpoints a user has; afterwards every page, download and
document of every demo account is fetched and none may answer 500.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import Client

from tests.crafted import hostile_csvs, hostile_numbers, odd_but_valid_csvs, xlsx
from xiezuo.cli import app
from xiezuo.cli.common import run_guarded
from xiezuo.ledgers.schema import ledger_of
from xiezuo.tables.models import DataValue
from xiezuo.web.tests.test_scope import ALL_ORGS, COUNTIES, COUNTY_PAGES, PAGES, VISIBLE, page_url

KIND = "fund_projects"
ODD_TEXT = "[/x][bold]<script>alert(1)</script>\t一\n二"


def _version(code: str) -> int:
    dv = DataValue.objects.filter(org__code="620422", year=2023, code=code).first()
    return dv.version if dv else 0


def _save(client: Client, code: str, value: str):  # type: ignore[no-untyped-def]
    return client.post(f"/org/620422/2023/cell/{code}/", {"value": value, "version": _version(code)},
                       HTTP_HX_REQUEST="true")


@pytest.mark.django_db
def test_hostile_values_are_refused_and_no_page_of_any_role_answers_500(login, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clerk: Client = login("huining-clerk")
    before = dict(DataValue.objects.filter(org__code="620422", year=2023).values_list("code", "number"))
    for code in ("key_funds", "meet_party"):
        for value in hostile_numbers():
            response = _save(clerk, code, value)
            assert response.status_code == 200, (code, value, response.status_code)
            assert "refused" in response.content.decode() or "应填" in response.content.decode(), (code, value)
    after = dict(DataValue.objects.filter(org__code="620422", year=2023).values_list("code", "number"))
    assert after == before  # nothing of it was stored
    for value in ("会宁\x00县", "会宁\x01县"):
        response = _save(clerk, "policy_docs", value)
        assert response.status_code == 400 and "字符" in response.content.decode()
    response = _save(clerk, "policy_docs", "字" * 3000)
    assert "文字过长" in response.content.decode()
    # Text that only looks dangerous is stored as it is and shown escaped.
    assert _save(clerk, "policy_docs", ODD_TEXT).status_code == 200
    assert DataValue.objects.get(org__code="620422", year=2023, code="policy_docs").text == ODD_TEXT.strip()
    page = clerk.get("/org/620422/2023/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    # Ledgers: a crafted form and a search with NUL are 400s; an odd but valid file imports.
    form = clerk.post(f"/org/620422/2023/ledgers/{KIND}/new/", {"name": "项目\x00"})
    assert form.status_code == 400
    assert clerk.get(f"/org/620422/2023/ledgers/{KIND}/?q=%00").status_code == 400
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/org/620422/2023/ledgers/{KIND}/import/"
    long_name = "台账" * 50 + ".csv"  # 300 bytes of UTF-8: more than a file system allows in a name
    assert len(long_name.encode()) > 255
    ok = clerk.post(url, {"file": SimpleUploadedFile(long_name, odd_but_valid_csvs(ledger_of(KIND))["markup.csv"]),
                          "mode": "replace"})
    # The import previews first (nothing stored); a replacement is confirmed with its counts.
    assert ok.status_code == 200 and "尚未保存任何数据" in ok.content.decode()
    import re

    token = re.search(r'name="token" value="([^"]+)"', ok.content.decode())
    counts = re.search(r'name="confirm_replace" value="([^"]+)"', ok.content.decode())
    assert token and counts
    done = clerk.post(url, {"token": token.group(1), "mode": "replace", "confirm_replace": counts.group(1)})
    assert done.status_code == 302
    far = clerk.post(url, {"file": SimpleUploadedFile("far.xlsx", xlsx(ledger_of(KIND), extra_cell="XFD1048576")),
                           "mode": "replace"})
    assert far.status_code == 400 and "超过上限" in far.content.decode()
    for name, words in (("field-200k.csv", "KB"), ("1e100-money.csv", "金额过大"), ("control-x01.csv", "控制字符")):
        bad = clerk.post(url, {"file": SimpleUploadedFile(long_name, hostile_csvs(ledger_of(KIND))[name]),
                               "mode": "replace"})
        assert bad.status_code == 400 and words in bad.content.decode(), name

    # Every page, download and document of every account.
    for username, visible in sorted(VISIBLE.items()):
        client = clerk if username == "huining-clerk" else login(username)
        for code in ALL_ORGS:
            urls = [page_url(code, p) for p in PAGES]
            if code in COUNTIES:
                urls += [page_url(code, p) for p in COUNTY_PAGES]
                urls += [f"/org/{code}/2023/ledgers/{KIND}/download/", f"/documents/{code}/2023/",
                         f"/audit/org/{code}/2023/", f"/audit/org/{code}/2023/report/"]
            for u in urls:
                status = client.get(u).status_code
                assert status < 500, (username, u, status)
                if code not in visible:
                    assert status in (302, 404), (username, u, status)
    # The documents with the odd text in them open, and say it literally.
    docx = clerk.get("/documents/620422/2023/report.docx")
    assert docx.status_code == 200
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(docx.streaming_content))).paragraphs)
    assert text
    export = clerk.get(f"/org/620422/2023/ledgers/{KIND}/download/")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert any("[/x][bold]<script>" in str(c.value) for row in sheet.iter_rows() for c in row)


@pytest.mark.django_db
def test_the_cli_prints_stored_markup_as_it_is(huining, capsys) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.tables.services import value_set

    value_set(org=huining, year=2023, code="policy_docs", raw="《[/x]》[bold]实施方案", by=None)
    assert run_guarded(app, ["table", "--org", "620422", "--year", "2023", "--format", "csv"]) == 0
    assert "《[/x]》[bold]实施方案" in capsys.readouterr().out
    assert run_guarded(app, ["values", "set", "policy_docs", "[/x]", "--org", "620422", "--year", "2023"]) == 0
    assert "[/x]" in capsys.readouterr().out
    assert run_guarded(app, ["values", "set", "key_funds", "1e100", "--org", "620422", "--year", "2023"]) == 2
    assert "数值过大" in capsys.readouterr().err
