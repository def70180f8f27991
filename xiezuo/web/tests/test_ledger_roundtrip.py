"""A ledger's own export, edited in Excel and imported back 按记录更新: one record changes, nothing else."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from xiezuo.core.models import ChangeRecord
from xiezuo.ledgers.idcard import is_masked
from xiezuo.ledgers.schema import RECORD_KEY_HEADER, ledger_of
from xiezuo.ledgers.services import model_of
from xiezuo.web.tests.test_ledgers import BASE, person
from xiezuo.web.tests.test_ledgers import labour as labour  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _token(body: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', body)
    assert match, body[:2000]
    return match.group(1)


def _snapshot(model) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    names = [c.name for c in ledger_of("labour_placements").columns]
    return list(model.objects.filter(org__code="620422", year=2023).order_by("id").values_list("id", "version", *names))


def test_export_edit_one_record_reimport_updates_it_and_keeps_its_id_number(login, labour):  # type: ignore[no-untyped-def]
    model = model_of(ledger_of("labour_placements"))
    client = login("huining-clerk")
    exported = client.get(BASE + "labour_placements/download/")
    assert exported.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(exported.streaming_content)))
    ws = wb["农村劳动力就业"]
    headers = [c.value for c in ws[1]]
    assert headers[-1] == RECORD_KEY_HEADER
    col = {h: i + 1 for i, h in enumerate(headers)}
    assert all(is_masked(str(ws.cell(row=r, column=col["身份证号"]).value)) for r in range(2, ws.max_row + 1))
    target = labour[6]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=col[RECORD_KEY_HEADER]).value == target.pk)
    ws.cell(row=row, column=col["就业单位"]).value = "天津港保税区某物流公司"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "劳动力台账（改）.xlsx"

    before = _snapshot(model)
    records_before = ChangeRecord.objects.count()
    preview = client.post(BASE + "labour_placements/import/", {"file": buf, "mode": "update"})
    body = preview.content.decode()
    assert preview.status_code == 200, body[:3000]
    assert "将新增 <strong>0</strong> 条，更新 <strong>1</strong> 条，未变 59 条" in body
    assert "天津港保税区某物流公司" in body and f'data-key="{target.pk}"' in body
    assert _snapshot(model) == before and ChangeRecord.objects.count() == records_before  # nothing stored yet

    done = client.post(BASE + "labour_placements/import/", {"token": _token(body), "mode": "update"}, follow=True)
    assert "新增 0 条，更新 1 条" in done.content.decode()
    after = _snapshot(model)
    assert len(after) == len(before) == 60
    changed = [(b, a) for b, a in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1
    old, new = changed[0]
    assert new[0] == target.pk and new[1] == old[1] + 1
    stored = model.objects.get(pk=target.pk)
    assert stored.employer == "天津港保税区某物流公司"
    assert stored.id_number == target.id_number and not is_masked(stored.id_number)  # the stored number kept
    new_records = ChangeRecord.objects.order_by("id")[records_before:]
    assert [(r.action, r.object_key) for r in new_records] == [
        ("ledger.import", str(target.pk)), ("ledger.import_file", "620422/2023/labour_placements")]
    assert new_records[0].new == {"employer": "天津港保税区某物流公司"}
    assert new_records[0].old == {"employer": "天津某公司"}


def test_a_keyed_file_in_append_mode_is_refused_and_the_mode_is_kept(login, labour):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    exported = client.get(BASE + "labour_placements/download/")
    buf = io.BytesIO(b"".join(exported.streaming_content))
    buf.name = "export.xlsx"
    response = client.post(BASE + "labour_placements/import/", {"file": buf, "mode": "append"})
    body = response.content.decode()
    assert response.status_code == 400 and "按记录更新" in body and RECORD_KEY_HEADER in body
    assert 'value="append" checked' in body
    buf.seek(0)
    response = client.post(BASE + "labour_placements/import/", {"file": io.BytesIO(b"x,y\n1,2\n"), "mode": "update"})
    assert response.status_code == 400 and 'value="update" checked' in response.content.decode()
    assert model_of(ledger_of("labour_placements")).objects.filter(org__code="620422", year=2023).count() == 60


def test_default_mode_appends(login, labour):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    page = client.get(BASE + "labour_placements/import/").content.decode()
    assert 'value="append" checked' in page and 'value="replace" checked' not in page
    headers = ",".join(ledger_of("labour_placements").headers)
    p = person(300)
    upload = io.BytesIO((headers + "\n" + ",".join([p["name"], p["id_number"], "脱贫", "省内就近", "", "2023-04-01",
                                                    "否"])).encode("utf-8"))
    upload.name = "一人.csv"
    body = client.post(BASE + "labour_placements/import/", {"file": upload}).content.decode()
    assert "将新增 <strong>1</strong> 条" in body and "现有其余记录保留" in body
    client.post(BASE + "labour_placements/import/", {"token": _token(body)})
    assert model_of(ledger_of("labour_placements")).objects.filter(org__code="620422", year=2023).count() == 61


def test_full_id_export_needs_a_reason_that_is_recorded(login, labour):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    assert "导出完整身份证号" in client.get(BASE + "labour_placements/").content.decode()
    refused = client.post(BASE + "labour_placements/download-full/", {"reason": " "}, follow=True)
    assert "必须写明用途" in refused.content.decode()
    assert not ChangeRecord.objects.filter(action="ledger.export_full_ids").exists()
    response = client.post(BASE + "labour_placements/download-full/", {"reason": "入户核对"})
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.properties.keywords == "个人信息" and "个人信息" in str(wb["填写说明"]["A2"].value)
    assert labour[0].id_number in [c.value for c in wb["农村劳动力就业"]["B"]]
    record = ChangeRecord.objects.get(action="ledger.export_full_ids")
    assert record.comment == "入户核对" and record.new["reason"] == "入户核对"
    for name in ("baiyin-reviewer", "jingyuan-clerk"):
        assert login(name).post(BASE + "labour_placements/download-full/", {"reason": "x"}).status_code == 404


def test_reconciliation_filters_differing_rows_and_accepts_selected_ones_at_once(login, huining):  # type: ignore[no-untyped-def]
    from xiezuo.ledgers.reconciliation import reconciliation_for
    from xiezuo.tables.selectors import values_for

    differing = [line for line in reconciliation_for(huining, 2023) if line.derived is not None and not line.agrees]
    assert len(differing) >= 3
    client = login("huining-clerk")
    body = client.get("/org/620422/2023/reconciliation/").content.decode()
    assert body.count('name="code"') == len(differing)
    assert f"不一致的 {len(differing)} 行" in body and "来自台账" in body
    assert differing[0].row.label in body
    everything = client.get("/org/620422/2023/reconciliation/?show=all").content.decode()
    assert everything.count("<tr id=\"recon-") > body.count("<tr id=\"recon-")
    chosen = [line.row.code for line in differing[:2]]
    records = ChangeRecord.objects.count()
    response = client.post("/org/620422/2023/reconciliation/accept-selected/", {"code": chosen, "show": "all"})
    assert response.status_code == 302
    assert response["Location"] == f"/org/620422/2023/reconciliation/?show=all#recon-{chosen[0]}"
    values = values_for(huining, 2023)
    for line in differing[:2]:
        assert values[line.row.code] == line.derived
    assert values[differing[2].row.code] == differing[2].entered  # not selected: untouched
    assert ChangeRecord.objects.filter(action="reconciliation.accept_many").count() == 1
    assert ChangeRecord.objects.count() > records
    # All or nothing: a row without ledger records refuses the whole selection.
    empty = [line.row.code for line in reconciliation_for(huining, 2023) if line.derived is None]
    if empty:
        before = values_for(huining, 2023)
        client.post("/org/620422/2023/reconciliation/accept-selected/", {"code": [differing[2].row.code, empty[0]]})
        assert values_for(huining, 2023) == before
