"""A unit's submission: state, findings, warning explanations, timeline, comments and transitions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiezuo.accounts.scope import Permission, can, org_for
from xiezuo.core.errors import InputError, InvalidTransition, NotFound, PermissionDenied
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.locks import frozen_state
from xiezuo.submissions.models import EventKind, State
from xiezuo.submissions.selectors import changes_since_last_submission, signoff_of, submission_events
from xiezuo.submissions.services import (
    UNITS_MISSING,
    SubmissionBlocked,
    comment_resolve,
    submission_approve,
    submission_comment,
    submission_ensure,
    submission_opinion,
    submission_reopen,
    submission_reply,
    submission_return,
    submission_signoff,
    submission_submit,
    units_not_approved,
)
from xiezuo.web.history import history_entries
from xiezuo.web.selectors import table_page, unresolved_differences
from xiezuo.web.todo import deadline_for
from xiezuo.web.views.common import acting_user, checked_year, posted_version

EXPLAIN_PREFIX = "explain:"


def _render(request: HttpRequest, org: OrgUnit, year: int, *, status: int = 200,
            blocked: SubmissionBlocked | None = None) -> HttpResponse:
    page = table_page(org, year)
    state = page.state
    explanations = {k[len(EXPLAIN_PREFIX):]: v for k, v in request.POST.items() if k.startswith(EXPLAIN_PREFIX)}
    unexplained = {f.rule for f in blocked.unexplained} if blocked else set()
    # Last-year comparison of the key rows and of every row that changed by more than a half.
    compared = [r for r in page.rows if r.row.is_numeric and (r.row.key or r.findings) and
                (r.line.value is not None or r.previous is not None)]
    events = list(submission_events(page.submission)) if page.submission else []
    for event in events:
        row = page.catalogue.by_code.get(event.row_code) if event.row_code else None
        event.row_label = row.label if row else event.row_code  # type: ignore[attr-defined]  # display label for the template, not a model field
    if not explanations:
        # A resubmission starts from the explanations given last time.
        last_submit = next((e for e in reversed(events) if e.kind == EventKind.SUBMIT), None)
        if last_submit is not None:
            explanations = {rule: v.get("explanation", "") for rule, v in last_submit.explanations.items()
                            if rule != UNITS_MISSING}
    warnings = [(f, explanations.get(f.rule, "")) for f in page.warnings]
    sub = page.submission
    changes = changes_since_last_submission(sub) if sub is not None else None
    opinions = [e for e in events if e.kind == EventKind.OPINION]
    context = {
        "page": page, "org": org, "year": year, "state": state, "events": events, "warnings": warnings,
        "version": page.submission.version if page.submission else 0,
        "can_submit": not frozen_state(state) and can(request.user, Permission.SUBMIT, org),
        "can_review": state == State.SUBMITTED and can(request.user, Permission.REVIEW, org),
        "can_reopen": state == State.APPROVED and can(request.user, Permission.REOPEN, org),
        "can_comment": can(request.user, Permission.COMMENT, org),
        "explanations": explanations, "unexplained": unexplained, "compared": compared,
        "value_rows": [r for r in page.catalogue.rows if r.is_value],
        "commented": page.commented_rows,
        "changes": history_entries(changes) if changes is not None else None,
        "units_missing": units_not_approved(org, year) if org.level != "county" else [],
        "signoff_required": org.lead_signoff_required,
        "signoff": signoff_of(sub) if sub is not None and org.lead_signoff_required else None,
        "can_signoff": (org.lead_signoff_required and not frozen_state(state)
                        and can(request.user, Permission.SUBMIT, org) and _is_lead(request)),
        "can_resolve": can(request.user, Permission.EDIT, org),
        "opinion": opinions[-1] if opinions else None,
        "can_opine": _is_partner(request) and can(request.user, Permission.COMMENT, org),
        "differences": unresolved_differences(page),
        "deadline": deadline_for(org, year),
    }
    return render(request, "web/submission.html", context, status=status)


def _role(request: HttpRequest) -> str:
    from xiezuo.accounts.scope import profile_of

    profile = profile_of(request.user)
    return profile.role if profile is not None else ""


def _is_lead(request: HttpRequest) -> bool:
    return _role(request) in ("county_lead", "admin")


def _is_partner(request: HttpRequest) -> bool:
    return _role(request) == "east_partner"


def _comment_id(request: HttpRequest) -> int:
    raw = request.POST.get("comment_id", "")
    if not raw.isdigit():
        raise NotFound("没有指明回复哪一条意见")
    return int(raw)


def _back(request: HttpRequest, code: str, year: int, row_code: str) -> HttpResponse | None:
    if request.POST.get("back") == "table" and row_code:
        return redirect(reverse("web:table", args=[code, year]) + f"#row-{row_code}")
    return None


@login_required
def submission(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = org_for(request.user, code)
    return _render(request, org, checked_year(year))


@require_POST
@login_required
def submission_action(request: HttpRequest, code: str, year: int, action: str) -> HttpResponse:
    org = org_for(request.user, code)
    checked_year(year)
    by, version = acting_user(request), posted_version(request)
    comment = request.POST.get("comment", "")
    try:
        if action == "submit":
            sub = submission_ensure(org=org, year=year, by=by) if can(by, Permission.SUBMIT, org) else None
            if sub is None:
                raise PermissionDenied(f"您没有报送「{org.name}」填报的权限")
            explanations = {k[len(EXPLAIN_PREFIX):]: request.POST.get(k, "") for k in request.POST
                            if k.startswith(EXPLAIN_PREFIX)}
            # Version 0: the page was shown before the unit had a submission record at all.
            submission_submit(submission=sub, by=by, explanations=explanations, comment=comment,
                              expected_version=version or None,
                              missing_statement=request.POST.get("missing_statement", ""))
            messages.success(request, "已报送，等待上级审核")
        elif action == "comment":
            sub = submission_ensure(org=org, year=year) if can(by, Permission.COMMENT, org) else None
            if sub is None:
                raise PermissionDenied(f"您没有对「{org.name}」发表意见的权限")
            row_code = request.POST.get("row", "")
            submission_comment(submission=sub, by=by, comment=comment, row_code=row_code)
            messages.success(request, "意见已记录")
            if request.POST.get("back") == "table" and row_code:
                return redirect(reverse("web:table", args=[code, year]) + f"#row-{row_code}")
        elif action in ("reply", "resolve", "reopen_comment"):
            comment_id = _comment_id(request)
            if action == "reply":
                event = submission_reply(comment_id=comment_id, by=by, text=comment, org=org)
                messages.success(request, "回复已记录")
            else:
                event = comment_resolve(comment_id=comment_id, by=by, resolved=action == "resolve", org=org)
                messages.success(request, "意见已标记为已处理" if action == "resolve" else "意见已重新打开")
            back = _back(request, code, year, event.row_code)
            if back is not None:
                return back
        elif action == "signoff":
            sub = submission_ensure(org=org, year=year) if can(by, Permission.SUBMIT, org) else None
            if sub is None:
                raise PermissionDenied(f"您没有审核「{org.name}」统计表的权限")
            submission_signoff(submission=sub, by=by, comment=comment)
            messages.success(request, "负责人已审核，可以报送")
        elif action == "opinion":
            sub = submission_ensure(org=org, year=year) if can(by, Permission.COMMENT, org) else None
            if sub is None:
                raise PermissionDenied(f"您没有对「{org.name}」发表意见的权限")
            submission_opinion(submission=sub, by=by, text=comment)
            messages.success(request, "结对方意见已记录")
        elif action in ("return", "approve", "reopen"):
            sub = org.submissions.filter(year=year).first()
            if sub is None:
                raise InvalidTransition(f"「{org.name}」{year} 年度尚未报送")
            if action == "return":
                rows = {request.POST.get("row", ""): request.POST.get("row_comment", "")}
                submission_return(submission=sub, by=by, comment=comment,
                                  row_comments={k: v for k, v in rows.items() if k}, expected_version=version)
                messages.success(request, "已退回")
            elif action == "approve":
                submission_approve(submission=sub, by=by, comment=comment, expected_version=version)
                messages.success(request, "已审核通过，数据已锁定")
            else:
                submission_reopen(submission=sub, by=by, reason=comment, expected_version=version)
                messages.success(request, "已重新打开，退回填报单位修改")
        else:
            raise NotFound(f"未知操作「{action}」")
    except SubmissionBlocked as exc:
        messages.error(request, exc.message)
        return _render(request, org, year, status=400, blocked=exc)
    except InputError as exc:
        messages.error(request, exc.message)
        return _render(request, org, year, status=400)
    return redirect("web:submission", code, year)
