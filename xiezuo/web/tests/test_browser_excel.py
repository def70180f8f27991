"""附件1 in and out of Excel, in Debian's chromium: download, edit with openpyxl, upload, preview, confirm.

Screenshots of the upload preview and the print view go to docs/images/ (shown in the README).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.models import ChangeRecord
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.selectors import values_for
from xiezuo.tables.uploads import normalised_label, normalised_raw
from xiezuo.web.tests.test_browser import _sync_playwright_runs_an_event_loop, session  # noqa: F401

pytestmark = pytest.mark.browser

IMAGES = Path(__file__).resolve().parents[3] / "docs" / "images"


def _rows_by_label(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {str(ws.cell(row=r, column=1).value): r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value}


def _download(page: Page, link: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.locator(link).click()
    target = folder / info.value.suggested_filename
    info.value.save_as(str(target))
    return target


def _table_equals_file(path: Path, org: OrgUnit, column: int, skip: set[int], at_least: int = 20) -> None:
    """Every filled cell of the file's column reads back from the table, except the rows reported."""
    catalogue = get_catalogue(2023)
    stored = values_for(org, 2023, catalogue)
    ws = load_workbook(path, data_only=True).active
    checked = 0
    for r in range(4, ws.max_row + 1):
        value = ws.cell(row=r, column=column).value
        if r in skip or value is None:
            continue
        row = catalogue.rows[r - 4]  # the file's rows in the template's order, as downloaded
        assert normalised_label(ws.cell(row=r, column=1).value) == normalised_label(row.label)
        expected = row.parse(normalised_raw(value, text_row=row.value_kind == "text"))
        assert stored.get(row.code) == expected, (row.label, stored.get(row.code), expected)
        checked += 1
    assert checked >= at_least


def test_county_uploads_its_filled_table(demo, live_server, browser, tmp_path):  # type: ignore[no-untyped-def]
    IMAGES.mkdir(parents=True, exist_ok=True)
    org = OrgUnit.objects.get(code="620422")
    before = values_for(org, 2023)
    ctx, page = session(browser, live_server.url, "huining-clerk")
    page.goto("/org/620422/2023/")
    path = _download(page, "#download-xlsx", tmp_path)
    assert path.name == "会宁县2023年统计表.xlsx"

    # Three cells edited as a clerk would in Excel.
    wb = load_workbook(path)
    ws = wb.active
    rows = _rows_by_label(ws)
    ws.cell(row=rows["已使用财政援助资金数"], column=3).value = 9999  # above the 5590 allocated: breaks a rule
    labour = rows["2. 截止目前，在东部结对省份就业的农村劳动力数"]
    ws.cell(row=labour, column=3).value = "２４０"  # full-width digits typed in
    typo = rows["1. 党委常委会会议"]
    ws.cell(row=typo, column=1).value = "1. 党委常委会议"  # a label typo
    ws.cell(row=typo, column=3).value = 7
    wb.save(path)

    page.goto("/org/620422/2023/upload/")
    page.locator("#upload-file").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    preview = page.locator("#upload-preview")
    expect(preview).to_be_visible()
    changes = page.locator("#upload-changes tbody tr")
    expect(changes).to_have_count(2)
    expect(page.locator("#upload-changes tr[data-code='funds_used']")).to_contain_text("9999")
    expect(page.locator("#upload-changes tr[data-code='labour_east']")).to_contain_text("240")
    expect(page.locator("#upload-findings")).to_contain_text("已使用财政援助资金")
    expect(page.locator("#upload-findings")).to_contain_text("超过已拨付到位资金")
    problem = page.locator("#upload-problems tbody tr")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("统计表")  # the sheet
    expect(problem).to_contain_text(str(typo))  # the row
    expect(problem).to_contain_text("1. 党委常委会议")  # the label as written
    expect(problem).to_contain_text("错字")
    page.screenshot(path=str(IMAGES / "table-upload-preview.png"), full_page=True)

    # Nothing is stored before the confirmation.
    assert values_for(org, 2023) == before
    assert not ChangeRecord.objects.filter(action=ActionKind.TABLE_UPLOAD_APPLY).exists()

    page.get_by_role("button", name="确认导入 2 个数值").click()
    expect(page.locator("main")).to_contain_text("导入 2 个数值")
    after = values_for(org, 2023)
    assert after["funds_used"] == Decimal("9999")
    assert after["labour_east"] == Decimal("240")
    assert after["meet_party"] == before["meet_party"]  # the typo's row was not guessed
    assert ChangeRecord.objects.filter(action=ActionKind.TABLE_UPLOAD_APPLY, org_code="620422").count() == 2
    _table_equals_file(path, org, 3, skip={typo})

    # The print view: 附件1 on A4 landscape with its header repeated.
    page.goto("/org/620422/2023/")
    page.locator("#print-view").click()
    expect(page.locator("#print-table thead")).to_contain_text("指标")
    assert page.locator("#print-table thead").evaluate("e => getComputedStyle(e).display") == "table-header-group"
    page.set_viewport_size({"width": 1123, "height": 794})
    page.screenshot(path=str(IMAGES / "table-print-view.png"))
    page.emulate_media(media="print")
    expect(page.locator(".no-print")).to_be_hidden()
    pdf = tmp_path / "print.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    assert pdf.read_bytes().startswith(b"%PDF")
    ctx.close()


def test_city_uploads_a_file_filling_two_counties(demo, live_server, browser, tmp_path):  # type: ignore[no-untyped-def]
    jingyuan, jingtai = OrgUnit.objects.get(code="620421"), OrgUnit.objects.get(code="620423")
    others = {o.code: values_for(o, 2023) for o in OrgUnit.objects.filter(parent__code="620400")}
    ctx, page = session(browser, live_server.url, "admin")
    page.goto("/org/620400/2023/")
    path = _download(page, "#export-xlsx", tmp_path)
    wb = load_workbook(path)
    ws = wb.active
    names = {ws.cell(row=3, column=c).value: c for c in range(3, ws.max_column + 1)}
    assert {"白银市", "靖远县", "景泰县", "会宁县"} <= set(names)
    rows = _rows_by_label(ws)
    meetings = rows["2. 政府常务会议"]
    ws.cell(row=meetings, column=names["靖远县"]).value = 9
    ws.cell(row=meetings, column=names["景泰县"]).value = "１１"
    ws.cell(row=meetings, column=names["白银市"]).value = 999  # the city's roll-up column is never uploaded
    typo = rows["3. 领导小组会议"]
    ws.cell(row=typo, column=1).value = "3. 领导小组会"
    ws.cell(row=typo, column=names["景泰县"]).value = 3
    wb.save(path)

    page.goto("/org/620400/2023/upload/")
    page.locator("#upload-file").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("#upload-changes tbody tr")).to_have_count(2)
    expect(page.locator("#upload-changes tr[data-org='620421']")).to_contain_text("9")
    expect(page.locator("#upload-changes tr[data-org='620423']")).to_contain_text("11")
    problem = page.locator("#upload-problems tbody tr")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("3. 领导小组会")
    expect(problem).to_contain_text(str(typo))
    assert {o.code: values_for(o, 2023) for o in OrgUnit.objects.filter(parent__code="620400")} == others
    page.get_by_role("button", name="确认导入 2 个数值").click()
    expect(page.locator("main")).to_contain_text("导入 2 个数值")
    assert values_for(jingyuan, 2023)["meet_gov"] == Decimal(9)
    assert values_for(jingtai, 2023)["meet_gov"] == Decimal(11)
    for code, values in others.items():
        if code not in ("620421", "620423"):
            assert values_for(OrgUnit.objects.get(code=code), 2023) == values
    _table_equals_file(path, jingyuan, names["靖远县"], skip={typo}, at_least=1)
    _table_equals_file(path, jingtai, names["景泰县"], skip={typo})
    ctx.close()


def test_one_row_csv_into_sixteen_records_with_the_default_mode(demo, live_server, browser, tmp_path):  # type: ignore[no-untyped-def]
    import datetime as dt

    from xiezuo.ledgers.idcard import make_id
    from xiezuo.ledgers.schema import ledger_of
    from xiezuo.ledgers.services import ledger_record_create, model_of

    org = OrgUnit.objects.get(code="620421")  # 靖远县: a second county, its ledger of sixteen
    model = model_of(ledger_of("labour_placements"))
    model.objects.filter(org=org, year=2023).delete()
    for n in range(1, 17):
        ledger_record_create(kind="labour_placements", org=org, year=2023, by=None, data={
            "name": f"劳动力{n}", "id_number": make_id("620421", dt.date(1991, 2, 3), n), "poverty_status": "poor",
            "destination": "east", "employer": "天津某公司", "start_date": "2023-03-01", "new_this_year": "是"})
    headers = ",".join(ledger_of("labour_placements").headers)
    csv = tmp_path / "新增一人.csv"
    csv.write_text(headers + "\n" + ",".join(["张新", make_id("620421", dt.date(1992, 4, 5), 99), "脱贫", "省内就近",
                                              "", "2023-05-01", "是"]) + "\n", encoding="utf-8")
    ctx, page = session(browser, live_server.url, "jingyuan-clerk")
    page.goto("/org/620421/2023/ledgers/labour_placements/import/")
    expect(page.locator("input[name=mode][value=append]")).to_be_checked()
    page.locator("#import-file").set_input_files(str(csv))
    page.get_by_role("button", name="检查并预览").click()
    expect(page.locator("#import-summary")).to_contain_text("将新增 1 条")
    expect(page.locator("#import-summary")).to_contain_text("现有其余记录保留")
    assert model.objects.filter(org=org, year=2023).count() == 16
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("main")).to_contain_text("新增 1 条")
    assert model.objects.filter(org=org, year=2023).count() == 17

    # Replace asks for a confirmation that names both counts, and stores nothing without it.
    page.goto("/org/620421/2023/ledgers/labour_placements/import/")
    page.locator("#import-file").set_input_files(str(csv))
    page.locator("input[name=mode][value=replace]").check()
    page.get_by_role("button", name="检查并预览").click()
    confirm = page.locator("label:has(#confirm-replace)")
    expect(confirm).to_contain_text("现有的 17 条")
    expect(confirm).to_contain_text("导入文件中的 1 条")
    page.screenshot(path=str(IMAGES / "ledger-import-replace-confirm.png"), full_page=True)
    page.get_by_role("button", name="确认导入").click()  # the browser holds it back: the box is required
    assert model.objects.filter(org=org, year=2023).count() == 17
    ctx.close()


def test_a_column_pasted_from_excel_fills_consecutive_cells(demo, live_server, browser):  # type: ignore[no-untyped-def]
    org = OrgUnit.objects.get(code="620422")
    ctx, page = session(browser, live_server.url, "huining-clerk")
    page.goto("/org/620422/2023/")
    first = page.locator("#row-meet_party [name=value]")
    first.focus()
    # What Excel puts on the clipboard for three cells of a column: one value per line, CRLF.
    first.evaluate("""(e) => { const data = new DataTransfer(); data.setData('text/plain', '2\\r\\n6\\r\\n七\\r\\n');
        e.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})); }""")
    expect(page.locator("#row-meet_party .saved")).to_be_visible()
    expect(page.locator("#row-meet_gov .saved")).to_be_visible()
    expect(page.locator("#row-meet_group .refused")).to_be_visible()  # 七 is not a number: refused, checked alone
    expect(page.locator("#messages")).to_contain_text("已粘贴 3 个单元格")
    values = values_for(org, 2023)
    assert (values["meet_party"], values["meet_gov"], values["meet_group"]) == (Decimal(2), Decimal(6), Decimal(5))
    ctx.close()
