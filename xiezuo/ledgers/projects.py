"""The fund-project register: stage transitions, money in and out, public notices, rates, findings.

A fund project (a `fund_projects` ledger record) moves 储备 → 立项 → 启动 → 完工 → 验收 → 资金拨付 →
资产确权移交, one stage at a time; each step is dated and kept with who recorded it. Writes are
actions of the write gate (`core.actions`): permission through `accounts.scope`, then the write
and its change record in one transaction. Rates (开工率, 完工率, 资金支出进度)
are computed for many units at once, as of a day, in two grouped queries; late projects and notices
that are too short or posted late are findings, computed against the thresholds the caller passes
(the level above's policy, see `xiezuo.progress`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, Sum

from xiezuo.accounts.scope import Permission
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action
from xiezuo.core.changes import stored_actor
from xiezuo.core.errors import InvalidTransition, InvalidValue, NotFound
from xiezuo.ledgers.models import (
    FundingKind,
    FundProject,
    NoticeStage,
    ProjectFunding,
    ProjectMilestone,
    ProjectNotice,
)
from xiezuo.ledgers.schema import BY_KIND, PROJECT_STAGES
from xiezuo.orgunits.models import OrgUnit

STAGES = tuple(code for code, _ in PROJECT_STAGES)
STAGE_LABEL = dict(PROJECT_STAGES)
ASSET_CLASSES = dict(BY_KIND["fund_projects"].by_name["asset_class"].choices)
# The ledger's coarse 实施状态 each stage corresponds to (kept in step by transitions).
STATUS_OF_STAGE = {"reserve": "planned", "approved": "planned", "started": "started"}


def stage_index(stage: str) -> int:
    return STAGES.index(stage)


class _ProjectAction(Action[Any]):
    """A step in a project's register, by the county's own clerk or lead (or the system)."""

    permission = Permission.EDIT
    exempt_reason = "项目库记录项目全年的进展（报送之后仍有验收、拨付和移交），不改动已报送的统计表数值"

    project: FundProject

    def _load(self, project_id: int) -> None:
        found = FundProject.objects.select_related("org").filter(pk=project_id).first()
        if found is None:
            raise NotFound("项目库中没有这个项目（可能已被删除）")
        self.project = found

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.project.org, self.project.year

    def _locked(self) -> FundProject:
        project = FundProject.objects.select_for_update().select_related("org").filter(pk=self.project.pk).first()
        if project is None:
            raise NotFound("项目库中没有这个项目（可能已被删除）")
        return project

    def _record(self, *, old: dict[str, Any] | None = None, new: dict[str, Any], comment: str = "") -> None:
        self.record(object_type="ledgers.fund_projects", object_key=str(self.project.pk), old=old, new=new,
                    comment=comment)


class ProjectTransition(_ProjectAction):
    """Move a project to the next stage on a day. Only the next stage is allowed, never before the
    previous stage's day; hand-over (资产确权移交) needs the asset class and its owner."""

    kind = ActionKind.PROJECT_TRANSITION
    field_labels = {"stage": "项目阶段", "date": "日期", "asset_class": "资产类别", "asset_owner": "资产权属单位"}

    def __init__(self, *, project_id: int, stage: str, date: dt.date, by: AbstractBaseUser | None, note: str = "",
                 asset_class: str = "", asset_owner: str = "") -> None:
        if stage not in STAGE_LABEL:
            raise InvalidValue(f"没有名为「{stage}」的项目阶段；可用：{'、'.join(STAGE_LABEL.values())}")
        self._load(project_id)
        self.stage, self.date, self.by, self.note = stage, date, by, note.strip()
        self.asset_class, self.asset_owner = asset_class, asset_owner.strip()

    def perform(self) -> FundProject:
        project = self._locked()
        stage, date = self.stage, self.date
        current = project.stage
        if stage_index(stage) != stage_index(current) + 1:
            following = STAGES[stage_index(current) + 1] if stage_index(current) + 1 < len(STAGES) else None
            then = f"下一步应为「{STAGE_LABEL[following]}」" if following else "项目已走完全部阶段"
            raise InvalidTransition(
                f"项目「{project.name}」当前为「{STAGE_LABEL[current]}」，不能转为「{STAGE_LABEL[stage]}」；{then}"
            )
        previous = getattr(project, f"{current}_on", None) if current != "reserve" else None
        if previous is not None and date < previous:
            raise InvalidValue(
                f"项目「{project.name}」的「{STAGE_LABEL[stage]}」日期 {date.isoformat()} 早于"
                f"「{STAGE_LABEL[current]}」日期 {previous.isoformat()}"
            )
        if date.year > project.year + 1:
            raise InvalidValue(f"项目「{project.name}」的「{STAGE_LABEL[stage]}」日期 {date.isoformat()} 不在合理范围内")
        fields = ["stage", f"{stage}_on", "version", "updated_by", "updated_at"]
        if stage == "handed_over":
            if self.asset_class not in ASSET_CLASSES:
                raise InvalidValue(f"项目「{project.name}」资产确权移交时须填写资产类别（{'、'.join(ASSET_CLASSES.values())}）")
            if not self.asset_owner:
                raise InvalidValue(f"项目「{project.name}」资产确权移交时须填写资产权属单位")
            project.asset_class, project.asset_owner = self.asset_class, self.asset_owner
            fields += ["asset_class", "asset_owner"]
        status = STATUS_OF_STAGE.get(stage, "completed")
        if status != project.status:
            project.status = status
            fields.append("status")
        project.stage = stage
        setattr(project, f"{stage}_on", date)
        project.version += 1
        project.updated_by = stored_actor(self.by)
        project.save(update_fields=fields)
        ProjectMilestone.objects.create(project=project, stage=stage, date=date, note=self.note,
                                        recorded_by=stored_actor(self.by), recorded_by_name=self.actor_name)
        new: dict[str, Any] = {"stage": stage, "date": date.isoformat()}
        if stage == "handed_over":
            new |= {"asset_class": self.asset_class, "asset_owner": self.asset_owner}
        self._record(old={"stage": current}, new=new, comment=self.note)
        return project


class ProjectHistoryBackfill(_ProjectAction):
    """Date the stages a project had already reached when it entered the register (imported at
    立项, 启动 or 完工 from the ledger's 实施状态). Only stages up to the current one whose day is
    still unknown; the days must follow the stages' order."""

    kind = ActionKind.PROJECT_BACKFILL

    def __init__(self, *, project_id: int, dates: dict[str, dt.date], by: AbstractBaseUser | None,
                 note: str = "") -> None:
        self._load(project_id)
        self.dates, self.by, self.note = dict(dates), by, note.strip()

    def perform(self) -> FundProject:
        project = self._locked()
        reached = STAGES[1:stage_index(project.stage) + 1]
        for stage in self.dates:
            if stage not in reached:
                raise InvalidTransition(f"项目「{project.name}」当前为「{STAGE_LABEL[project.stage]}」，"
                                        f"不能补记「{STAGE_LABEL.get(stage, stage)}」的日期")
            if getattr(project, f"{stage}_on") is not None:
                raise InvalidValue(f"项目「{project.name}」的「{STAGE_LABEL[stage]}」日期已登记，不能补记")
        merged = {s: self.dates.get(s, getattr(project, f"{s}_on")) for s in reached}
        known = [(s, d) for s, d in merged.items() if d is not None]
        for (s1, d1), (s2, d2) in zip(known, known[1:], strict=False):
            if d2 < d1:
                raise InvalidValue(f"项目「{project.name}」的「{STAGE_LABEL[s2]}」日期 {d2.isoformat()} 早于"
                                   f"「{STAGE_LABEL[s1]}」日期 {d1.isoformat()}")
        for stage, day in self.dates.items():
            setattr(project, f"{stage}_on", day)
            ProjectMilestone.objects.create(project=project, stage=stage, date=day, note=self.note or "补记",
                                            recorded_by=stored_actor(self.by), recorded_by_name=self.actor_name)
        project.version += 1
        project.save(update_fields=[*(f"{s}_on" for s in self.dates), "version", "updated_at"])
        self._record(new={s: d.isoformat() for s, d in self.dates.items()}, comment=self.note)
        return project


class ProjectFundingAdd(_ProjectAction):
    """Record money allocated to a project or paid out of it; payments never exceed allocations."""

    kind = ActionKind.PROJECT_FUNDING
    field_labels = {"kind": "类别", "date": "日期", "amount": "金额（万元）"}

    def __init__(self, *, project_id: int, kind: str, date: dt.date, amount: Decimal, by: AbstractBaseUser | None,
                 note: str = "") -> None:
        if kind not in FundingKind.values:
            raise InvalidValue(f"资金记录类别应为「资金下达」或「资金支出」，而不是「{kind}」")
        if amount <= 0 or amount != amount.quantize(Decimal("0.0001")):
            raise InvalidValue(f"金额应为正数（万元，最多 4 位小数），而不是 {amount}")
        self._load(project_id)
        self.funding_kind, self.date, self.amount, self.by, self.note = kind, date, amount, by, note.strip()

    def perform(self) -> ProjectFunding:
        project = self._locked()
        if self.funding_kind == FundingKind.PAYMENT:
            totals = project.fundings.aggregate(
                allocated=Sum("amount", filter=Q(kind=FundingKind.ALLOCATION, date__lte=self.date)),
                paid=Sum("amount", filter=Q(kind=FundingKind.PAYMENT, date__lte=self.date)),
            )
            # Sums of a 万元 column come back in 万元 (the field converts them).
            allocated, paid = Decimal(totals["allocated"] or 0), Decimal(totals["paid"] or 0)
            if paid + self.amount > allocated:
                raise InvalidValue(
                    f"项目「{project.name}」截至 {self.date.isoformat()} 已下达 {allocated.normalize():f} 万元、"
                    f"已支出 {paid.normalize():f} 万元，再支出 {self.amount.normalize():f} 万元将超过下达资金"
                )
        funding = ProjectFunding.objects.create(  # type: ignore[misc]  # WanYuanField takes Decimal 万元; stubs see an int field
            project=project, kind=self.funding_kind, date=self.date, amount=self.amount, note=self.note,
            recorded_by=stored_actor(self.by))
        self._record(new={"kind": self.funding_kind, "date": self.date.isoformat(), "amount": str(self.amount)},
                     comment=self.note)
        return funding


class ProjectNoticeAdd(_ProjectAction):
    """Record a public notice (公告公示) of a project's approval or acceptance."""

    kind = ActionKind.PROJECT_NOTICE
    field_labels = {"stage": "公示事项", "posted_on": "公示开始日期", "days": "公示期（天）", "place": "公示地点",
                    "hotline": "监督电话"}

    def __init__(self, *, project_id: int, stage: str, posted_on: dt.date, days: int, place: str, hotline: str,
                 by: AbstractBaseUser | None) -> None:
        if stage not in NoticeStage.values:
            raise InvalidValue(f"公示事项应为「立项公示」或「验收公示」，而不是「{stage}」")
        if days <= 0:
            raise InvalidValue(f"公示期应为正整数天，而不是 {days}")
        if not place.strip() or not hotline.strip():
            raise InvalidValue("公告公示须写明公示地点和监督电话")
        self._load(project_id)
        self.stage, self.posted_on, self.days, self.by = stage, posted_on, days, by
        self.place, self.hotline = place.strip(), hotline.strip()

    def perform(self) -> ProjectNotice:
        project = self._locked()
        notice = ProjectNotice.objects.create(project=project, stage=self.stage, posted_on=self.posted_on,
                                              days=self.days, place=self.place, hotline=self.hotline,
                                              recorded_by=stored_actor(self.by))
        self._record(new={"stage": self.stage, "posted_on": self.posted_on.isoformat(), "days": self.days,
                          "place": self.place, "hotline": self.hotline})
        return notice


project_transition = ProjectTransition.run
project_history_backfill = ProjectHistoryBackfill.run
project_funding_add = ProjectFundingAdd.run
project_notice_add = ProjectNoticeAdd.run


# --- reading: rates and findings -------------------------------------------------------------


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole as a percentage with one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rates:
    """A unit's projects as of a day: 开工率 = started ÷ approved, 完工率 = completed ÷ approved,
    资金支出进度 = paid ÷ allocated (from the register's money records)."""

    org_id: int
    approved: int
    started: int
    completed: int
    allocated: Decimal  # 万元
    paid: Decimal  # 万元

    @property
    def start_rate(self) -> Decimal | None:
        return percent(self.started, self.approved)

    @property
    def completion_rate(self) -> Decimal | None:
        return percent(self.completed, self.approved)

    @property
    def spend_rate(self) -> Decimal | None:
        return percent(self.paid, self.allocated)

    def as_dict(self) -> dict[str, object]:
        def text(d: Decimal | None) -> str | None:
            return None if d is None else f"{d:f}"

        return {"approved": self.approved, "started": self.started, "completed": self.completed,
                "allocated": text(self.allocated.normalize()), "paid": text(self.paid.normalize()),
                "start_rate": text(self.start_rate), "completion_rate": text(self.completion_rate),
                "spend_rate": text(self.spend_rate)}


def _reached(stage: str, year: int, as_of: dt.date) -> Q:
    """The project had reached `stage` on `as_of`: its day is known and not later, or the day is
    unknown, the project is at or past the stage and the year is over."""
    later = STAGES[stage_index(stage):]
    dated = Q(**{f"{stage}_on__lte": as_of})
    if as_of >= dt.date(year, 12, 31):
        return dated | Q(**{f"{stage}_on__isnull": True, "stage__in": later})
    return dated


def rates_for(org_ids: Sequence[int], *, year: int, as_of: dt.date) -> dict[int, Rates]:
    """Rates of every unit given, as of a day: one grouped query on projects, one on money."""
    counts = (
        FundProject.objects.filter(org_id__in=org_ids, year=year).values("org_id").annotate(
            approved=Count("pk", filter=_reached("approved", year, as_of)),
            started=Count("pk", filter=_reached("started", year, as_of)),
            completed=Count("pk", filter=_reached("completed", year, as_of)),
        ).order_by()
    )
    money = (
        ProjectFunding.objects.filter(project__org_id__in=org_ids, project__year=year, date__lte=as_of)
        .values("project__org_id").annotate(
            allocated=Sum("amount", filter=Q(kind=FundingKind.ALLOCATION)),
            paid=Sum("amount", filter=Q(kind=FundingKind.PAYMENT)),
        ).order_by()
    )
    amounts = {m["project__org_id"]: (Decimal(m["allocated"] or 0), Decimal(m["paid"] or 0)) for m in money}
    out = {}
    for c in counts:
        allocated, paid = amounts.get(c["org_id"], (Decimal(0), Decimal(0)))
        out[c["org_id"]] = Rates(org_id=c["org_id"], approved=c["approved"], started=c["started"],
                                 completed=c["completed"], allocated=allocated, paid=paid)
    return out


@dataclass(frozen=True)
class Deadlines:
    """What the level above sets: notices' minimum length and lateness, dates every project must meet."""

    notice_min_days: int = 10
    notice_max_delay_workdays: int = 5
    start_by: dt.date | None = None  # every approved project started by this day
    complete_by: dt.date | None = None  # every approved project completed by this day


@dataclass(frozen=True)
class ProjectFinding:
    project_id: int
    project: str
    org_id: int
    check: str  # late_start | late_completion | deadline_start | deadline_completion | notice_short | notice_late | notice_missing
    message: str
    days: int = 0  # how late or how short

    def as_dict(self) -> dict[str, object]:
        return {"project_id": self.project_id, "project": self.project, "check": self.check,
                "message": self.message, "days": self.days}


def workdays_after(start: dt.date, end: dt.date) -> int:
    """Working days (Monday–Friday) after `start` up to and including `end`; 0 if end ≤ start.

    Public holidays are not known to the system and are counted as working days.
    """
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for i in range(1, rest + 1):
        if (start + dt.timedelta(days=weeks * 7 + i)).weekday() < 5:
            count += 1
    return count


def _add_workdays(start: dt.date, n: int) -> dt.date:
    day = start
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


@dataclass
class Register:
    """A unit's projects with their notices, read in two queries."""

    projects: list[FundProject]
    notices: dict[int, list[ProjectNotice]] = field(default_factory=dict)


def register_for(org_ids: Sequence[int], year: int) -> Register:
    projects = list(FundProject.objects.filter(org_id__in=org_ids, year=year).order_by("org_id", "pk"))
    notices: dict[int, list[ProjectNotice]] = defaultdict(list)
    for n in ProjectNotice.objects.filter(project__org_id__in=org_ids, project__year=year):
        notices[n.project_id].append(n)
    return Register(projects=projects, notices=dict(notices))


def _reached_on(project: FundProject, stage: str, as_of: dt.date) -> bool:
    day = getattr(project, f"{stage}_on")
    return (day is not None and day <= as_of) or (
        day is None and stage_index(project.stage) >= stage_index(stage) and as_of >= dt.date(project.year, 12, 31)
    )


def findings_for(register: Register, *, as_of: dt.date, deadlines: Deadlines) -> list[ProjectFinding]:
    """Late projects (against their own planned days and the level above's dates) and notices too
    short, posted late or missing, as of a day."""
    out: list[ProjectFinding] = []
    for p in register.projects:
        if not _reached_on(p, "approved", as_of):
            continue

        def add(check: str, message: str, days: int = 0, p: FundProject = p) -> None:
            out.append(ProjectFinding(project_id=p.pk, project=p.name, org_id=p.org_id, check=check,
                                      message=message, days=days))

        started, completed = _reached_on(p, "started", as_of), _reached_on(p, "completed", as_of)
        if p.planned_start and p.planned_start < as_of and not started:
            late = (as_of - p.planned_start).days
            add("late_start", f"项目「{p.name}」计划 {p.planned_start.isoformat()} 开工，截至 {as_of.isoformat()} "
                              f"仍未启动（逾期 {late} 天）", late)
        if p.planned_completion and p.planned_completion < as_of and not completed:
            late = (as_of - p.planned_completion).days
            add("late_completion", f"项目「{p.name}」计划 {p.planned_completion.isoformat()} 完工，截至 "
                                   f"{as_of.isoformat()} 仍未完工（逾期 {late} 天）", late)
        if deadlines.start_by and deadlines.start_by < as_of and not started:
            late = (as_of - deadlines.start_by).days
            add("deadline_start", f"项目「{p.name}」未在上级要求的 {deadlines.start_by.isoformat()} 前启动"
                                  f"（逾期 {late} 天）", late)
        if deadlines.complete_by and deadlines.complete_by < as_of and not completed:
            late = (as_of - deadlines.complete_by).days
            add("deadline_completion", f"项目「{p.name}」未在上级要求的 {deadlines.complete_by.isoformat()} 前完工"
                                       f"（逾期 {late} 天）", late)
        for stage in (NoticeStage.APPROVED, NoticeStage.ACCEPTED):
            day = getattr(p, f"{stage}_on")
            if day is None or day > as_of:
                continue
            label = NoticeStage(stage).label
            notices = [n for n in register.notices.get(p.pk, []) if n.stage == stage and n.posted_on <= as_of]
            due = _add_workdays(day, deadlines.notice_max_delay_workdays)
            if not notices:
                if due < as_of:
                    add("notice_missing", f"项目「{p.name}」{STAGE_LABEL[stage]}于 {day.isoformat()}，"
                                          f"截至 {as_of.isoformat()} 未见{label}（应在 {due.isoformat()} 前发布）")
                continue
            for n in notices:
                if n.days < deadlines.notice_min_days:
                    add("notice_short", f"项目「{p.name}」的{label}只公示 {n.days} 天，少于规定的 "
                                        f"{deadlines.notice_min_days} 天（{n.place}）",
                        deadlines.notice_min_days - n.days)
                delay = workdays_after(day, n.posted_on)
                if delay > deadlines.notice_max_delay_workdays:
                    add("notice_late", f"项目「{p.name}」{STAGE_LABEL[stage]}于 {day.isoformat()}，{label}"
                                       f"至 {n.posted_on.isoformat()} 才发布，晚于规定的 "
                                       f"{deadlines.notice_max_delay_workdays} 个工作日（{delay} 个工作日）", delay)
    return out


def projects_of(org: OrgUnit, year: int) -> Iterable[FundProject]:
    return FundProject.objects.filter(org=org, year=year).order_by("pk")


def project_by_name(org: OrgUnit, year: int, name: str) -> FundProject:
    """A project of a unit and year by its exact name, or by its id (for the command line)."""
    qs = FundProject.objects.filter(org=org, year=year)
    found = list(qs.filter(pk=int(name))) if name.isdigit() else list(qs.filter(name=name))
    if not found:
        raise NotFound(f"{org.name}{year} 年度项目库中没有项目「{name}」")
    if len(found) > 1:
        raise InvalidValue(f"{org.name}{year} 年度有 {len(found)} 个名为「{name}」的项目，请用项目编号")
    return found[0]
