"""The progress page of a county and the area page of a city: what a user sees and does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo.assessment.models import Target
from xiezuo.ledgers.models import FundProject
from xiezuo.ledgers.projects import project_notice_add
from xiezuo.orgunits.models import OrgUnit
from xiezuo.progress.models import Snapshot


def test_the_county_sees_its_rates_periods_curve_and_findings(login, huining) -> None:  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    body = client.get("/org/620422/2023/progress/?as_of=2023-11-20").content.decode()
    assert "开工率" in body and "完工率" in body and "资金支出进度" in body
    assert "2023年6月" in body and "已冻结" in body
    assert 'id="chart-curve"' in body and '<script src="/static/vendor/echarts/echarts.min.js">' in body
    assert 'src="http' not in body and "//cdn" not in body  # ECharts from the app's static files only
    assert "只公示 7 天，少于规定的 10 天" in body  # a short notice of the demo register
    # A bad day is refused with a Chinese message, not a crash.
    bad = client.get("/org/620422/2023/progress/?as_of=2023-02-30").content.decode()
    assert "格式应为 2023-09-30" in bad


def test_two_snapshots_compare_on_the_page(login, huining) -> None:  # type: ignore[no-untyped-def]
    client = login("huining-lead")
    body = client.get("/org/620422/2023/progress/?from=2023-06&to=2023-11").content.decode()
    june = Snapshot.objects.get(org=huining, period__kind="month", period__number=6).values
    nov = Snapshot.objects.get(org=huining, period__kind="month", period__number=11).values
    assert 'id="compare-table"' in body
    assert f'<td class="num">{june["labour_new_east"]}</td><td class="num">{nov["labour_new_east"]}</td>' in body


def test_a_step_is_recorded_from_the_page_and_an_out_of_order_one_refused(login, huining) -> None:  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    project = FundProject.objects.filter(org=huining, year=2023, stage="started").first()
    assert project is not None
    url = f"/org/620422/2023/progress/projects/{project.pk}/"
    refused = client.post(url, {"stage": "accepted", "date": "2023-12-01"}, follow=True).content.decode()
    assert f"项目「{project.name}」当前为「启动」，不能转为「验收」；下一步应为「完工」" in refused
    done = client.post(url, {"stage": "completed", "date": "2023-12-01"}, follow=True).content.decode()
    assert "已登记为「完工」" in done
    project.refresh_from_db()
    assert project.stage == "completed" and project.completed_on == dt.date(2023, 12, 1)
    # Another county's clerk gets a 404, the city reviewer a 404 on the write too (edit is the county's).
    assert login("jingyuan-clerk").post(url, {"stage": "accepted", "date": "2023-12-02"}).status_code == 404
    assert login("baiyin-reviewer").post(url, {"stage": "accepted", "date": "2023-12-02"}).status_code == 404


def test_the_city_area_page_lists_rates_by_unit_and_targets_at_risk_sorted_by_gap(login, huining) -> None:  # type: ignore[no-untyped-def]
    # 会宁县's target well above its September course, so it is at risk as of 30 September.
    Target.objects.filter(org=huining, year=2023, code="labour_new_east").delete()
    Target.objects.create(org=huining, year=2023, code="labour_new_east", number=Decimal(400))
    client = login("baiyin-reviewer")
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/org/620400/2023/area/?as_of=2023-09-30").content.decode()
    assert len(ctx.captured_queries) < 60
    assert 'id="chart-rates"' in body and 'data-org="620422"' in body
    assert 'data-row="labour_new_east"' in body
    rows = body.split('id="at-risk-list"')[1].split("</table>")[0]
    gaps = [Decimal(x.split("%")[0]) for x in rows.split('finding error">')[1:]]
    assert gaps == sorted(gaps, reverse=True) and gaps
    # The to-do list on the reviewer's landing page says so too.
    review = client.get("/org/620400/2023/review/").content.decode()
    assert "待办" in review and "年度目标可能完不成" in review


def test_a_late_notice_on_the_county_shows_on_the_area_page_count(login, huining) -> None:  # type: ignore[no-untyped-def]
    project = FundProject.objects.filter(org=huining, year=2023).exclude(accepted_on=None).first()
    assert project is not None and project.accepted_on is not None
    project_notice_add(project_id=project.pk, stage="accepted", posted_on=project.accepted_on + dt.timedelta(days=30),
                       days=3, place="村务公开栏", hotline="12317", by=None)
    body = login("gansu-reviewer").get("/org/620000/2023/area/").content.decode()
    row = body.split('data-org="620422"')[1].split("</tr>")[0]
    assert 'finding warning' in row
    county = login("huining-clerk").get("/org/620422/2023/progress/").content.decode()
    assert "验收公示只公示 3 天" in county and "才发布，晚于规定的 5 个工作日" in county


def test_pages_answer_404_at_the_wrong_level(login, demo) -> None:  # type: ignore[no-untyped-def]
    client = login("admin")
    assert client.get("/org/620400/2023/progress/").status_code == 404
    assert client.get("/org/620422/2023/area/").status_code == 404
    assert OrgUnit.objects.filter(code="620422").exists()


def test_a_person_counted_by_two_counties_is_shown_masked_and_resolved_by_the_city(login, huining) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.ledgers import idcard
    from xiezuo.ledgers.models import LabourPlacement
    from xiezuo.ledgers.services import ledger_record_create

    person = LabourPlacement.objects.filter(org=huining, year=2023).order_by("pk").first()
    assert person is not None
    jingyuan = OrgUnit.objects.get(code="620421")
    ledger_record_create(kind="labour_placements", org=jingyuan, year=2023, by=None, data={
        "name": person.name, "id_number": person.id_number, "poverty_status": "脱贫", "destination": "省内就近",
        "start_date": "2023-05-01", "new_this_year": "是"})
    masked = idcard.mask(person.id_number)
    for username, code in (("huining-clerk", "620422"), ("jingyuan-clerk", "620421")):
        body = login(username).get(f"/org/{code}/2023/progress/").content.decode()
        part = body.split('id="conflict-list"')[1]
        assert masked in part and "会宁县" in part and "靖远县" in part and person.id_number not in body
    city = login("baiyin-reviewer")
    page = city.get("/org/620400/2023/area/").content.decode()
    assert "待处理重复统计 <strong>1</strong>" in page
    key = page.split('name="key" value="')[1].split('"')[0]
    done = city.post("/org/620400/2023/conflicts/resolve/", {"kind": "person", "key": key,
                                                            "note": "经核实为同一人，靖远县记录有误"}, follow=True)
    text = done.content.decode()
    assert "已处理这条重复统计" in text and "待处理重复统计 <strong>0</strong>" in text
    assert "经核实为同一人，靖远县记录有误" in text


@pytest.fixture
def demo(demo_with_progress):  # type: ignore[no-untyped-def]
    """The whole demo, register histories and snapshots included."""
    return demo_with_progress
