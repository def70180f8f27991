"""Ledger pages: list, search, filter, pages; create, edit (stale refused), delete; template; import."""

from __future__ import annotations

import io

import openpyxl
import pytest

from xiezuo.ledgers.idcard import make_id, mask
from xiezuo.ledgers.schema import ledger_of
from xiezuo.ledgers.services import ledger_record_create, model_of
from xiezuo.orgunits.models import OrgUnit

BASE = "/org/620422/2023/ledgers/"


def person(n: int, **extra: str) -> dict[str, str]:
    import datetime as dt

    return {"name": f"劳动力{n}", "id_number": make_id("620422", dt.date(1990, 1, 1), n),
            "poverty_status": "poor" if n % 2 else "general", "destination": "east",
            "employer": "天津某公司", "start_date": "2023-03-01", "new_this_year": "是", **extra}


@pytest.fixture
def labour(huining):  # type: ignore[no-untyped-def]
    model_of(ledger_of("labour_placements")).objects.filter(org=huining, year=2023).delete()
    return [ledger_record_create(kind="labour_placements", org=huining, year=2023, data=person(n), by=None)
            for n in range(1, 61)]


def test_index_lists_every_ledger_with_counts(login):  # type: ignore[no-untyped-def]
    body = login("huining-clerk").get(BASE).content.decode()
    assert "农村劳动力就业" in body and "财政援助资金项目" in body and "下载模板" in body


def test_list_masks_id_numbers_and_pages(login, labour):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    body = client.get(BASE + "labour_placements/").content.decode()
    assert "共 60 条" in body and "第 1 / 2 页" in body
    assert labour[0].id_number not in body and mask(labour[0].id_number) in body
    second = client.get(BASE + "labour_placements/?page=2").content.decode()
    assert "劳动力60" in second and "劳动力1<" not in second


def test_search_and_filter(login, labour):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    body = client.get(BASE + "labour_placements/?q=劳动力7").content.decode()
    assert "共 1 条" in body and "劳动力7" in body
    body = client.get(BASE + "labour_placements/?f_poverty_status=poor").content.decode()
    assert "共 30 条" in body


def test_create_shows_every_bad_field_and_stores_nothing(login, huining):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    before = model_of(ledger_of("meetings")).objects.filter(org=huining).count()
    response = client.post(BASE + "meetings/new/", {"date": "2021-13-40", "kind": "", "topic": ""})
    body = response.content.decode()
    assert response.status_code == 400 and "会议日期" in body and "会议类型" in body
    assert model_of(ledger_of("meetings")).objects.filter(org=huining).count() == before
    ok = client.post(BASE + "meetings/new/", {"date": "2023-05-06", "kind": "gov", "topic": "研究消费帮扶"})
    assert ok.status_code == 302
    assert "研究消费帮扶" in client.get(BASE + "meetings/?q=消费帮扶").content.decode()


def test_a_stale_edit_is_refused_and_the_current_record_shown(login, labour):  # type: ignore[no-untyped-def]
    clerk, lead = login("huining-clerk"), login("huining-lead")
    rec = labour[0]
    url = f"{BASE}labour_placements/{rec.pk}/"
    form = {**person(1), "id_number": mask(rec.id_number), "version": str(rec.version)}
    assert clerk.post(url, {**form, "employer": "北京某公司"}).status_code == 302
    response = lead.post(url, {**form, "employer": "上海某公司"})
    body = response.content.decode()
    assert response.status_code == 409 and "已被他人修改" in body and "北京某公司" in body
    rec.refresh_from_db()
    assert rec.employer == "北京某公司" and rec.id_number == labour[0].id_number  # masked input kept the number
    history = clerk.get(f"{url}history/").content.decode()
    assert "天津某公司" in history and "北京某公司" in history and "王晓红" in history


def test_delete(login, labour):  # type: ignore[no-untyped-def]
    rec = labour[5]
    client = login("huining-clerk")
    assert client.post(f"{BASE}labour_placements/{rec.pk}/delete/", {"version": rec.version}).status_code == 302
    assert not model_of(ledger_of("labour_placements")).objects.filter(pk=rec.pk).exists()


def test_template_download_is_a_workbook_with_the_headers(login):  # type: ignore[no-untyped-def]
    response = login("heping-partner").get(BASE + "labour_placements/template/")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = wb["农村劳动力就业"]
    assert [c.value for c in sheet[1]] == ledger_of("labour_placements").headers


def test_downloads_leave_no_files_behind(login, labour, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    import tempfile
    import urllib.parse

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    client = login("huining-clerk")
    template = client.get(BASE + "labour_placements/template/")
    export = client.get(BASE + "labour_placements/download/")
    assert template.status_code == export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))["农村劳动力就业"]
    assert sheet.max_row == 61 and sheet.cell(2, 2).value == mask(labour[0].id_number)
    assert urllib.parse.quote("会宁县2023年农村劳动力就业台账.xlsx") in export["Content-Disposition"]
    assert list(tmp_path.iterdir()) == []


def test_import_lists_every_bad_cell_and_writes_nothing(login, labour):  # type: ignore[no-untyped-def]
    headers = ",".join(ledger_of("labour_placements").headers)
    good = person(100)
    lines = [headers,
             ",".join([good["name"], good["id_number"], "脱贫", "东部结对省份", "", "2023-03-01", "是"]),
             ",".join(["王五", "620422199001011234", "脱贫", "火星", "", "2023-03-01", "是"]),
             ",".join(["", good["id_number"], "贫困", "省内就近", "", "2022-03-01", "也许"])]
    upload = io.BytesIO("\n".join(lines).encode("utf-8"))
    upload.name = "劳动力.csv"
    response = login("huining-clerk").post(BASE + "labour_placements/import/", {"file": upload, "mode": "replace"})
    body = response.content.decode()
    assert response.status_code == 400 and "未导入任何记录" in body
    for word in ("身份证号", "就业去向", "火星", "姓名", "人员类别", "本年新增"):
        assert word in body, word
    assert "620422199001011234" not in body  # even a bad ID number is not echoed in full
    assert model_of(ledger_of("labour_placements")).objects.filter(org__code="620422").count() == 60


def test_import_replaces_the_ledger_only_when_confirmed_with_its_counts(login, labour):  # type: ignore[no-untyped-def]
    import re

    headers = ",".join(ledger_of("labour_placements").headers)
    rows = [",".join([p["name"], p["id_number"], "脱贫", "省内就近", "", "2023-04-01", "否"])
            for p in (person(200), person(201))]
    upload = io.BytesIO("\n".join([headers, *rows]).encode("utf-8"))
    upload.name = "劳动力.csv"
    client = login("huining-clerk")
    preview = client.post(BASE + "labour_placements/import/", {"file": upload, "mode": "replace"})
    body = preview.content.decode()
    assert preview.status_code == 200 and "删除现有 60 条" in body and "尚未保存任何数据" in body
    assert "删除会宁县2023年度现有的 60 条「农村劳动力就业」记录，并导入文件中的 2 条" in body
    match = re.search(r'name="token" value="([^"]+)"', body)
    assert match
    token = match.group(1)
    refused = client.post(BASE + "labour_placements/import/", {"token": token, "mode": "replace"})
    assert refused.status_code == 400 and "请勾选确认" in refused.content.decode()
    assert 'value="replace" checked' in refused.content.decode() or "替换本年度全部记录" in refused.content.decode()
    assert model_of(ledger_of("labour_placements")).objects.filter(org__code="620422", year=2023).count() == 60
    done = client.post(BASE + "labour_placements/import/", {"token": token, "mode": "replace",
                                                            "confirm_replace": "60:2"}, follow=True)
    assert "已从「劳动力.csv」导入「农村劳动力就业」：删除原有 60 条，新增 2 条" in done.content.decode()
    assert model_of(ledger_of("labour_placements")).objects.filter(org__code="620422", year=2023).count() == 2


def test_scope_on_ledger_pages(login, labour):  # type: ignore[no-untyped-def]
    rec = labour[0]
    jingyuan = login("jingyuan-clerk")
    assert jingyuan.get(BASE).status_code == 404
    assert jingyuan.get(f"/org/620421/2023/ledgers/labour_placements/{rec.pk}/").status_code == 404  # not its record
    partner = login("heping-partner")
    assert partner.get(BASE + "labour_placements/").status_code == 200
    assert partner.get(BASE + "labour_placements/new/").status_code == 404
    assert partner.post(f"{BASE}labour_placements/{rec.pk}/delete/", {"version": rec.version}).status_code == 404
    assert login("baiyin-reviewer").get("/org/620400/2023/ledgers/").status_code == 404  # cities keep no ledgers


def test_ledgers_are_frozen_while_the_table_is_submitted(login, huining):  # type: ignore[no-untyped-def]
    from xiezuo.submissions.models import State, Submission

    Submission.objects.create(org=huining, year=2023, state=State.SUBMITTED)
    response = login("huining-clerk").post(BASE + "meetings/new/", {"date": "2023-05-06", "kind": "gov", "topic": "x"})
    assert response.status_code == 400 and "不能再修改" in response.content.decode()


def test_reconciliation_page(login):  # type: ignore[no-untyped-def]
    body = login("huining-clerk").get("/org/620422/2023/reconciliation/").content.decode()
    assert "台账生成值" in body and "填报值" in body


def test_ledger_list_runs_a_bounded_number_of_queries(login, labour, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    with django_assert_max_num_queries(15):
        assert client.get(BASE + "labour_placements/").status_code == 200
    assert OrgUnit.objects.filter(code="620422").exists()
