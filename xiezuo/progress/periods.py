"""Reporting periods and the table as of a day: periods set by the level above, snapshots frozen
when a periodic report is submitted, and the comparison of any two snapshots.

The table as of a day comes from the ledgers through `engine.derive.derive_as_of`: one grouped
query per ledger for every unit and every day asked, each row a stock or a flow as the template
declares.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from xiezuo.accounts.models import Role
from xiezuo.accounts.scope import Action, can, profile_of
from xiezuo.catalogue.loader import Row
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.changes import change_record
from xiezuo.core.errors import InvalidTransition, InvalidValue, NotFound, PermissionDenied
from xiezuo.engine.derive import derive_as_of
from xiezuo.ledgers.derivation import _execute, catalogue_specs
from xiezuo.orgunits.models import Level, OrgUnit
from xiezuo.progress.models import PeriodKind, ProgressPolicy, ReportingPeriod, Snapshot


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _next_month_day(day: dt.date, n: int) -> dt.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(n, calendar.monthrange(year, month)[1]))


def _may_set(by: AbstractBaseUser | None, org: OrgUnit) -> None:
    """Periods and policies are set by a city or province for its own units (or an administrator)."""
    if by is None:
        return
    profile = profile_of(by)
    allowed = profile is not None and can(by, Action.VIEW, org) and (
        profile.role == Role.ADMIN
        or (profile.role in (Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER) and profile.org.pk == org.pk)
    )
    if not allowed:
        raise PermissionDenied(f"您无权为{org.name}设定报告期和进度要求")


def periods_create(
    *, set_by: OrgUnit, year: int, by: AbstractBaseUser | None, month_due_day: int = 5, report_due_day: int = 5,
) -> list[ReportingPeriod]:
    """A year's periods for the units below `set_by`: 12 months, 2 half-years and the year, each
    standing as of its last day and due on the given day of the following month."""
    if set_by.level == Level.COUNTY:
        raise InvalidValue(f"报告期由上级设定，{set_by.name}是县级单位")
    for name, day in (("月报报送日", month_due_day), ("半年报和年报报送日", report_due_day)):
        if not 1 <= day <= 28:
            raise InvalidValue(f"{name}应为 1–28 日，而不是 {day}")
    get_catalogue(year)  # the year must have a template
    _may_set(by, set_by)
    plan: list[tuple[str, int, dt.date, dt.date]] = []
    for m in range(1, 13):
        end = _month_end(year, m)
        plan.append((PeriodKind.MONTH, m, end, _next_month_day(end, month_due_day)))
    for h, end in ((1, dt.date(year, 6, 30)), (2, dt.date(year, 12, 31))):
        plan.append((PeriodKind.HALF, h, end, _next_month_day(end, report_due_day)))
    plan.append((PeriodKind.YEAR, 1, dt.date(year, 12, 31), _next_month_day(dt.date(year, 12, 31), report_due_day)))
    with transaction.atomic():
        if ReportingPeriod.objects.filter(set_by=set_by, year=year).exists():
            raise InvalidValue(f"{set_by.name}已设定 {year} 年度的报告期")
        periods = [ReportingPeriod.objects.create(set_by=set_by, year=year, kind=kind, number=n, ends_on=end,
                                                  due_on=due) for kind, n, end, due in plan]
        change_record(actor=by, action="period.create", object_type="progress.period",
                      object_key=f"{set_by.code}/{year}", org_code=set_by.code, year=year,
                      new={"periods": len(periods), "month_due_day": month_due_day,
                           "report_due_day": report_due_day})
    return periods


def _ancestors(org: OrgUnit) -> list[str]:
    """Codes from the unit itself up to the top, nearest first."""
    return [c for c in org.path.strip("/").split("/") if c][::-1]


def periods_for(org: OrgUnit, year: int) -> list[ReportingPeriod]:
    """The periods that apply to a unit: those set by its nearest unit above that set any."""
    codes = _ancestors(org)
    found = list(ReportingPeriod.objects.filter(set_by__code__in=codes, year=year).select_related("set_by"))
    for code in codes:
        mine = [p for p in found if p.set_by.code == code]
        if mine:
            return sorted(mine, key=lambda p: (p.ends_on, ["month", "half", "year"].index(p.kind)))
    return []


def period_for(org: OrgUnit, year: int, key: str) -> ReportingPeriod:
    for p in periods_for(org, year):
        if p.key == key:
            return p
    raise NotFound(f"{org.name}没有报告期「{key}」（格式如 {year}-06、{year}-H1、{year}）")


def policy_for(org: OrgUnit, year: int) -> ProgressPolicy:
    """The nearest policy above (or of) the unit; the defaults when nobody set one."""
    codes = _ancestors(org)
    found = {p.set_by.code: p for p in ProgressPolicy.objects.filter(set_by__code__in=codes, year=year)
             .select_related("set_by")}
    for code in codes:
        if code in found:
            return found[code]
    return ProgressPolicy(set_by=org, year=year)


def policy_set(
    *, set_by: OrgUnit, year: int, by: AbstractBaseUser | None, notice_min_days: int = 10,
    notice_max_delay_workdays: int = 5, start_by: dt.date | None = None, complete_by: dt.date | None = None,
) -> ProgressPolicy:
    """What `set_by` requires of its units for a year (replaces an earlier setting)."""
    if notice_min_days < 1 or notice_max_delay_workdays < 0:
        raise InvalidValue("公示期应至少 1 天，公示时限不能为负数")
    for label, day in (("开工期限", start_by), ("完工期限", complete_by)):
        if day is not None and day.year != year:
            raise InvalidValue(f"{label} {day.isoformat()} 不在 {year} 年度内")
    _may_set(by, set_by)
    with transaction.atomic():
        policy, _ = ProgressPolicy.objects.select_for_update().get_or_create(set_by=set_by, year=year)
        old = {"notice_min_days": policy.notice_min_days, "notice_max_delay_workdays": policy.notice_max_delay_workdays,
               "start_by": policy.start_by.isoformat() if policy.start_by else None,
               "complete_by": policy.complete_by.isoformat() if policy.complete_by else None}
        policy.notice_min_days, policy.notice_max_delay_workdays = notice_min_days, notice_max_delay_workdays
        policy.start_by, policy.complete_by = start_by, complete_by
        policy.save(update_fields=["notice_min_days", "notice_max_delay_workdays", "start_by", "complete_by"])
        change_record(actor=by, action="policy.set", object_type="progress.policy",
                      object_key=f"{set_by.code}/{year}", org_code=set_by.code, year=year, old=old,
                      new={"notice_min_days": notice_min_days, "notice_max_delay_workdays": notice_max_delay_workdays,
                           "start_by": start_by.isoformat() if start_by else None,
                           "complete_by": complete_by.isoformat() if complete_by else None})
    return policy


# --- the table as of a day -------------------------------------------------------------------


def derived_rows(year: int) -> list[Row]:
    return [r for r in get_catalogue(year).rows if r.derive is not None]


def table_as_of(
    orgs: Sequence[OrgUnit], year: int, days: Sequence[dt.date]
) -> dict[str, dict[dt.date, dict[str, Decimal]]]:
    """{org code: {day: {row code: value}}} for every derivable row, one query per ledger whatever
    the number of units and days."""
    specs = catalogue_specs(get_catalogue(year))
    code_of = {o.pk: o.code for o in orgs}
    found = derive_as_of(specs, _execute, year=year, days=list(days), org_ids=list(code_of))
    out: dict[str, dict[dt.date, dict[str, Decimal]]] = {o.code: {d: {} for d in days} for o in orgs}
    for (org_id, day), values in found.items():
        out[code_of[org_id]][day] = values
    return out


def _derivation_of(year: int) -> dict[str, dict[str, object]]:
    return {s.code: {"ledger": s.ledger, "span": s.span, "date": s.date}
            for s in catalogue_specs(get_catalogue(year))}


def snapshot_freeze(*, org: OrgUnit, period: ReportingPeriod, by: AbstractBaseUser | None) -> Snapshot:
    """Submit a periodic report: the unit's table as of the period's cut-off, frozen with how
    each value was derived. A period is frozen once."""
    return snapshots_backfill(org=org, periods=[period], by=by)[0]


def snapshots_backfill(
    *, org: OrgUnit, periods: Sequence[ReportingPeriod], by: AbstractBaseUser | None
) -> list[Snapshot]:
    """Freeze several periods at once — a county starting mid-year fills in the periods already
    past from its dated ledgers (one query per ledger for all of them)."""
    if org.level != Level.COUNTY:
        raise InvalidValue(f"报告期快照由县级单位从台账生成，{org.name}不是县级单位")
    if not periods:
        return []
    years = {p.year for p in periods}
    if len(years) != 1:
        raise InvalidValue("一次只能报送同一年度的报告期")
    year = years.pop()
    mine = {p.pk for p in periods_for(org, year)}
    for period in periods:
        if period.pk not in mine:
            raise NotFound(f"{org.name}没有报告期「{period.label}」")
    if by is not None and not can(by, Action.SUBMIT, org):
        raise PermissionDenied(f"您无权报送{org.name}的{periods[0].label}")
    days = sorted({p.ends_on for p in periods})
    table = table_as_of([org], year, days)[org.code]
    derivation = _derivation_of(year)
    out = []
    with transaction.atomic():
        frozen = set(Snapshot.objects.select_for_update().filter(org=org, period__in=list(periods))
                     .values_list("period_id", flat=True))
        for period in periods:
            if period.pk in frozen:
                raise InvalidTransition(f"{org.name}{period.label}已报送，快照已冻结，不能再次生成")
            values = table[period.ends_on]
            out.append(Snapshot.objects.create(
                org=org, period=period, as_of=period.ends_on, values={c: f"{v:f}" for c, v in values.items()},
                derivation=derivation, frozen_by=by if by is not None and by.pk else None,  # type: ignore[misc]
                frozen_by_name=by.get_username() if by is not None else "系统",
            ))
            change_record(actor=by, action="snapshot.freeze", object_type="progress.snapshot",
                          object_key=f"{org.code}/{period.key}", org_code=org.code, year=year,
                          new={"as_of": period.ends_on.isoformat(), "rows": len(values)})
    return out


def snapshots_for(orgs: Iterable[OrgUnit], year: int) -> dict[int, list[Snapshot]]:
    """{org id: snapshots of the year by date}, one query."""
    out: dict[int, list[Snapshot]] = {}
    for s in Snapshot.objects.filter(org__in=list(orgs), period__year=year).select_related("period") \
            .order_by("org_id", "as_of", "period__kind"):
        out.setdefault(s.org_id, []).append(s)
    return out


@dataclass(frozen=True)
class Change:
    row: Row
    old: Decimal | None
    new: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        return None if self.old is None or self.new is None else self.new - self.old

    def as_dict(self) -> dict[str, object]:
        fmt = self.row.format
        return {"code": self.row.code, "label": self.row.label, "unit": self.row.unit,
                "old": None if self.old is None else fmt(self.old), "new": None if self.new is None else fmt(self.new),
                "difference": None if self.difference is None else f"{self.difference:f}"}


def snapshot_compare(old: Snapshot, new: Snapshot, *, changed_only: bool = True) -> list[Change]:
    """Row by row, old → new, in the table's order (two snapshots of any units and periods)."""
    rows = get_catalogue(new.period.year).rows
    out = []
    for row in rows:
        if row.code not in old.values and row.code not in new.values:
            continue
        a = Decimal(old.values[row.code]) if row.code in old.values else None
        b = Decimal(new.values[row.code]) if row.code in new.values else None
        if changed_only and a == b:
            continue
        out.append(Change(row=row, old=a, new=b))
    return out
