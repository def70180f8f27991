"""`xiezuo period …`, `xiezuo projects …`, `xiezuo duplicates …`: the year's progress from the
command line, calling the same services and selectors as the pages."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from xiezuo.cli.common import OrgOption, YearOption, console, err_console, resolve_org
from xiezuo.core.errors import InvalidValue

if TYPE_CHECKING:
    from xiezuo.orgunits.models import OrgUnit
    from xiezuo.progress.models import Snapshot

period_app = typer.Typer(help="报告期：设定、按日期生成、报送冻结快照、比较快照、目标预测", no_args_is_help=True)
projects_app = typer.Typer(help="财政援助资金项目库：阶段、资金、公示、进度与问题", no_args_is_help=True)
duplicates_app = typer.Typer(help="重复统计：同一劳动力、企业或帮扶车间被两个县统计", no_args_is_help=True)


class Format(StrEnum):
    text = "text"
    json = "json"


FormatOption = typer.Option(Format.text, "--format", help="text 或 json")
AsOfOption = typer.Option(None, "--as-of", help="截至日期，如 2023-09-30（默认今天，年度结束后为年末）")


def _date(raw: str | None, what: str = "日期") -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(f"{what}「{raw}」格式应为 2023-09-30") from None


def _required_date(raw: str, what: str) -> dt.date:
    day = _date(raw, what)
    assert day is not None
    return day


def _print_json(data: object) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False, default=str))


# --- period ------------------------------------------------------------------------------------


@period_app.command("create")
def period_create(
    by: str = typer.Option(..., "--by", help="设定报告期的上级单位（市或省），如 甘肃省"),
    year: int = YearOption,
    month_due_day: int = typer.Option(5, "--month-due-day", help="月报在次月几日前报送"),
    report_due_day: int = typer.Option(5, "--report-due-day", help="半年报、年报在次月几日前报送"),
) -> None:
    """设定一个年度的报告期：12 个月报、2 个半年报和 1 个年报，各以期末为统计截止日。"""
    from xiezuo.progress.services import periods_create

    periods = periods_create(set_by=resolve_org(by), year=year, by=None, month_due_day=month_due_day,
                             report_due_day=report_due_day)
    console.print(f"已设定 {year} 年度报告期 {len(periods)} 个", highlight=False)


@period_app.command("policy")
def period_policy(
    by: str = typer.Option(..., "--by", help="提出要求的上级单位"),
    year: int = YearOption,
    notice_min_days: int = typer.Option(10, "--notice-min-days", help="公告公示不少于几天"),
    notice_max_delay: int = typer.Option(5, "--notice-max-delay", help="立项、验收后几个工作日内公示"),
    start_by: str | None = typer.Option(None, "--start-by", help="项目全部开工的期限，如 2023-09-30"),
    complete_by: str | None = typer.Option(None, "--complete-by", help="项目全部完工的期限"),
) -> None:
    """设定年度进度要求：公示期、公示时限、开工和完工期限。"""
    from xiezuo.progress.services import policy_set

    policy_set(set_by=resolve_org(by), year=year, by=None, notice_min_days=notice_min_days,
               notice_max_delay_workdays=notice_max_delay, start_by=_date(start_by, "开工期限"),
               complete_by=_date(complete_by, "完工期限"))
    console.print("已设定年度进度要求", highlight=False)


@period_app.command("list")
def period_list(org: str = OrgOption, year: int = YearOption, format: Format = FormatOption) -> None:
    """列出适用于某县的报告期及其快照状态。"""
    from xiezuo.progress.periods import periods_for, snapshots_for

    unit = resolve_org(org)
    frozen = {s.period_id: s for s in snapshots_for([unit], year).get(unit.pk, [])}
    lines = [{"period": p.key, "label": p.label, "ends_on": p.ends_on.isoformat(), "due_on": p.due_on.isoformat(),
              "set_by": p.set_by.name, "frozen": p.pk in frozen,
              "frozen_by": frozen[p.pk].frozen_by_name if p.pk in frozen else None} for p in periods_for(unit, year)]
    if format is Format.json:
        _print_json(lines)
        return
    table = Table(title=f"{unit.name} {year} 年度报告期")
    for col in ("报告期", "统计截止", "报送期限", "快照"):
        table.add_column(col)
    for x in lines:
        table.add_row(f"{x['label']}（{x['period']}）", str(x["ends_on"]), str(x["due_on"]),
                      f"已冻结（{x['frozen_by']}）" if x["frozen"] else "—")
    console.print(table)


@period_app.command("derive")
def period_derive(
    org: str = OrgOption, year: int = YearOption,
    as_of: list[str] = typer.Option(..., "--as-of", help="截至日期，可重复：--as-of 2023-06-30 --as-of 2023-11-20"),
    format: Format = FormatOption,
) -> None:
    """按日期从台账生成统计表：存量行（截至目前）与流量行（本年新增）按模板声明计算。"""
    from xiezuo.progress.periods import derived_rows, table_as_of

    unit = resolve_org(org)
    days = [_required_date(d, "截至日期") for d in as_of]
    table = table_as_of([unit], year, days)[unit.code]
    rows = derived_rows(year)
    if format is Format.json:
        _print_json({"org": unit.code, "year": year, "rows": [
            {"code": r.code, "label": r.label, "unit": r.unit, "span": (r.derive or {}).get("span"),
             **{d.isoformat(): (None if r.code not in table[d] else r.format(table[d][r.code])) for d in days}}
            for r in rows]})
        return
    out = Table(title=f"{unit.name} 按日期生成的统计表")
    out.add_column("指标")
    out.add_column("口径")
    for d in days:
        out.add_column(d.isoformat(), justify="right")
    for r in rows:
        span = "存量" if (r.derive or {}).get("span") == "stock" else "流量"
        out.add_row(f"{r.label}（{r.unit}）", span,
                    *("—" if r.code not in table[d] else r.format(table[d][r.code]) for d in days))
    console.print(out)


@period_app.command("freeze")
def period_freeze(
    org: str = OrgOption, year: int = YearOption,
    period: list[str] = typer.Option(..., "--period", help="报告期，如 2023-06、2023-H1、2023；可重复"),
) -> None:
    """报送报告期：按统计截止日从台账生成并冻结快照（可一次补报多期）。"""
    from xiezuo.progress.periods import period_for
    from xiezuo.progress.services import snapshots_backfill

    unit = resolve_org(org)
    snaps = snapshots_backfill(org=unit, periods=[period_for(unit, year, k) for k in period], by=None)
    for s in snaps:
        console.print(f"已冻结 {unit.name}{s.period.label}（截至 {s.as_of.isoformat()}，{len(s.values)} 行）",
                      highlight=False)


@period_app.command("compare")
def period_compare(
    org: str = OrgOption, year: int = YearOption,
    old: str = typer.Option(..., "--from", help="原报告期，如 2023-06"),
    new: str = typer.Option(..., "--to", help="新报告期，如 2023-11"),
    other: str | None = typer.Option(None, "--to-org", help="与另一个县的快照比较"),
    format: Format = FormatOption,
) -> None:
    """比较两个快照：逐行列出原值 → 新值。"""
    from xiezuo.progress.periods import period_for, snapshot_compare

    unit = resolve_org(org)
    unit2 = resolve_org(other) if other else unit

    def snap(u: OrgUnit, key: str) -> Snapshot:
        from xiezuo.progress.models import Snapshot

        p = period_for(u, year, key)
        found = Snapshot.objects.filter(org=u, period=p).select_related("period").first()
        if found is None:
            raise InvalidValue(f"{u.name}{p.label}尚未报送，没有快照")
        return found

    changes = snapshot_compare(snap(unit, old), snap(unit2, new))
    if format is Format.json:
        _print_json([c.as_dict() for c in changes])
        return
    out = Table(title=f"{unit.name} {old} → {unit2.name} {new}")
    for col, just in (("指标", "left"), ("原值", "right"), ("新值", "right"), ("变化", "right")):
        out.add_column(col, justify=just)  # type: ignore[arg-type]
    for c in changes:
        d = c.as_dict()
        out.add_row(f"{d['label']}（{d['unit']}）", str(d["old"] or "—"), str(d["new"] or "—"), str(d["difference"] or "—"))
    console.print(out)


@period_app.command("at-risk")
def period_at_risk(
    org: str = OrgOption, year: int = YearOption, as_of: str | None = AsOfOption, format: Format = FormatOption,
    all_targets: bool = typer.Option(False, "--all", help="列出全部目标，不只是可能完不成的"),
) -> None:
    """按报告期快照预测年末值，列出可能完不成年度目标的县和指标（按差距排序）。"""
    from xiezuo.progress.targets import target_statuses

    statuses = target_statuses(resolve_org(org), year, as_of=_date(as_of, "截至日期"))
    if not all_targets:
        statuses = [s for s in statuses if s.at_risk]
    if format is Format.json:
        _print_json([s.as_dict() for s in statuses])
        return
    out = Table(title="年度目标预测")
    for col in ("单位", "指标", "目标", "最新快照", "预计年末", "差距", "方法"):
        out.add_column(col)
    for s in statuses:
        d = s.as_dict()
        out.add_row(str(d["org_name"]), f"{d['label']}（{d['unit']}）", str(d["target"]), f"{d['latest']}（{d['as_of']}）",
                    str(d["projection"]), f"{d['shortfall_percent']}%", str(d["method_label"]))
    console.print(out)


# --- projects ----------------------------------------------------------------------------------


def _stage(raw: str) -> str:
    from xiezuo.ledgers.projects import STAGE_LABEL

    codes = {label: code for code, label in STAGE_LABEL.items()} | {c: c for c in STAGE_LABEL}
    if raw not in codes:
        raise InvalidValue(f"没有名为「{raw}」的项目阶段；可用：{'、'.join(STAGE_LABEL.values())}")
    return codes[raw]


ProjectOption = typer.Option(..., "--project", help="项目名称（完整）或项目编号")


@projects_app.command("list")
def projects_list(org: str = OrgOption, year: int = YearOption, as_of: str | None = AsOfOption,
                  format: Format = FormatOption) -> None:
    """项目库：各项目阶段和日期，开工率、完工率、资金支出进度，逾期和公示问题。"""
    from xiezuo.ledgers.projects import STAGE_LABEL
    from xiezuo.progress.selectors import unit_progress

    data = unit_progress(resolve_org(org), year, as_of=_date(as_of, "截至日期"))
    projects = [{"id": p.pk, "name": p.name, "stage": p.stage, "stage_label": STAGE_LABEL[p.stage],
                 **{f"{s}_on": getattr(p, f"{s}_on") for s in ("approved", "started", "completed", "accepted", "paid",
                                                              "handed_over")},
                 "findings": [f.message for f in data.findings_of(p.pk)]} for p in data.projects]
    rates = data.rates.as_dict() if data.rates else None
    if format is Format.json:
        _print_json({"org": data.org.code, "as_of": data.as_of.isoformat(), "rates": rates, "projects": projects})
        return
    if rates:
        console.print(f"截至 {data.as_of.isoformat()}：开工率 {rates['start_rate']}%，完工率 {rates['completion_rate']}%，"
                      f"资金支出进度 {rates['spend_rate']}%（已支出 {rates['paid']} / 已下达 {rates['allocated']} 万元）",
                      highlight=False)
    out = Table(title=f"{data.org.name} {year} 年度项目库")
    for col in ("编号", "项目", "阶段", "问题"):
        out.add_column(col)
    for p in projects:
        out.add_row(str(p["id"]), str(p["name"]), str(p["stage_label"]), "\n".join(p["findings"]) or "—")
    console.print(out)


@projects_app.command("step")
def projects_step(
    org: str = OrgOption, year: int = YearOption, project: str = ProjectOption,
    stage: str = typer.Option(..., "--stage", help="下一阶段：立项、启动、完工、验收、资金拨付、资产确权移交"),
    date: str = typer.Option(..., "--date", help="该阶段的日期"),
    note: str = typer.Option("", "--note", help="说明"),
    asset_class: str = typer.Option("", "--asset-class", help="移交时：operating 经营性、public 公益性、household 到户类"),
    asset_owner: str = typer.Option("", "--asset-owner", help="移交时：资产权属单位"),
) -> None:
    """登记项目进入下一阶段（只能按顺序逐步登记）。"""
    from xiezuo.ledgers.projects import STAGE_LABEL, project_by_name, project_transition

    p = project_by_name(resolve_org(org), year, project)
    done = project_transition(project_id=p.pk, stage=_stage(stage), date=_required_date(date, "日期"), by=None,
                              note=note, asset_class=asset_class, asset_owner=asset_owner)
    console.print(f"项目「{done.name}」已登记为「{STAGE_LABEL[done.stage]}」", highlight=False)


@projects_app.command("fund")
def projects_fund(
    org: str = OrgOption, year: int = YearOption, project: str = ProjectOption,
    kind: str = typer.Option(..., "--kind", help="allocation（资金下达）或 payment（资金支出）"),
    date: str = typer.Option(..., "--date", help="日期"),
    amount: str = typer.Option(..., "--amount", help="金额（万元）"),
) -> None:
    """登记项目的资金下达或支出。"""
    from xiezuo.ledgers.projects import project_by_name, project_funding_add

    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise InvalidValue(f"金额「{amount}」应为数字（万元）") from None
    p = project_by_name(resolve_org(org), year, project)
    project_funding_add(project_id=p.pk, kind=kind, date=_required_date(date, "日期"), amount=value, by=None)
    console.print(f"已登记项目「{p.name}」{amount} 万元", highlight=False)


@projects_app.command("notice")
def projects_notice(
    org: str = OrgOption, year: int = YearOption, project: str = ProjectOption,
    stage: str = typer.Option(..., "--stage", help="approved（立项公示）或 accepted（验收公示）"),
    posted_on: str = typer.Option(..., "--posted-on", help="公示开始日期"),
    days: int = typer.Option(..., "--days", help="公示期（天）"),
    place: str = typer.Option(..., "--place", help="公示地点"),
    hotline: str = typer.Option(..., "--hotline", help="监督电话"),
) -> None:
    """登记项目的公告公示。"""
    from xiezuo.ledgers.projects import project_by_name, project_notice_add

    p = project_by_name(resolve_org(org), year, project)
    project_notice_add(project_id=p.pk, stage=stage, posted_on=_required_date(posted_on, "公示开始日期"), days=days,
                       place=place, hotline=hotline, by=None)
    console.print(f"已登记项目「{p.name}」的公示", highlight=False)


@projects_app.command("area")
def projects_area(org: str = OrgOption, year: int = YearOption, as_of: str | None = AsOfOption,
                  format: Format = FormatOption) -> None:
    """一个市或省下各县的开工率、完工率、资金支出进度和问题数。"""
    from xiezuo.progress.selectors import area_progress

    data = area_progress(resolve_org(org), year, as_of=_date(as_of, "截至日期"))
    lines = [{"org": u.org.code, "name": u.org.name, **(u.rates.as_dict() if u.rates else {}), "late": u.late,
              "findings": u.findings, "snapshots": u.snapshots} for u in data.units]
    if format is Format.json:
        _print_json({"area": data.area.code, "as_of": data.as_of.isoformat(), "units": lines})
        return
    out = Table(title=f"{data.area.name} 截至 {data.as_of.isoformat()} 各县项目进度")
    for col in ("单位", "开工率", "完工率", "资金支出进度", "逾期问题", "全部问题"):
        out.add_column(col, justify="left" if col == "单位" else "right")
    for x in lines:
        out.add_row(str(x["name"]), *(f"{x.get(k) or '—'}%" for k in ("start_rate", "completion_rate", "spend_rate")),
                    str(x["late"]), str(x["findings"]))
    console.print(out)


# --- duplicates --------------------------------------------------------------------------------


@duplicates_app.command("list")
def duplicates_list(
    year: int = YearOption,
    org: str | None = typer.Option(None, "--org", help="只看与该单位有关的（县看本县，市、省看下级各县）"),
    open_only: bool = typer.Option(False, "--open", help="只列出未处理的"),
    format: Format = FormatOption,
) -> None:
    """列出重复统计：同一身份证号（以密钥散列比对）出现在两个县，或同一企业、车间被两个县统计。"""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from xiezuo.progress.duplicates import conflicts_known, conflicts_scan, open_count

    area = resolve_org(org) if org else None
    conflicts = conflicts_known(area, year, include_resolved=not open_only)
    if conflicts is None:  # the same scan as the 重新检查 job, with a spinner and a bar of its three passes
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=err_console, transient=True) as bar:
            task = bar.add_task("检查重复统计", total=3)
            found = conflicts_scan(area, year, on_progress=lambda phase, n, total: bar.update(
                task, description=f"检查重复统计：{phase}", completed=n, total=total))
            bar.update(task, completed=3)
        conflicts = [c for c in found if c.resolution is None] if open_only else found
    if format is Format.json:
        _print_json([c.as_dict() for c in conflicts])
        return
    console.print(f"{year} 年度重复统计 {len(conflicts)} 条，其中未处理 {open_count(conflicts)} 条", highlight=False)
    out = Table()
    for col in ("类别", "比对键", "记录", "处理"):
        out.add_column(col)
    for c in conflicts:
        out.add_row(c.label, c.key[:16], "\n".join(f"{r.org_name} {r.name} {r.masked_id} {r.detail}".strip()
                                                   for r in c.records),
                    c.resolution.note if c.resolution else "未处理")
    console.print(out)


@duplicates_app.command("resolve")
def duplicates_resolve(
    year: int = YearOption,
    kind: str = typer.Option(..., "--kind", help="person（劳动力）、enterprise（企业）或 workshop（帮扶车间）"),
    key: str = typer.Option(..., "--key", help="比对键（`duplicates list` 所列，前 16 位即可）"),
    note: str = typer.Option(..., "--note", help="核实情况"),
) -> None:
    """写明核实情况，处理一条重复统计；处理后不再计为未处理。"""
    from xiezuo.progress.services import conflict_resolve

    conflict_resolve(kind=kind, year=year, key=key, note=note, by=None)
    console.print("已处理这条重复统计", highlight=False)


@duplicates_app.command("rehash")
def duplicates_rehash() -> None:
    """更换实例密钥（XIEZUO_SECRET_KEY）后，重新计算全部身份证号的密钥散列。"""
    from xiezuo.progress.services import ids_rehash

    console.print(f"已重新计算 {ids_rehash():,} 条记录的散列", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(period_app, name="period")
    app.add_typer(projects_app, name="projects")
    app.add_typer(duplicates_app, name="duplicates")
