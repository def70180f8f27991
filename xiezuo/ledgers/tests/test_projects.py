"""The fund-project register: transitions in order, rates by hand, late projects and notices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xiezuo.core.errors import InvalidTransition, InvalidValue, NotFound, PermissionDenied
from xiezuo.core.models import ChangeRecord
from xiezuo.ledgers.models import FundProject, ProjectMilestone
from xiezuo.ledgers.projects import (
    Deadlines,
    findings_for,
    project_funding_add,
    project_history_backfill,
    project_notice_add,
    project_transition,
    rates_for,
    register_for,
    workdays_after,
)
from xiezuo.ledgers.services import ledger_record_create, ledger_record_update
from xiezuo.orgunits.models import OrgUnit

YEAR = 2024  # a second year, on a county without demo ledgers


def _project(org: OrgUnit, name: str, **dates: str) -> FundProject:
    data: dict[str, object] = {"name": name, "category": "产业帮扶", "allocated": "100", "status": "计划实施", "key_county": "是",
            "resettlement": "否", **dates}
    created = ledger_record_create(kind="fund_projects", org=org, year=YEAR, data=data, by=None)
    assert isinstance(created, FundProject)
    return created


def _to(project: FundProject, *steps: tuple[str, str]) -> FundProject:
    for stage, day in steps:
        project = project_transition(project_id=project.pk, stage=stage, date=dt.date.fromisoformat(day), by=None)
    return project


@pytest.fixture
def jingyuan(base_orgs) -> OrgUnit:  # type: ignore[no-untyped-def]
    return OrgUnit.objects.get(code="620421")


def test_a_new_project_enters_at_its_status_and_moves_one_stage_at_a_time(jingyuan: OrgUnit) -> None:
    p = _project(jingyuan, "某村肉牛养殖项目")
    assert p.stage == "approved" and p.approved_on is None
    with pytest.raises(InvalidTransition) as exc:
        project_transition(project_id=p.pk, stage="accepted", date=dt.date(YEAR, 5, 1), by=None)
    assert exc.value.message == "项目「某村肉牛养殖项目」当前为「立项」，不能转为「验收」；下一步应为「启动」"
    p = _to(p, ("started", "2024-03-01"))
    assert p.status == "started" and p.started_on == dt.date(YEAR, 3, 1)
    with pytest.raises(InvalidValue, match="早于「启动」日期 2024-03-01"):
        project_transition(project_id=p.pk, stage="completed", date=dt.date(YEAR, 2, 1), by=None)
    p = _to(p, ("completed", "2024-06-01"), ("accepted", "2024-06-20"), ("paid", "2024-07-10"))
    assert p.status == "completed"
    with pytest.raises(InvalidValue, match="资产类别"):
        project_transition(project_id=p.pk, stage="handed_over", date=dt.date(YEAR, 8, 1), by=None)
    p = project_transition(project_id=p.pk, stage="handed_over", date=dt.date(YEAR, 8, 1), by=None,
                           asset_class="operating", asset_owner="某村股份经济合作社")
    assert (p.asset_class, p.asset_owner) == ("operating", "某村股份经济合作社")
    with pytest.raises(InvalidTransition, match="已走完全部阶段"):
        project_transition(project_id=p.pk, stage="handed_over", date=dt.date(YEAR, 8, 2), by=None)
    assert [m.stage for m in ProjectMilestone.objects.filter(project=p)] == [
        "started", "completed", "accepted", "paid", "handed_over"]
    assert ChangeRecord.objects.filter(action="project.transition", object_key=str(p.pk)).count() == 5
    # Editing the ledger record leaves the register's stage alone.
    p = ledger_record_update(kind="fund_projects", pk=p.pk, expected_version=p.version, by=None, data={
        "name": "某村肉牛养殖项目", "category": "产业帮扶", "allocated": "120", "status": "已完工",
        "key_county": "是", "resettlement": "否"})  # type: ignore[assignment]
    p.refresh_from_db()
    assert p.stage == "handed_over" and p.handed_over_on == dt.date(YEAR, 8, 1)


def test_only_the_countys_own_people_record_steps(demo) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    huining = OrgUnit.objects.get(code="620422")
    p = FundProject.objects.filter(org=huining, year=2023, stage="started").first()
    assert p is not None
    users = get_user_model().objects
    for name, refused in (("jingyuan-clerk", NotFound), ("baiyin-reviewer", PermissionDenied),
                          ("heping-partner", PermissionDenied)):
        with pytest.raises(refused):
            project_transition(project_id=p.pk, stage="completed", date=dt.date(2023, 11, 30), by=users.get(username=name))
    done = project_transition(project_id=p.pk, stage="completed", date=dt.date(2023, 11, 30),
                              by=users.get(username="huining-clerk"))
    assert done.stage == "completed"


def test_backfilled_days_follow_the_order_of_the_stages(jingyuan: OrgUnit) -> None:
    p = _project(jingyuan, "补记项目")
    p = _to(p, ("started", "2024-04-01"))
    with pytest.raises(InvalidValue, match="早于"):
        project_history_backfill(project_id=p.pk, dates={"approved": dt.date(YEAR, 5, 1)}, by=None)
    with pytest.raises(InvalidTransition, match="不能补记「完工」"):
        project_history_backfill(project_id=p.pk, dates={"completed": dt.date(YEAR, 5, 1)}, by=None)
    p = project_history_backfill(project_id=p.pk, dates={"approved": dt.date(YEAR, 2, 1)}, by=None)
    assert p.approved_on == dt.date(YEAR, 2, 1)


def test_rates_equal_the_hand_computed_ones(jingyuan: OrgUnit) -> None:
    a = _project(jingyuan, "甲项目")
    b = _project(jingyuan, "乙项目")
    c = _project(jingyuan, "丙项目")
    d = _project(jingyuan, "丁项目")
    for p, day in ((a, "2024-01-10"), (b, "2024-01-20"), (c, "2024-02-01"), (d, "2024-07-01")):
        project_history_backfill(project_id=p.pk, dates={"approved": dt.date.fromisoformat(day)}, by=None)
    _to(a, ("started", "2024-03-01"), ("completed", "2024-05-31"))
    _to(b, ("started", "2024-04-15"), ("completed", "2024-08-01"))
    _to(c, ("started", "2024-07-20"))
    for p, amount, day in ((a, "100", "2024-01-15"), (b, "200", "2024-02-01"), (c, "50", "2024-06-01"),
                           (d, "80", "2024-07-02")):
        project_funding_add(project_id=p.pk, kind="allocation", date=dt.date.fromisoformat(day),
                            amount=Decimal(amount), by=None)
    for p, amount, day in ((a, "60", "2024-04-01"), (a, "40", "2024-06-10"), (b, "50", "2024-05-01"),
                           (c, "10", "2024-08-01")):
        project_funding_add(project_id=p.pk, kind="payment", date=dt.date.fromisoformat(day),
                            amount=Decimal(amount), by=None)
    with pytest.raises(InvalidValue, match="将超过下达资金"):
        project_funding_add(project_id=c.pk, kind="payment", date=dt.date(YEAR, 8, 2), amount=Decimal("40.0001"), by=None)

    june = rates_for([jingyuan.pk], year=YEAR, as_of=dt.date(YEAR, 6, 30))[jingyuan.pk]
    # 30 June: approved a, b, c (d only in July); started a, b; completed a; allocated 350, paid 60+40+50.
    assert (june.approved, june.started, june.completed) == (3, 2, 1)
    assert june.start_rate == Decimal("66.7") and june.completion_rate == Decimal("33.3")
    assert (june.allocated, june.paid) == (Decimal(350), Decimal(150))
    assert june.spend_rate == Decimal("42.9")  # 150 / 350
    sept = rates_for([jingyuan.pk], year=YEAR, as_of=dt.date(YEAR, 9, 30))[jingyuan.pk]
    # 30 September: 4 approved, 3 started, 2 completed; 430 allocated, 160 paid.
    assert (sept.start_rate, sept.completion_rate, sept.spend_rate) == (Decimal("75.0"), Decimal("50.0"), Decimal("37.2"))


def test_a_late_project_and_a_short_or_late_notice_are_findings(jingyuan: OrgUnit) -> None:
    late = _project(jingyuan, "迟迟未开工项目", planned_start="2024-03-31", planned_completion="2024-09-30")
    fine = _project(jingyuan, "按期项目", planned_start="2024-03-31")
    for p in (late, fine):
        project_history_backfill(project_id=p.pk, dates={"approved": dt.date(YEAR, 3, 1)}, by=None)  # a Friday
    _to(fine, ("started", "2024-03-25"))
    project_notice_add(project_id=late.pk, stage="approved", posted_on=dt.date(YEAR, 3, 4), days=7,
                       place="村务公开栏", hotline="12317", by=None)
    # Posted 11 March: 6 working days after 1 March (4–8, 11).
    project_notice_add(project_id=fine.pk, stage="approved", posted_on=dt.date(YEAR, 3, 11), days=10,
                       place="县政府网站", hotline="12317", by=None)
    found = findings_for(register_for([jingyuan.pk], YEAR), as_of=dt.date(YEAR, 6, 30),
                         deadlines=Deadlines(notice_min_days=10, notice_max_delay_workdays=5,
                                             start_by=dt.date(YEAR, 5, 31)))
    by = {(f.project, f.check): f for f in found}
    assert set(by) == {("迟迟未开工项目", "late_start"), ("迟迟未开工项目", "deadline_start"),
                       ("迟迟未开工项目", "notice_short"), ("按期项目", "notice_late")}
    assert by[("迟迟未开工项目", "late_start")].message == (
        "项目「迟迟未开工项目」计划 2024-03-31 开工，截至 2024-06-30 仍未启动（逾期 91 天）")
    assert "只公示 7 天，少于规定的 10 天" in by[("迟迟未开工项目", "notice_short")].message
    assert by[("按期项目", "notice_late")].days == 6
    # Later in the year the planned completion has passed too; with a 7-day minimum the notice is fine.
    later = findings_for(register_for([jingyuan.pk], YEAR), as_of=dt.date(YEAR, 10, 31),
                         deadlines=Deadlines(notice_min_days=7, notice_max_delay_workdays=6))
    assert {(f.project, f.check) for f in later} == {("迟迟未开工项目", "late_start"),
                                                      ("迟迟未开工项目", "late_completion")}


def test_an_approval_without_any_notice_is_a_finding_once_the_notice_is_due(jingyuan: OrgUnit) -> None:
    p = _project(jingyuan, "未公示项目")
    project_history_backfill(project_id=p.pk, dates={"approved": dt.date(YEAR, 4, 1)}, by=None)  # a Monday
    deadlines = Deadlines(notice_max_delay_workdays=5)
    register = register_for([jingyuan.pk], YEAR)
    assert findings_for(register, as_of=dt.date(YEAR, 4, 8), deadlines=deadlines) == []
    (missing,) = findings_for(register, as_of=dt.date(YEAR, 4, 9), deadlines=deadlines)
    assert missing.check == "notice_missing" and "应在 2024-04-08 前发布" in missing.message


def test_working_days_skip_weekends() -> None:
    friday = dt.date(2024, 3, 1)
    assert workdays_after(friday, dt.date(2024, 3, 4)) == 1  # Monday
    assert workdays_after(friday, dt.date(2024, 3, 3)) == 0
    assert workdays_after(friday, dt.date(2024, 3, 15)) == 10
    assert workdays_after(friday, friday) == 0


@pytest.fixture
def demo(demo_with_progress):  # type: ignore[no-untyped-def]
    """The whole demo, register histories and snapshots included."""
    return demo_with_progress
