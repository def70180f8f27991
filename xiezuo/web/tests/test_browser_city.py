"""The city's story in Debian's chromium: the city table equal to `xiezuo rollup`, a row comment on a
county's table, return, reply, fix, sign-off, resubmission, what changed, approval, the gated upward
submission — with the 待办 counts of clerk, lead and reviewer asserted at every step — and an
administrator giving a new 靖远县 clerk an account that then edits its table.

Screenshots go to test-artifacts/ (city-*.png); the README shows three of them.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.cli import run_cli
from xiezuo.orgunits.models import OrgUnit
from xiezuo.orgunits.services import orgunit_update
from xiezuo.submissions.models import EventKind, SubmissionEvent
from xiezuo.web.tests.pages import cells_of
from xiezuo.web.tests.test_browser import Shots, _sync_playwright_runs_an_event_loop, centre, save, session

pytestmark = pytest.mark.browser
__all__ = ["_sync_playwright_runs_an_event_loop"]  # the module-scoped fixture, shared

CITY = "/org/620400/2023/"
TABLE = "/org/620422/2023/"
SUBMISSION = TABLE + "submission/"


def todo(page: Page, expected: int) -> None:
    """The count in the navigation, and the same number of items on the to-do page."""
    page.reload()
    expect(page.locator("#todo-count")).to_have_text(str(expected))


def test_the_city_story(demo, live_server, browser, artifacts_dir, capsys):  # type: ignore[no-untyped-def]
    shot = Shots(artifacts_dir, "city")
    base = live_server.url
    huining = OrgUnit.objects.get(code="620422")
    orgunit_update(org=huining, name=huining.name, lead_signoff_required=True)

    clerk_ctx, clerk = session(browser, base, "huining-clerk")
    lead_ctx, lead = session(browser, base, "huining-lead")
    rev_ctx, reviewer = session(browser, base, "baiyin-reviewer", width=1366, height=900)
    todo(clerk, 0), todo(lead, 0), todo(reviewer, 0)

    # The lead signs the table off; the clerk submits it with the warning explained.
    clerk.goto(SUBMISSION)
    expect(clerk.locator("#signoff")).to_contain_text("尚未审核")
    lead.goto(SUBMISSION)
    todo(lead, 0)  # no submission record yet: nothing is waiting
    lead.get_by_role("button", name="审核同意报送").click()
    expect(lead.locator("#signoff")).to_contain_text("已于")
    clerk.goto(SUBMISSION)
    clerk.locator("#submit-form textarea[name^='explain:']").first.fill("分项之间存在交叉统计，已逐项核实。")
    clerk.get_by_role("button", name="报送上级审核").click()
    expect(clerk.locator("#state")).to_have_text("已报送")
    todo(clerk, 0), todo(lead, 0), todo(reviewer, 1)

    # The city's table: 合计 and every county column equal to `xiezuo rollup --format json`.
    reviewer.goto(CITY)
    expect(reviewer.locator("#area-table")).to_be_visible()
    result = run_cli(capsys, "rollup", "--org", "620400", "--year", "2023", "--format", "json")
    data = json.loads(result.out)
    cells = cells_of(reviewer.content())
    for row in data["rows"]:
        for org_code, value in row["values"].items():
            assert cells[(row["code"], org_code)] == (value or "").strip(), (row["code"], org_code)
    expect(reviewer.locator("th[data-org='620422']")).to_contain_text("已报送")
    expect(reviewer.locator("th[data-org='620421']")).to_contain_text("未填报")
    shot(reviewer, "table", full_page=False)
    with reviewer.expect_download() as download:
        reviewer.locator("#export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # From a cell to 会宁县's table; a comment on one row posts and stays beside the row.
    reviewer.locator("#row-meet_party td[data-org='620422'] a").click()
    expect(reviewer.locator("h1")).to_contain_text("会宁县")
    row = reviewer.locator("#row-meet_party")
    centre(row)
    row.get_by_text("对本行提意见").click()
    row.locator("textarea[name=comment]").fill("党委常委会会议次数与会议记录不符，请核实。")
    row.get_by_role("button", name="提交意见").click()
    expect(reviewer.locator("#row-meet_party .comment")).to_contain_text("党委常委会会议次数与会议记录不符")
    stored = SubmissionEvent.objects.get(kind=EventKind.COMMENT, row_code="meet_party")
    assert stored.by_name == "陈志明"
    reviewer.goto(SUBMISSION)
    expect(reviewer.locator("#commented-rows")).to_contain_text("党委常委会会议")
    reviewer.get_by_label("退回意见（必填）").fill("请按逐行意见修改后重新报送。")
    reviewer.get_by_role("button", name="退回修改").click()
    expect(reviewer.locator("#state")).to_have_text("已退回")
    todo(reviewer, 0), todo(clerk, 2), todo(lead, 3)

    # The clerk: to-do page, the banner's list of commented rows, reply, resolve.
    clerk.goto("/todo/")
    expect(clerk.locator("#todo-list li")).to_have_count(2)
    expect(clerk.locator("#todo-list")).to_contain_text("退回修改")
    shot(clerk, "todo", full_page=False)
    clerk.locator("#todo-list a", has_text="党委常委会会议").click()
    expect(clerk.locator("#commented-rows")).to_contain_text("党委常委会会议")
    row = clerk.locator("#row-meet_party")
    centre(row)
    row.get_by_text("回复或标记已处理").click()
    row.locator(".reply-form textarea").fill("已核对会议记录，全年召开 5 次，已更正。")
    row.get_by_role("button", name="回复").click()
    expect(clerk.locator("#row-meet_party .reply")).to_contain_text("全年召开 5 次")
    row = clerk.locator("#row-meet_party")
    row.get_by_text("回复或标记已处理").click()
    row.get_by_role("button", name="标记为已处理").click()
    expect(clerk.locator("#row-meet_party .comment")).to_contain_text("已处理")
    todo(clerk, 1), todo(lead, 2)

    # The fix, the lead's new sign-off, the resubmission.
    save(clerk, "meet_party", "5")
    lead.goto(SUBMISSION)
    lead.get_by_role("button", name="审核同意报送").click()
    expect(lead.locator("#signoff")).to_contain_text("已于")
    todo(lead, 1)
    clerk.goto(SUBMISSION)
    clerk.get_by_role("button", name="报送上级审核").click()
    expect(clerk.locator("#state")).to_have_text("已报送")
    todo(clerk, 0), todo(lead, 0), todo(reviewer, 1)

    # The reviewer sees what changed since the last submission, and approves.
    reviewer.goto(SUBMISSION)
    changes = reviewer.locator("#changes-table")
    expect(changes).to_contain_text("党委常委会会议")
    expect(changes).to_contain_text("5 次")
    expect(changes).to_contain_text("王晓红")
    reviewer.get_by_role("button", name="审核通过").click()
    expect(reviewer.locator("#state")).to_have_text("已审核通过")
    todo(reviewer, 0), todo(clerk, 0), todo(lead, 0)

    # The city cannot submit upward while counties are not approved, unless it says which and why.
    reviewer.goto(CITY + "submission/")
    expect(reviewer.locator("#units-missing")).to_contain_text("靖远县")
    reviewer.get_by_role("button", name="报送上级审核").click()
    expect(reviewer.locator(".messages")).to_contain_text("尚未全部审核通过")
    expect(reviewer.locator("#state")).not_to_have_text("已报送")
    reviewer.get_by_label("缺报单位及原因").fill("白银区、平川区、靖远县、景泰县数据仍在核实，会宁县已审核通过。")
    reviewer.get_by_role("button", name="报送上级审核").click()
    expect(reviewer.locator("#state")).to_have_text("已报送")
    prov_ctx, province = session(browser, base, "gansu-reviewer")
    todo(province, 1)
    province.goto(CITY + "submission/")
    expect(province.locator("#timeline")).to_contain_text("数据仍在核实")

    # Assessment of the city's counties.
    reviewer.goto(CITY + "assessment/")
    expect(reviewer.locator("#assessment-table tbody tr")).to_have_count(5)
    expect(reviewer.locator("#scheme")).to_contain_text("示例方案，非官方")
    expect(reviewer.locator("#bar-chart svg")).to_be_visible()
    reviewer.wait_for_timeout(300)
    shot(reviewer, "assessment", full_page=False)

    # An administrator creates a 靖远县 clerk, who logs in and edits 靖远县's table.
    admin_ctx, admin = session(browser, base, "admin")
    admin.goto("/manage/users/")
    admin.locator("#new-user").click()
    admin.get_by_label("登录名").fill("jingyuan-clerk2")
    admin.get_by_label("姓名").fill("马小军")
    admin.get_by_label("单位").select_option("620421")
    admin.get_by_label("角色").select_option("county_clerk")
    admin.get_by_label("初始密码（至少 8 位）").fill("Jy-2023-clerk")
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator(".messages")).to_contain_text("已新增用户")
    new_ctx = browser.new_context(base_url=base, locale="zh-CN")
    newbie = new_ctx.new_page()
    newbie.goto("/login/")
    newbie.get_by_label("用户名").fill("jingyuan-clerk2")
    newbie.get_by_label("密码").fill("Jy-2023-clerk")
    newbie.get_by_role("button", name="登录").click()
    expect(newbie.locator("h1")).to_contain_text("靖远县")
    save(newbie, "meet_party", "3")
    expect(newbie.locator("#row-meet_party .saved")).to_be_visible()
    for ctx in (clerk_ctx, lead_ctx, rev_ctx, prov_ctx, admin_ctx, new_ctx):
        ctx.close()


def test_dashboards_and_city_pages_at_1024_px(demo, live_server, browser, artifacts_dir):  # type: ignore[no-untyped-def]
    shot = Shots(artifacts_dir, "w1024")
    ctx, page = session(browser, live_server.url, "baiyin-reviewer", width=1024, height=768)
    for url, chart in (("/org/620400/2023/dashboard/", "#chart-completeness svg"),
                       ("/org/620400/2023/assessment/", "#bar-chart svg"),
                       ("/org/620400/2023/comparison/", "#bar-chart svg")):
        page.goto(url)
        expect(page.locator(chart)).to_be_visible()
        # The page itself never scrolls sideways at 1024 px: wide tables scroll in their own box.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), url
        page.wait_for_timeout(300)
        shot(page, url.strip("/").split("/")[-1])
    # The completeness axis ends at 100 %.
    page.goto("/org/620400/2023/dashboard/")
    ticks = [t or "" for t in page.locator("#chart-completeness svg text").all_text_contents()]
    numbers = [int(t) for t in ticks if t.isdigit()]
    assert numbers and max(numbers) <= 100, ticks
    ctx.close()
