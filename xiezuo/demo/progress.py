"""The demo through the year: 甘肃省's 2023 reporting periods and project policy, a register
history for every demo project, and each demo county's periodic snapshots.

The report states where each project stood at year end, not when each step happened: the days of
the steps, the money records and the public notices are made up by a seeded generator (notes say
合成), consistent with each project's 实施状态, its planned days and its allocated and used funds.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from xiezuo.ledgers.models import FundProject, LabourPlacement, ProjectMilestone
from xiezuo.ledgers.projects import (
    STAGES,
    project_funding_add,
    project_history_backfill,
    project_notice_add,
    project_transition,
    stage_index,
)
from xiezuo.orgunits.models import OrgUnit
from xiezuo.progress.models import ReportingPeriod
from xiezuo.progress.periods import periods_for
from xiezuo.progress.services import periods_create, policy_set, snapshots_backfill

DEMO_YEAR = 2023
DEMO_PROVINCE = "620000"
SYNTH_NOTE = "合成：演示用的项目进度"
LAST_DAY = dt.date(DEMO_YEAR, 11, 20)  # the day the report was written


def _workday_after(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _register_history(project: FundProject, rng: random.Random, by: AbstractBaseUser | None) -> None:
    year_start = dt.date(project.year, 1, 1)
    allocated_on = project.allocated_on or dt.date(project.year, 3, 1)
    approved = max(year_start, allocated_on - dt.timedelta(days=rng.randint(5, 25)))
    dates = {"approved": approved}
    if stage_index(project.stage) >= stage_index("started"):
        planned = project.planned_start or approved + dt.timedelta(days=30)
        dates["started"] = min(max(approved, planned + dt.timedelta(days=rng.randint(-10, 25))), LAST_DAY)
    if project.stage == "completed":
        target = project.planned_completion or dates["started"] + dt.timedelta(days=120)
        dates["completed"] = min(max(dates["started"] + dt.timedelta(days=20),
                                     target + dt.timedelta(days=rng.randint(-30, 20))), LAST_DAY)
    project_history_backfill(project_id=project.pk, dates=dates, by=by, note=SYNTH_NOTE)
    notice_day = _workday_after(approved, rng.choice([1, 2, 3, 3, 4, 8]))
    project_notice_add(project_id=project.pk, stage="approved", posted_on=notice_day,
                       days=rng.choice([10, 10, 10, 15, 7]), place="项目所在村村务公开栏", hotline="0943-3221234",
                       by=by)
    project_funding_add(project_id=project.pk, kind="allocation", date=allocated_on, amount=project.allocated,
                        by=by, note=SYNTH_NOTE)
    if project.used:
        paid_from = max(allocated_on, dates.get("started", allocated_on))
        parts = rng.randint(1, 3) if project.used >= 3 else 1
        first = (project.used / parts).quantize(Decimal("0.0001"))
        amounts = [first] * (parts - 1) + [project.used - first * (parts - 1)]
        for i, amount in enumerate(amounts):
            day = min(paid_from + dt.timedelta(days=20 * (i + 1)), LAST_DAY)
            project_funding_add(project_id=project.pk, kind="payment", date=max(day, allocated_on), amount=amount,
                                by=by, note=SYNTH_NOTE)
    if project.stage == "completed" and rng.random() < 0.5:
        accepted = min(dates["completed"] + dt.timedelta(days=rng.randint(5, 20)), dt.date(project.year, 12, 20))
        project_transition(project_id=project.pk, stage="accepted", date=accepted, by=by, note=SYNTH_NOTE)
        project_notice_add(project_id=project.pk, stage="accepted", posted_on=_workday_after(accepted, 2),
                           days=10, place="项目所在村村务公开栏", hotline="0943-3221234", by=by)
        if rng.random() < 0.5:
            paid = min(accepted + dt.timedelta(days=rng.randint(10, 25)), dt.date(project.year, 12, 31))
            project_transition(project_id=project.pk, stage="paid", date=paid, by=by, note=SYNTH_NOTE)
    assert project.stage in STAGES


def demo_progress_load(*, by: AbstractBaseUser | None = None) -> dict[str, int]:
    """Periods and policy (set by 甘肃省), register histories, every period's snapshot of each
    county that keeps ledgers. Safe to run twice: what exists is left as it is."""
    province = OrgUnit.objects.get(code=DEMO_PROVINCE)
    made = {"periods": 0, "projects": 0, "snapshots": 0}
    with transaction.atomic():
        if not ReportingPeriod.objects.filter(set_by=province, year=DEMO_YEAR).exists():
            made["periods"] = len(periods_create(set_by=province, year=DEMO_YEAR, by=by))
            policy_set(set_by=province, year=DEMO_YEAR, by=by, notice_min_days=10, notice_max_delay_workdays=5,
                       start_by=dt.date(DEMO_YEAR, 9, 30))
        counties = OrgUnit.objects.filter(
            pk__in=LabourPlacement.objects.filter(year=DEMO_YEAR, org__path__startswith=province.path)
            .values("org_id").distinct()
        ).order_by("code")
        for county in counties:
            rng = random.Random(f"register-{county.code}-{DEMO_YEAR}")  # noqa: S311 — demo figures
            dated = set(ProjectMilestone.objects.filter(project__org=county, project__year=DEMO_YEAR)
                        .values_list("project_id", flat=True))
            for project in FundProject.objects.filter(org=county, year=DEMO_YEAR).order_by("pk"):
                if project.pk not in dated:
                    _register_history(project, rng, by)
                    made["projects"] += 1
            periods = [p for p in periods_for(county, DEMO_YEAR) if not p.snapshots.filter(org=county).exists()]
            made["snapshots"] += len(snapshots_backfill(org=county, periods=periods, by=by))
    return made
