"""The whole story in Debian's chromium: enter, check, submit, return, resubmit, approve, locked.

Screenshots of every page visited go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from xiezuo.accounts.services import demo_password

pytestmark = pytest.mark.browser

TABLE = "/org/620422/2023/"
SUBMISSION = "/org/620422/2023/submission/"


@pytest.fixture(autouse=True, scope="module")
def _sync_playwright_runs_an_event_loop():  # type: ignore[no-untyped-def]
    # Playwright's sync API keeps an asyncio loop running in this thread; the ORM calls the
    # fixtures make here (and the database flush after each test) are still plain synchronous ones.
    # Module scope: the flush runs after function-scoped fixtures are gone.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Shots:
    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder, self.prefix, self.n = folder, prefix, 0

    def __call__(self, page: Page, name: str, *, full_page: bool = True) -> None:
        self.n += 1
        page.screenshot(path=str(self.folder / f"{self.prefix}-{self.n:02d}-{name}.png"), full_page=full_page)


def session(browser: Browser, base: str, username: str, *, width: int = 1366, height: int = 900) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=base, locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(demo_password())
    page.get_by_role("button", name="登录").click()
    expect(page.locator("header .who")).to_contain_text(username)
    return context, page


def cell(page: Page, code: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#row-{code} [name=value]")


def centre(locator) -> None:  # type: ignore[no-untyped-def]
    locator.evaluate("e => e.scrollIntoView({block: 'center'})")


def save(page: Page, code: str, value: str) -> None:
    field = cell(page, code)
    field.fill(value)
    field.press("Tab")
    expect(page.locator(f"#row-{code} .saved, #row-{code} .refused").first).to_be_visible()


def test_the_whole_story(demo, live_server, browser, artifacts_dir):  # type: ignore[no-untyped-def]
    shot = Shots(artifacts_dir, "story")
    base = live_server.url

    # The clerk logs in and lands on the county's table.
    login_ctx = browser.new_context(base_url=base, locale="zh-CN")
    login_page = login_ctx.new_page()
    login_page.goto("/")
    expect(login_page.get_by_role("heading", name="登录")).to_be_visible()
    shot(login_page, "login")
    login_ctx.close()

    clerk_ctx, clerk = session(browser, base, "huining-clerk")
    expect(clerk).to_have_url(re.compile(re.escape(TABLE) + "$"))
    expect(clerk.locator("h1")).to_contain_text("会宁县")
    expect(clerk.locator("#findings-summary")).to_contain_text("错误 0 个")
    shot(clerk, "table", full_page=False)

    # A value that breaks a rule: the finding appears under the cell at once, in Chinese.
    save(clerk, "funds_used", "99999")
    row = clerk.locator("#row-funds_used")
    expect(row).to_contain_text("已使用财政援助资金 99999万元 超过已拨付到位资金")
    expect(clerk.locator("#findings-summary")).not_to_contain_text("错误 0 个")
    centre(row)
    shot(clerk, "finding", full_page=False)

    # Fixed: the finding goes away.
    save(clerk, "funds_used", "5086.25")
    expect(row).not_to_contain_text("超过已拨付到位资金")
    expect(clerk.locator("#findings-summary")).to_contain_text("错误 0 个")

    # Submitting asks for an explanation of the warning first.
    clerk.goto(SUBMISSION)
    expect(clerk.locator("#submit-form")).to_contain_text("【警告】")
    shot(clerk, "submission-draft")
    clerk.locator("#submit-form textarea[name^='explain:']").first.fill("分项之间存在交叉统计：部分资金同时用于产业和就业帮扶。")
    clerk.get_by_role("button", name="报送上级审核").click()
    expect(clerk.locator("#state")).to_have_text("已报送")
    shot(clerk, "submitted")

    # The city reviewer sees it in the list, opens it and returns it with a comment on one row.
    rev_ctx, reviewer = session(browser, base, "baiyin-reviewer")
    expect(reviewer.locator("#review-list")).to_contain_text("会宁县")
    expect(reviewer.locator("tr[data-org='620422']")).to_contain_text("已报送")
    shot(reviewer, "review-list")
    reviewer.locator("tr[data-org='620422']").get_by_role("link", name="审核").click()
    expect(reviewer.locator("#comparison")).to_contain_text("已拨付到位财政援助资金数")
    reviewer.get_by_label("退回意见（必填）").fill("党委常委会会议次数与会议记录不符，请核实后重新报送。")
    reviewer.locator("#return-row").select_option("meet_party")
    reviewer.get_by_label("对该指标的意见").fill("会议记录显示全年召开 5 次。")
    shot(reviewer, "review-submission")
    reviewer.get_by_role("button", name="退回修改").click()
    expect(reviewer.locator("#state")).to_have_text("已退回")

    # The clerk sees the comment beside the row, fixes it and resubmits.
    clerk.goto(TABLE)
    expect(clerk.locator("#return-note")).to_contain_text("党委常委会会议次数与会议记录不符")
    expect(clerk.locator("#row-meet_party .comment")).to_contain_text("会议记录显示全年召开 5 次")
    centre(clerk.locator("#row-meet_party"))
    shot(clerk, "returned-comment", full_page=False)
    save(clerk, "meet_party", "5")
    clerk.goto(SUBMISSION)
    expect(clerk.locator("#timeline")).to_contain_text("党委常委会会议次数与会议记录不符")
    clerk.get_by_role("button", name="报送上级审核").click()  # the explanation is kept from last time
    expect(clerk.locator("#state")).to_have_text("已报送")

    # The reviewer approves.
    reviewer.goto(SUBMISSION)
    reviewer.get_by_label("审核意见（可选）").fill("同意。")
    reviewer.get_by_role("button", name="审核通过").click()
    expect(reviewer.locator("#state")).to_have_text("已审核通过")
    expect(reviewer.locator("#timeline li")).to_have_count(6)
    shot(reviewer, "approved-timeline")

    # The clerk can no longer edit.
    clerk.goto(TABLE)
    expect(clerk.locator("[name=value]")).to_have_count(0)
    expect(clerk.locator("main")).to_contain_text("不能修改")
    shot(clerk, "locked")
    forged = clerk.request.post(f"{TABLE}cell/meet_party/", form={"value": "9", "version": "2"},
                                headers={"HX-Request": "true", "X-CSRFToken": clerk_ctx.cookies()[0]["value"]
                                         if clerk_ctx.cookies() else ""})
    assert "不能再修改" in forged.text() or forged.status in (403, 404)

    # Dashboards: the county's own, and the city's view of its counties.
    clerk.goto("/org/620422/2023/dashboard/")
    expect(clerk.locator("#chart-funds svg")).to_be_visible()
    clerk.wait_for_timeout(300)  # let the SVG renderer settle before the screenshot
    shot(clerk, "dashboard-county")
    reviewer.goto("/org/620400/2023/dashboard/")
    expect(reviewer.locator("#chart-completeness svg")).to_be_visible()
    shot(reviewer, "dashboard-city")
    clerk_ctx.close()
    rev_ctx.close()


def test_a_stale_save_in_a_second_window_is_refused(demo, live_server, browser, artifacts_dir):  # type: ignore[no-untyped-def]
    shot = Shots(artifacts_dir, "stale")
    first_ctx, first = session(browser, live_server.url, "huining-clerk")
    second_ctx, second = session(browser, live_server.url, "huining-lead")
    second.goto(TABLE)  # both now show the same version of every cell
    save(first, "meet_gov", "8")
    field = cell(second, "meet_gov")
    field.fill("9")
    field.press("Tab")
    refused = second.locator("#row-meet_gov .refused")
    expect(refused).to_contain_text("已被王晓红修改为「8」")
    expect(cell(second, "meet_gov")).to_have_value("8")  # the current value, not the stale one
    centre(second.locator("#row-meet_gov"))
    shot(second, "refused", full_page=False)
    first.reload()
    expect(cell(first, "meet_gov")).to_have_value("8")
    first_ctx.close()
    second_ctx.close()


def test_tablet_layout(demo, live_server, browser, artifacts_dir):  # type: ignore[no-untyped-def]
    shot = Shots(artifacts_dir, "tablet")
    ctx, page = session(browser, live_server.url, "huining-clerk", width=820, height=1180)
    expect(page.locator("#stat-table")).to_be_visible()
    # The page itself does not scroll sideways: only the table's own box does.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "table", full_page=False)
    page.goto(SUBMISSION)
    shot(page, "submission", full_page=False)
    ctx.close()


def test_ledger_pages(demo, live_server, browser, artifacts_dir, tmp_path):  # type: ignore[no-untyped-def]
    shot = Shots(artifacts_dir, "ledgers")
    ctx, page = session(browser, live_server.url, "huining-clerk")
    page.get_by_role("link", name="台账", exact=True).first.click()
    expect(page.locator("#ledger-index")).to_contain_text("农村劳动力就业")
    shot(page, "index")
    page.goto("/org/620422/2023/ledgers/meetings/new/")
    page.get_by_label("会议日期").fill("2023-06-01")
    page.get_by_label("会议类型").select_option(label="领导小组会议")
    page.get_by_label("议题").fill("研究部署劳务协作工作")
    shot(page, "form")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#ledger-records")).to_contain_text("研究部署劳务协作工作")
    shot(page, "list")
    bad = tmp_path / "劳动力.csv"
    bad.write_text("姓名,身份证号,人员类别,就业去向,就业单位,就业日期,本年新增\n王五,620422199001011234,脱贫,火星,,2023-03-01,是\n",
                   encoding="utf-8")
    page.goto("/org/620422/2023/ledgers/labour_placements/import/")
    page.set_input_files("#import-file", str(bad))
    page.get_by_role("button", name="检查并预览").click()
    expect(page.locator("#import-errors")).to_contain_text("未导入任何记录")
    expect(page.locator("#import-errors")).to_contain_text("火星")
    shot(page, "import-errors")
    page.goto("/org/620422/2023/reconciliation/")
    expect(page.locator("#reconciliation")).to_be_visible()
    shot(page, "reconciliation")
    ctx.close()


def test_history_pages_show_names_and_formatted_values(demo, live_server, browser, artifacts_dir):  # type: ignore[no-untyped-def]
    """One of each history page: a table row, a ledger record, the documents and the submission."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from xiezuo.documents.services import narrative_save
    from xiezuo.ledgers.models import LabourPlacement
    from xiezuo.ledgers.services import ledger_record_update
    from xiezuo.orgunits.models import OrgUnit
    from xiezuo.submissions.services import submission_comment, submission_ensure
    from xiezuo.tables.services import value_set

    shot = Shots(artifacts_dir, "history")
    users = get_user_model().objects
    clerk, reviewer = users.get(username="huining-clerk"), users.get(username="baiyin-reviewer")
    huining = OrgUnit.objects.get(code="620422")
    value_set(org=huining, year=2023, code="funds_allocated", raw="5600", by=clerk)
    record = LabourPlacement.objects.filter(org=huining, year=2023, poverty_status="poor").order_by("id").first()
    assert record is not None
    ledger_record_update(kind="labour_placements", pk=record.pk, by=clerk, expected_version=record.version, data={
        "name": record.name, "id_number": record.id_number, "poverty_status": "一般",
        "destination": "东部结对省份", "employer": record.employer or "某企业",
        "start_date": (record.start_date or dt.date(2023, 3, 1)).isoformat(), "new_this_year": "否",
    })
    narrative_save(org=huining, year=2023, section="intro", text="修改后的开篇。", by=clerk, expected_version=None)
    submission_comment(submission=submission_ensure(org=huining, year=2023, by=clerk), by=reviewer,
                       comment="请核实本行", row_code="funds_allocated")

    context, page = session(browser, live_server.url, "huining-clerk")
    pages = {
        "row": "/org/620422/2023/row/funds_allocated/history/",
        "ledger": f"/org/620422/2023/ledgers/labour_placements/{record.pk}/history/",
        "documents": "/org/620422/2023/history/?area=documents",
        "submission": "/org/620422/2023/history/?area=submission",
    }
    for name, url in pages.items():
        page.goto(url)
        body = page.locator("table.history")
        expect(body).to_be_visible()
        text = body.inner_text()
        shot(page, name)
        for raw in ("huining-clerk", "poor", "True", "False", ".0000", "value.set", "ledger.update", "None", "row"):
            assert raw not in text, (name, raw)
        assert ("王晓红" in text) or ("陈志明" in text), name
    page.goto(pages["row"])
    expect(page.locator("table.history")).to_contain_text("5600 万元")
    expect(page.locator("table.history")).to_contain_text("修改统计表数值")
    page.goto(pages["ledger"])
    expect(page.locator("table.history")).to_contain_text("一般")
    expect(page.locator("table.history")).to_contain_text("否")
    page.goto(pages["submission"])
    expect(page.locator("table.history")).to_contain_text("陈志明")
    expect(page.locator("table.history")).to_contain_text("提出意见")
    context.close()
