"""What the progress pages and commands show, assembled in a fixed number of queries: a unit's
periods, snapshots, project register with rates and findings, targets and conflicts; an area's
units × rates, targets at risk and conflicts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from xiezuo.catalogue.loader import Row
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.ledgers.models import FundProject
from xiezuo.ledgers.projects import Deadlines, ProjectFinding, Rates, findings_for, rates_for, register_for
from xiezuo.orgunits.models import Level, OrgUnit
from xiezuo.progress.duplicates import Conflict, conflicts_for, conflicts_known
from xiezuo.progress.models import ProgressPolicy, ReportingPeriod, Snapshot
from xiezuo.progress.periods import periods_for, policy_for, snapshots_for
from xiezuo.progress.targets import TargetStatus, target_statuses


def default_as_of(year: int, today: dt.date | None = None) -> dt.date:
    """Today inside the year; the year's last day once it is over (its first before it starts)."""
    today = today or timezone.localdate()
    return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def deadlines_of(policy: ProgressPolicy) -> Deadlines:
    return Deadlines(notice_min_days=policy.notice_min_days, notice_max_delay_workdays=policy.notice_max_delay_workdays,
                     start_by=policy.start_by, complete_by=policy.complete_by)


def progress_rows(year: int) -> list[Row]:
    """The rows the progress curve follows: key rows derived from the ledgers (not their 其中
    rows), in the unit most of them share so one axis fits."""
    rows = [r for r in get_catalogue(year).rows if r.derive is not None and r.key and r.relation != "subset"]
    if not rows:
        return []
    units = [r.unit for r in rows]
    common = max(units, key=units.count)
    return [r for r in rows if r.unit == common]


@dataclass
class PeriodLine:
    period: ReportingPeriod
    snapshot: Snapshot | None
    due: bool  # its cut-off has passed as of the page's day


@dataclass
class UnitProgress:
    org: OrgUnit
    year: int
    as_of: dt.date
    policy: ProgressPolicy
    periods: list[PeriodLine]
    snapshots: list[Snapshot]
    rates: Rates | None
    projects: list[FundProject]
    findings: list[ProjectFinding]
    targets: list[TargetStatus]
    conflicts: list[Conflict]
    curve_rows: list[Row] = field(default_factory=list)

    def findings_of(self, project_id: int) -> list[ProjectFinding]:
        return [f for f in self.findings if f.project_id == project_id]

    def curve(self) -> dict[str, object]:
        """Chart data: each key row's value at each snapshot up to the page's day (months only)."""
        shown = [s for s in self.snapshots if s.as_of <= self.as_of]
        months = [s for s in shown if s.period.kind == "month"] or shown
        return {
            "days": [s.as_of.isoformat() for s in months],
            "unit": self.curve_rows[0].unit if self.curve_rows else "",
            "series": [{"code": r.code, "name": f"{r.label.split('. ', 1)[-1]}（{r.unit}）", "unit": r.unit,
                        "values": [s.values.get(r.code) for s in months]} for r in self.curve_rows],
        }


def unit_progress(org: OrgUnit, year: int, *, as_of: dt.date | None = None) -> UnitProgress:
    as_of = as_of or default_as_of(year)
    policy = policy_for(org, year)
    snapshots = snapshots_for([org], year).get(org.pk, [])
    frozen = {s.period_id: s for s in snapshots}
    periods = [PeriodLine(period=p, snapshot=frozen.get(p.pk), due=p.ends_on <= as_of) for p in periods_for(org, year)]
    register = register_for([org.pk], year)
    statuses = target_statuses(org, year, as_of=as_of)
    return UnitProgress(
        org=org, year=year, as_of=as_of, policy=policy, periods=periods, snapshots=snapshots,
        rates=rates_for([org.pk], year=year, as_of=as_of).get(org.pk), projects=register.projects,
        findings=findings_for(register, as_of=as_of, deadlines=deadlines_of(policy)), targets=statuses,
        conflicts=conflicts_for(org, year), curve_rows=progress_rows(year),
    )


@dataclass
class AreaUnit:
    org: OrgUnit
    rates: Rates | None
    findings: int
    late: int
    snapshots: int


@dataclass
class AreaProgress:
    area: OrgUnit
    year: int
    as_of: dt.date
    units: list[AreaUnit]
    at_risk: list[TargetStatus]
    conflicts: list[Conflict] | None  # None: a province's or the nation's scan is due (重新检查, a job)

    def rates_chart(self) -> dict[str, object]:
        def value(u: AreaUnit, name: str) -> str | None:
            r = getattr(u.rates, name) if u.rates else None
            return None if r is None else f"{r:f}"

        shown = [u for u in self.units if u.rates is not None]
        return {"labels": [u.org.name for u in shown],
                "series": {label: [value(u, name) for u in shown] for name, label in
                           (("start_rate", "开工率"), ("completion_rate", "完工率"), ("spend_rate", "资金支出进度"))}}


LATE = ("late_start", "late_completion", "deadline_start", "deadline_completion")


def area_progress(
    area: OrgUnit, year: int, *, as_of: dt.date | None = None, viewer: AbstractBaseUser | None = None
) -> AreaProgress:
    """Every western county below the area: rates, findings and frozen snapshots as of a day;
    targets at risk sorted by shortfall; the duplicate conflicts touching the area."""
    as_of = as_of or default_as_of(year)
    counties = list(OrgUnit.objects.filter(level=Level.COUNTY, side="west", path__startswith=area.path)
                    .order_by("code")) if area.level != Level.NATION else \
        list(OrgUnit.objects.filter(level=Level.COUNTY, side="west").order_by("code"))
    ids = [c.pk for c in counties]
    rates = rates_for(ids, year=year, as_of=as_of)
    deadlines = deadlines_of(policy_for(area, year))
    findings = findings_for(register_for(ids, year), as_of=as_of, deadlines=deadlines)
    frozen: dict[int, int] = {}
    for org_id in Snapshot.objects.filter(org_id__in=ids, period__year=year, as_of__lte=as_of) \
            .values_list("org_id", flat=True):
        frozen[org_id] = frozen.get(org_id, 0) + 1
    units = [AreaUnit(org=c, rates=rates.get(c.pk), findings=sum(1 for f in findings if f.org_id == c.pk),
                      late=sum(1 for f in findings if f.org_id == c.pk and f.check in LATE),
                      snapshots=frozen.get(c.pk, 0)) for c in counties]
    statuses = target_statuses(area, year, as_of=as_of)
    return AreaProgress(area=area, year=year, as_of=as_of, units=units,
                        at_risk=[s for s in statuses if s.at_risk],
                        conflicts=area_conflicts(area, year))


def scan_in_job(area: OrgUnit) -> bool:
    """A province's and the nation's duplicate scan group the placements of a hundred counties or
    more (1.5 s and up at national size): they run as a job, never inside a page's request."""
    return area.level in (Level.PROVINCE, Level.NATION)


def area_conflicts(area: OrgUnit, year: int) -> list[Conflict] | None:
    """The conflicts an area's pages show; None when a province's or the nation's scan is due."""
    seen = area if area.level != Level.NATION else None
    return conflicts_known(seen, year) if scan_in_job(area) else conflicts_for(seen, year)


@dataclass(frozen=True)
class Todo:
    """What the review page's 待办 box lists for a city or province."""

    at_risk: list[TargetStatus]
    open_conflicts: int | None  # None: the area's scan is due


def todo_for(area: OrgUnit, year: int) -> Todo:
    from xiezuo.progress.duplicates import open_count

    conflicts = area_conflicts(area, year)
    return Todo(at_risk=[s for s in target_statuses(area, year) if s.at_risk],
                open_conflicts=open_count(conflicts) if conflicts is not None else None)
