"""Writes of the year's progress as actions of the write gate (`core.actions`): periods and the
policy set by the level above, snapshots frozen when a periodic report is submitted, duplicate
conflicts resolved with a note, and the keyed hashes recomputed after the secret changed."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from xiezuo.accounts.models import Role
from xiezuo.accounts.scope import Permission, can, profile_of
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action
from xiezuo.core.changes import stored_actor
from xiezuo.core.errors import InvalidTransition, InvalidValue, NotFound, PermissionDenied
from xiezuo.core.stamps import touch
from xiezuo.ledgers import idcard
from xiezuo.ledgers.models import LabourPlacement
from xiezuo.ledgers.reconciliation import catalogue_specs
from xiezuo.orgunits.models import Level, OrgUnit
from xiezuo.progress.duplicates import conflicts_for, conflicts_known
from xiezuo.progress.models import (
    ConflictKind,
    ConflictResolution,
    PeriodKind,
    ProgressPolicy,
    ReportingPeriod,
    Snapshot,
)
from xiezuo.progress.periods import periods_for, table_as_of


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _next_month_day(day: dt.date, n: int) -> dt.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(n, calendar.monthrange(year, month)[1]))


class _SetByAbove(Action[Any]):
    """Periods and policies are set by a city or province for its own units (or an administrator)."""

    exempt_reason = "上级为下级设定的年度安排，不属于任何单位的报送内容"

    set_by: OrgUnit
    year: int

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.set_by, self.year

    def validate(self) -> None:
        if self.by is None:
            return
        profile = profile_of(self.by)
        allowed = profile is not None and can(self.by, Permission.VIEW, self.set_by) and (
            profile.role == Role.ADMIN
            or (profile.role in (Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER) and profile.org.pk == self.set_by.pk)
        )
        if not allowed:
            raise PermissionDenied(f"您无权为{self.set_by.name}设定报告期和进度要求")


class PeriodsCreate(_SetByAbove):
    """A year's periods for the units below `set_by`: 12 months, 2 half-years and the year, each
    standing as of its last day and due on the given day of the following month."""

    kind = ActionKind.PERIODS_CREATE
    field_labels = {"periods": "报告期数", "month_due_day": "月报报送日", "report_due_day": "半年报和年报报送日"}

    def __init__(self, *, set_by: OrgUnit, year: int, by: AbstractBaseUser | None, month_due_day: int = 5,
                 report_due_day: int = 5) -> None:
        if set_by.level == Level.COUNTY:
            raise InvalidValue(f"报告期由上级设定，{set_by.name}是县级单位")
        for name, day in (("月报报送日", month_due_day), ("半年报和年报报送日", report_due_day)):
            if not 1 <= day <= 28:
                raise InvalidValue(f"{name}应为 1–28 日，而不是 {day}")
        get_catalogue(year)  # the year must have a template
        self.set_by, self.year, self.by = set_by, year, by
        self.month_due_day, self.report_due_day = month_due_day, report_due_day

    def perform(self) -> list[ReportingPeriod]:
        year = self.year
        if ReportingPeriod.objects.filter(set_by=self.set_by, year=year).exists():
            raise InvalidValue(f"{self.set_by.name}已设定 {year} 年度的报告期")
        plan: list[tuple[str, int, dt.date, dt.date]] = []
        for m in range(1, 13):
            end = _month_end(year, m)
            plan.append((PeriodKind.MONTH, m, end, _next_month_day(end, self.month_due_day)))
        for h, end in ((1, dt.date(year, 6, 30)), (2, dt.date(year, 12, 31))):
            plan.append((PeriodKind.HALF, h, end, _next_month_day(end, self.report_due_day)))
        year_end = dt.date(year, 12, 31)
        plan.append((PeriodKind.YEAR, 1, year_end, _next_month_day(year_end, self.report_due_day)))
        periods = [ReportingPeriod.objects.create(set_by=self.set_by, year=year, kind=kind, number=n, ends_on=end,
                                                  due_on=due) for kind, n, end, due in plan]
        self.record(object_type="progress.period", object_key=f"{self.set_by.code}/{year}",
                    new={"periods": len(periods), "month_due_day": self.month_due_day,
                         "report_due_day": self.report_due_day})
        return periods


class PolicySet(_SetByAbove):
    """What `set_by` requires of its units for a year (replaces an earlier setting)."""

    kind = ActionKind.POLICY_SET
    field_labels = {"notice_min_days": "公示期不少于（天）", "notice_max_delay_workdays": "公示时限（工作日）",
                    "start_by": "项目全部开工期限", "complete_by": "项目全部完工期限"}

    def __init__(self, *, set_by: OrgUnit, year: int, by: AbstractBaseUser | None, notice_min_days: int = 10,
                 notice_max_delay_workdays: int = 5, start_by: dt.date | None = None,
                 complete_by: dt.date | None = None) -> None:
        if notice_min_days < 1 or notice_max_delay_workdays < 0:
            raise InvalidValue("公示期应至少 1 天，公示时限不能为负数")
        for label, day in (("开工期限", start_by), ("完工期限", complete_by)):
            if day is not None and day.year != year:
                raise InvalidValue(f"{label} {day.isoformat()} 不在 {year} 年度内")
        self.set_by, self.year, self.by = set_by, year, by
        self.values: dict[str, Any] = {"notice_min_days": notice_min_days,
                                       "notice_max_delay_workdays": notice_max_delay_workdays,
                                       "start_by": start_by, "complete_by": complete_by}

    def perform(self) -> ProgressPolicy:
        policy, _ = ProgressPolicy.objects.select_for_update().get_or_create(set_by=self.set_by, year=self.year)

        def shown(v: object) -> object:
            return v.isoformat() if isinstance(v, dt.date) else v

        old = {k: shown(getattr(policy, k)) for k in self.values}
        for k, v in self.values.items():
            setattr(policy, k, v)
        policy.save(update_fields=list(self.values))
        self.record(object_type="progress.policy", object_key=f"{self.set_by.code}/{self.year}", old=old,
                    new={k: shown(v) for k, v in self.values.items()})
        return policy


class SnapshotsFreeze(Action[list[Snapshot]]):
    """Submit periodic reports: the unit's table as of each period's cut-off, frozen with how each
    value was derived. A period is frozen once; several at once fill in periods already past (a
    county starting mid-year), one query per ledger for all of them."""

    kind = ActionKind.SNAPSHOT_FREEZE
    permission = Permission.SUBMIT
    exempt_reason = "报告期快照冻结的是截止日的台账数值，与年度统计表的报送和审核相互独立"
    field_labels = {"as_of": "截至日期", "rows": "指标数"}

    def __init__(self, *, org: OrgUnit, periods: Sequence[ReportingPeriod], by: AbstractBaseUser | None) -> None:
        if org.level != Level.COUNTY:
            raise InvalidValue(f"报告期快照由县级单位从台账生成，{org.name}不是县级单位")
        years = {p.year for p in periods}
        if len(years) > 1:
            raise InvalidValue("一次只能报送同一年度的报告期")
        self.org, self.periods, self.by = org, list(periods), by
        self.year = years.pop() if years else 0

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year

    def validate(self) -> None:
        mine = {p.pk for p in periods_for(self.org, self.year)} if self.periods else set()
        for period in self.periods:
            if period.pk not in mine:
                raise NotFound(f"{self.org.name}没有报告期「{period.label}」")

    def perform(self) -> list[Snapshot]:
        if not self.periods:
            return []
        frozen = set(Snapshot.objects.select_for_update().filter(org=self.org, period__in=self.periods)
                     .values_list("period_id", flat=True))
        for period in self.periods:
            if period.pk in frozen:
                raise InvalidTransition(f"{self.org.name}{period.label}已报送，快照已冻结，不能再次生成")
        days = sorted({p.ends_on for p in self.periods})
        table = table_as_of([self.org], self.year, days)[self.org.code]
        derivation = {s.code: {"ledger": s.ledger, "span": s.span, "date": s.date}
                      for s in catalogue_specs(get_catalogue(self.year))}
        out = []
        for period in self.periods:
            values = table[period.ends_on]
            out.append(Snapshot.objects.create(
                org=self.org, period=period, as_of=period.ends_on, values={c: f"{v:f}" for c, v in values.items()},
                derivation=derivation, frozen_by=stored_actor(self.by), frozen_by_name=self.actor_name,
            ))
            self.record(object_type="progress.snapshot", object_key=f"{self.org.code}/{period.key}",
                        new={"as_of": period.ends_on.isoformat(), "rows": len(values)})
        return out


def snapshots_backfill(*, org: OrgUnit, periods: Sequence[ReportingPeriod], by: AbstractBaseUser | None) -> list[Snapshot]:
    return SnapshotsFreeze(org=org, periods=periods, by=by).execute()


def snapshot_freeze(*, org: OrgUnit, period: ReportingPeriod, by: AbstractBaseUser | None) -> Snapshot:
    return SnapshotsFreeze(org=org, periods=[period], by=by).execute()[0]


periods_create = PeriodsCreate.run
policy_set = PolicySet.run


class ConflictResolve(Action[ConflictResolution]):
    """Close a duplicate conflict with a written note (who checked what); it then stops being
    counted. The operator (by=None), an administrator, a clerk or lead of one of the counties
    involved, or a reviewer above all of them may resolve it."""

    kind = ActionKind.CONFLICT_RESOLVE
    exempt_reason = "核实重复统计只记录处理说明，不改动任何单位的台账和统计表"
    field_labels = {"counties": "涉及县", "records": "记录"}

    def __init__(self, *, kind: str, year: int, key: str, note: str, by: AbstractBaseUser | None) -> None:
        if kind not in ConflictKind.values:
            raise InvalidValue(f"重复统计类别应为 {'、'.join(ConflictKind.values)}，而不是「{kind}」")
        if not note.strip():
            raise InvalidValue("处理重复统计时必须写明核实情况")
        self.conflict_kind, self.year, self.note, self.by = kind, year, note.strip(), by
        # The nation's scan of every kind if one is at hand (a 重新检查 job keeps it), else this kind's.
        everywhere = conflicts_known(None, year) or conflicts_for(None, year, kinds=[kind])
        matches = [c for c in everywhere
                   if c.kind == kind and (c.key == key or (key and c.key.startswith(key)))]
        if len(matches) != 1:
            raise NotFound(f"{year} 年度没有这条重复统计（{key[:12]}）" if not matches
                           else f"比对键「{key}」对应多条重复统计，请写全")
        self.conflict = matches[0]

    def validate(self) -> None:
        if self.by is None:
            return
        involved = list(OrgUnit.objects.filter(pk__in={r.org_id for r in self.conflict.records}))
        profile = profile_of(self.by)
        allowed = profile is not None and (
            profile.role == Role.ADMIN
            or any(can(self.by, Permission.EDIT, o) for o in involved)
            or (profile.role in (Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER)
                and all(can(self.by, Permission.VIEW, o) for o in involved))
        )
        if not allowed:
            raise PermissionDenied("您无权处理这条重复统计")

    def perform(self) -> ConflictResolution:
        c = self.conflict
        if ConflictResolution.objects.select_for_update().filter(kind=c.kind, year=self.year, key=c.key).exists():
            raise InvalidValue("这条重复统计已处理")
        resolution = ConflictResolution.objects.create(kind=c.kind, year=self.year, key=c.key, note=self.note,
                                                       resolved_by=stored_actor(self.by),
                                                       resolved_by_name=self.actor_name)
        # Recorded under the counties it concerns, not system-wide: a system-wide record raises the
        # global stamp, which every cached page and every kept duplicate scan depends on, so each
        # resolution would send a province's or the nation's scan back to 重新检查 (a job).
        codes = sorted({r.org_code for r in c.records if r.org_code})
        self.record(object_type="progress.conflict", object_key=f"{c.kind}/{self.year}/{c.key[:16]}", year=self.year,
                    new={"counties": c.counties, "records": [r.record_id for r in c.records]}, comment=self.note,
                    org_code=codes[0] if codes else None)
        touch((code, self.year, "progress") for code in codes[1:])
        return resolution


conflict_resolve = ConflictResolve.run


class IdsRehash(Action[int]):
    """Recompute every placement's keyed hash (after the instance's secret changed)."""

    kind = ActionKind.LABOUR_REHASH
    admin_only = True
    exempt_reason = "只重算比对用的散列，身份证号和统计数值都不变"

    def __init__(self, *, by: AbstractBaseUser | None = None, batch: int = 5000) -> None:
        self.by, self.batch = by, batch

    def perform(self) -> int:
        key = idcard.id_hash_key()
        n = 0
        todo: list[LabourPlacement] = []
        for person in LabourPlacement.objects.only("pk", "id_number").iterator(chunk_size=self.batch):
            person.id_hash = idcard.id_hash(person.id_number, key)
            todo.append(person)
            if len(todo) >= self.batch:
                LabourPlacement.objects.bulk_update(todo, ["id_hash"])
                n += len(todo)
                todo = []
        LabourPlacement.objects.bulk_update(todo, ["id_hash"])
        n += len(todo)
        self.record(object_type="ledgers.labour_placements", object_key="*", new={"rows": n})
        return n


def ids_rehash(*, by: AbstractBaseUser | None = None) -> int:
    return IdsRehash(by=by).execute()
