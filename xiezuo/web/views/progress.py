"""Progress through the year: a county's periods, snapshots and project register; an area's
units × rates, targets at risk and duplicate conflicts. Writes go through the progress and
register services; pages only parse the request."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezuo.accounts.scope import Permission, can, org_for
from xiezuo.core.errors import InvalidValue, NotFound, PermissionDenied, XiezuoError
from xiezuo.ledgers.models import FundProject
from xiezuo.ledgers.projects import STAGE_LABEL, STAGES, project_transition, stage_index
from xiezuo.orgunits.models import Level, OrgUnit, Side
from xiezuo.progress.duplicates import open_count
from xiezuo.progress.periods import period_for, snapshot_compare
from xiezuo.progress.selectors import area_progress, scan_in_job, unit_progress
from xiezuo.progress.services import conflict_resolve, snapshot_freeze
from xiezuo.web.views.common import acting_user, checked_year


def _day(raw: str | None, year: int) -> dt.date | None:
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(f"日期「{raw}」格式应为 {year}-09-30") from None
    if day.year != year:
        raise InvalidValue(f"日期 {raw} 不在 {year} 年度内")
    return day


def _as_of(request: HttpRequest, year: int) -> tuple[dt.date | None, str]:
    try:
        return _day(request.GET.get("as_of"), year), ""
    except InvalidValue as exc:
        return None, exc.message


def _county(request: HttpRequest, code: str, year: int) -> OrgUnit:
    org = org_for(request.user, code)
    checked_year(year)
    if org.level != Level.COUNTY or org.side != Side.WEST:
        raise NotFound(f"「{org.name}」没有项目和台账进度：由西部县（市、区）填报")
    return org


@login_required
def progress(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = _county(request, code, year)
    as_of, problem = _as_of(request, year)
    data = unit_progress(org, year, as_of=as_of)
    by_key = {s.period.key: s for s in data.snapshots}
    compare = None
    old, new = request.GET.get("from"), request.GET.get("to")
    if old in by_key and new in by_key:
        compare = snapshot_compare(by_key[old], by_key[new])
    editable = can(request.user, Permission.EDIT, org)
    projects = [{
        "project": p, "stage_label": STAGE_LABEL[p.stage],
        "next": STAGES[stage_index(p.stage) + 1] if stage_index(p.stage) + 1 < len(STAGES) else None,
        "findings": data.findings_of(p.pk),
    } for p in data.projects]
    for item in projects:
        item["next_label"] = STAGE_LABEL.get(str(item["next"]), "")
    return render(request, "web/progress.html", {
        "org": org, "year": year, "data": data, "problem": problem, "projects": projects, "compare": compare,
        "compare_from": old, "compare_to": new, "editable": editable,
        "can_submit": can(request.user, Permission.SUBMIT, org),
        "curve": data.curve(), "stage_labels": STAGE_LABEL,
    })


@login_required
@require_POST
def progress_freeze(request: HttpRequest, code: str, year: int, key: str) -> HttpResponse:
    org = _county(request, code, year)
    org_for(request.user, code, Permission.SUBMIT)
    period = period_for(org, year, key)
    try:
        snapshot_freeze(org=org, period=period, by=acting_user(request))
        messages.success(request, f"已报送{period.label}，截至 {period.ends_on.isoformat()} 的数值已冻结")
    except XiezuoError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("web:progress", args=[code, year]) + "#periods")


@login_required
@require_POST
def project_step(request: HttpRequest, code: str, year: int, pk: int) -> HttpResponse:
    org = _county(request, code, year)
    org_for(request.user, code, Permission.EDIT)
    project = FundProject.objects.filter(pk=pk, org=org, year=year).first()
    if project is None:
        raise NotFound("项目库中没有这个项目（可能已被删除）")
    try:
        day = _day(request.POST.get("date"), year) or timezone.localdate()
        project_transition(project_id=project.pk, stage=request.POST.get("stage", ""), date=day,
                           by=acting_user(request), note=request.POST.get("note", ""),
                           asset_class=request.POST.get("asset_class", ""),
                           asset_owner=request.POST.get("asset_owner", ""))
        messages.success(request, f"项目「{project.name}」已登记为「{STAGE_LABEL[request.POST['stage']]}」")
    except XiezuoError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("web:progress", args=[code, year]) + f"#project-{project.pk}")


@login_required
def area(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = org_for(request.user, code)
    checked_year(year)
    if org.level == Level.COUNTY:
        raise NotFound(f"「{org.name}」是县级单位，请查看其进度页")
    as_of, problem = _as_of(request, year)
    data = area_progress(org, year, as_of=as_of)
    return render(request, "web/area.html", {
        "org": org, "year": year, "data": data, "problem": problem, "chart": data.rates_chart(),
        "open_conflicts": open_count(data.conflicts) if data.conflicts is not None else None,
        "scan_in_job": scan_in_job(org),
        "can_resolve": org.side == Side.WEST and any(
            can(request.user, a, org) for a in (Permission.REVIEW, Permission.SUBMIT, Permission.EDIT)),
    })


@login_required
@require_POST
def conflicts_scan(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """重新检查: a province's or the nation's duplicate scan, run by a `duplicate_scan` job."""
    from xiezuo.jobs.services import enqueue
    from xiezuo.progress.duplicates import conflicts_viewer_check

    org = org_for(request.user, code)
    checked_year(year)
    if not scan_in_job(org):
        raise NotFound("只有省级和全国的重复统计在后台检查")
    conflicts_viewer_check(request.user)
    job = enqueue(kind="duplicate_scan", label=f"检查{org.name}{year}年度重复统计", params={},
                  by=acting_user(request), org_code=org.code, year=year, total=3)
    return redirect("jobs:job", job.pk)


@login_required
@require_POST
def conflict_resolve_view(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = org_for(request.user, code)
    checked_year(year)
    try:
        conflict_resolve(kind=request.POST.get("kind", ""), year=year, key=request.POST.get("key", ""),
                         note=request.POST.get("note", ""), by=acting_user(request))
        messages.success(request, "已处理这条重复统计")
    except PermissionDenied:
        raise
    except XiezuoError as exc:
        messages.error(request, exc.message)
    page = "web:progress" if org.level == Level.COUNTY else "web:area"
    return redirect(reverse(page, args=[code, year]) + "#conflicts")

