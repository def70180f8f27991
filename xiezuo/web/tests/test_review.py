"""Review that works: row comments, replies and resolution, what changed since the last submission,
the lead's sign-off, the city's gated submission, deadlines and the to-do list at each step."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.utils import timezone

from xiezuo.core.models import ChangeRecord
from xiezuo.orgunits.models import OrgUnit
from xiezuo.orgunits.services import orgunit_update
from xiezuo.submissions.models import EventKind, State, Submission, SubmissionEvent
from xiezuo.submissions.services import submission_approve, submission_ensure
from xiezuo.tables.models import DataValue

TABLE = "/org/620422/2023/"
SUBMISSION = TABLE + "submission/"


def todo_count(client) -> int:  # type: ignore[no-untyped-def]
    body = client.get("/todo/").content.decode()
    shown = re.search(r'id="todo-count">(\d+)<', body)
    assert shown is not None
    items = body.count("<li data-kind=")
    assert int(shown.group(1)) == items, "the navigation's count is the page's list"
    return items


def _explanations(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    body = client.get(SUBMISSION).content.decode()
    return {name: "已核实" for name in re.findall(r'name="(explain:[^"]+)"', body)}


def _submit(client, **extra: str):  # type: ignore[no-untyped-def]
    body = client.get(SUBMISSION).content.decode()
    version = re.search(r'name="version" value="(\d+)"', body).group(1)  # type: ignore[union-attr]
    return client.post(SUBMISSION + "submit/", {"version": version, **_explanations(client), **extra})


def _version(code: str) -> int:
    return DataValue.objects.get(org__code="620422", year=2023, code=code).version


def test_the_review_round_trip_with_to_do_counts(login):  # type: ignore[no-untyped-def]
    huining = OrgUnit.objects.get(code="620422")
    orgunit_update(org=huining, name=huining.name, lead_signoff_required=True)
    clerk, lead, reviewer = login("huining-clerk"), login("huining-lead"), login("baiyin-reviewer")
    assert todo_count(clerk) == 0 and todo_count(reviewer) == 0

    # Without the lead's sign-off the clerk cannot submit; the lead sees it waiting.
    response = _submit(clerk)
    assert response.status_code == 400 and "负责人审核" in response.content.decode()
    assert todo_count(lead) == 1
    assert lead.post(SUBMISSION + "signoff/", {"comment": "同意报送"}).status_code == 302
    assert todo_count(lead) == 0
    assert _submit(clerk).status_code == 302
    assert Submission.objects.get(org=huining, year=2023).state == State.SUBMITTED
    assert todo_count(reviewer) == 1

    # The reviewer comments on a row from the table page: the form is a normal post, stored, shown.
    body = reviewer.get(TABLE).content.decode()
    assert "对本行提意见" in body and "web/app.js" in body and "<script>" not in body
    response = reviewer.post(SUBMISSION + "comment/", {"comment": "请核对会议次数", "row": "meet_party",
                                                       "back": "table"})
    assert response.status_code == 302 and response["Location"].endswith("#row-meet_party")
    comment = SubmissionEvent.objects.get(kind=EventKind.COMMENT, row_code="meet_party")
    assert comment.by_name == "陈志明"
    sub = Submission.objects.get(org=huining, year=2023)
    response = reviewer.post(SUBMISSION + "return/", {"comment": "请按意见修改", "version": sub.version})
    assert response.status_code == 302

    # The clerk: returned + one open comment; the banner lists the commented row with a link.
    assert todo_count(clerk) == 2
    assert todo_count(lead) == 3  # returned, the open comment, and a new sign-off after the return
    body = clerk.get(TABLE).content.decode()
    assert 'id="commented-rows"' in body and 'href="/org/620422/2023/#row-meet_party"' in body
    assert "请核对会议次数" in body and "待处理" in body
    # The clerk replies and marks it resolved.
    response = clerk.post(SUBMISSION + "reply/", {"comment_id": comment.pk, "comment": "已按拨付文件更正",
                                                  "back": "table"})
    assert response.status_code == 302
    assert clerk.post(SUBMISSION + "resolve/", {"comment_id": comment.pk}).status_code == 302
    assert todo_count(clerk) == 1
    comment.refresh_from_db()
    assert comment.resolved_at is not None and comment.resolved_by_name == "王晓红"
    assert "已按拨付文件更正" in reviewer.get(SUBMISSION).content.decode()
    # A reviewer cannot mark the unit's comment resolved (that is the unit's own step).
    assert reviewer.post(SUBMISSION + "reopen_comment/", {"comment_id": comment.pk}).status_code == 403

    # The clerk fixes the value; the earlier sign-off has lapsed, the lead signs again, the clerk resubmits.
    old = DataValue.objects.get(org=huining, year=2023, code="meet_party").number
    new = old + 1
    clerk.post(TABLE + "cell/meet_party/", {"value": str(new), "version": _version("meet_party")},
               HTTP_HX_REQUEST="true")
    assert todo_count(lead) == 2  # returned, and the sign-off
    lead.post(SUBMISSION + "signoff/", {})
    assert todo_count(lead) == 1
    response = _submit(clerk)
    assert response.status_code == 302, re.findall(r"<li class=\"error\"[^>]*>([^<]+)", response.content.decode())
    assert todo_count(clerk) == 0 and todo_count(lead) == 0 and todo_count(reviewer) == 1

    # The reviewer sees what changed since the last submission: row, old → new, who.
    body = reviewer.get(SUBMISSION).content.decode()
    section = body.split('id="changes-since"')[1].split("</section>")[0]
    assert "与上次报送相比的修改（1 处）" in body
    assert "党委常委会会议" in section and f"{old:.0f} 次" in section and f"{new:.0f} 次" in section
    assert "王晓红" in section
    sub.refresh_from_db()
    assert reviewer.post(SUBMISSION + "approve/", {"version": sub.version}).status_code == 302
    assert todo_count(reviewer) == 0


def test_the_city_submits_only_with_every_county_approved_or_a_statement(login):  # type: ignore[no-untyped-def]
    city_client = login("baiyin-reviewer")
    province = login("gansu-reviewer")
    city = OrgUnit.objects.get(code="620400")
    response = city_client.post("/org/620400/2023/submission/submit/", {"version": "0"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "尚未全部审核通过" in text and "会宁县" in text and "缺报单位及原因" in text
    assert not Submission.objects.filter(org=city, year=2023, state=State.SUBMITTED).exists()
    statement = "靖远县因机构调整延期，预计下月补报"
    response = city_client.post("/org/620400/2023/submission/submit/",
                                {"version": Submission.objects.get(org=city, year=2023).version,
                                 "missing_statement": statement})
    assert response.status_code == 302
    assert Submission.objects.get(org=city, year=2023).state == State.SUBMITTED
    # Shown to the level above, and recorded.
    body = province.get("/org/620400/2023/submission/").content.decode()
    assert statement in body and "【缺报】" in body and "靖远县" in body
    assert todo_count(province) == 1


def test_with_every_county_approved_the_city_submits_without_a_statement(login):  # type: ignore[no-untyped-def]
    reviewer_user = get_user_model().objects.get(username="baiyin-reviewer")
    for unit in OrgUnit.objects.filter(parent__code="620400"):
        sub = submission_ensure(org=unit, year=2023)
        Submission.objects.filter(pk=sub.pk).update(state=State.SUBMITTED)
        sub.refresh_from_db()
        submission_approve(submission=sub, by=reviewer_user)
    client = login("baiyin-reviewer")
    response = client.post("/org/620400/2023/submission/submit/", {"version": "0"})
    assert response.status_code == 302, response.content.decode()[:500]


def test_deadline_set_by_the_city_makes_late_counties_a_to_do(login):  # type: ignore[no-untyped-def]
    client = login("baiyin-reviewer")
    yesterday = timezone.localdate() - dt.timedelta(days=2)
    assert client.post("/org/620400/2023/deadline/", {"due": yesterday.isoformat()}).status_code == 302
    assert ChangeRecord.objects.filter(action="deadline.set", org_code="620400").exists()
    body = client.get("/todo/").content.decode()
    assert body.count('data-kind="逾期未报送"') == 5 and "靖远县" in body
    # The county sees the deadline its city set.
    assert "报送截止日期" in login("huining-clerk").get(SUBMISSION).content.decode()
    # A county cannot set deadlines, nor may another area's reviewer for this city.
    assert login("huining-clerk").post("/org/620400/2023/deadline/", {"due": "2023-12-01"}).status_code == 404
    bad = client.post("/org/620400/2023/deadline/", {"due": "明天"}, follow=True).content.decode()
    assert "不是有效日期" in bad


def test_partner_opinion_is_shown_on_the_submission(login):  # type: ignore[no-untyped-def]
    partner = login("heping-partner")
    response = partner.post(SUBMISSION + "opinion/", {"comment": "结对双方协作紧密，同意自评结果"})
    assert response.status_code == 302
    body = login("baiyin-reviewer").get(SUBMISSION).content.decode()
    assert 'id="partner-opinion"' in body and "同意自评结果" in body and "和平区" in body
    # Only the partner writes it.
    assert login("huining-clerk").post(SUBMISSION + "opinion/", {"comment": "自己写"}).status_code == 403


def test_partner_dashboard_shows_paired_counties_with_money_people_projects_sales(login):  # type: ignore[no-untyped-def]
    from xiezuo.orgunits.services import pairing_create

    heping, huining = OrgUnit.objects.get(code="120101"), OrgUnit.objects.get(code="620422")
    pairing_create(east=heping, west=huining, kind="school", start_year=2022, end_year=None)
    body = login("heping-partner").get("/").content.decode()
    row = body.split('<tr data-org="620422">')[1].split("</tr>")[0]
    assert "县（市、区）结对" in row and "学校结对" in row
    funds = DataValue.objects.get(org=huining, year=2023, code="funds_allocated").number
    assert f"{funds:f}".rstrip("0").rstrip(".") + " 万元" in row
    for header in ("已拨付到位财政援助资金数（万元）", "在东部结对省份就业的农村劳动力数（人）", "目前已启动实施项目数（项）",
                   "东部省份采购、帮助销售西部结对省份农副产品金额"):
        assert header in body, header
    # Other counties of the city are not the partner's.
    assert "靖远县" not in body


def test_partner_does_not_see_labourers_names_unless_allowed(login, settings):  # type: ignore[no-untyped-def]
    from xiezuo.ledgers.schema import ledger_of
    from xiezuo.ledgers.services import model_of

    person = model_of(ledger_of("labour_placements"))._default_manager.filter(org__code="620422", year=2023).first()
    assert person is not None and len(person.name) >= 2
    url = "/org/620422/2023/ledgers/labour_placements/"
    partner = login("heping-partner")
    body = partner.get(url).content.decode()
    assert person.name not in body and person.name[0] + "*" in body
    assert partner.get(url + "download/").status_code == 403
    assert person.name in login("huining-clerk").get(url).content.decode()
    settings.XIEZUO_PARTNER_SEES_NAMES = True
    assert person.name in partner.get(url).content.decode()
