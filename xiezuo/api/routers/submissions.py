"""Submissions: a unit-year's state and timeline, its units' states, and the transitions and comments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from xiezuo.accounts.scope import visible_orgs
from xiezuo.submissions.models import State, Submission, SubmissionEvent
from xiezuo.submissions.selectors import submission_events, submissions_for_many
from xiezuo.submissions.services import (
    submission_approve,
    submission_comment,
    submission_ensure,
    submission_reopen,
    submission_return,
    submission_submit,
)

from ..auth import user_of
from ..common import CODE, PAGE, PAGE_SIZE_Q, YEAR, unit_year
from ..schemas import ERRORS, Page, paged

router = Router(tags=["报送与审核"])


class SubmissionOut(Schema):
    org: str
    name: str
    year: int
    state: str
    state_label: str
    version: int  # send it back with a transition: acting on an outdated page is 409
    submitted_at: str | None
    approved_at: str | None


class EventOut(Schema):
    kind: str
    from_state: str
    to_state: str
    at: str
    by: str
    by_org: str
    comment: str
    row: str


class SubmitIn(Schema):
    version: int | None = None
    comment: str = ""
    explanations: dict[str, str] = {}  # rule id of each warning → the written reason
    missing_statement: str = ""


class ReturnIn(Schema):
    version: int | None = None
    comment: str
    row_comments: dict[str, str] = {}


class ApproveIn(Schema):
    version: int | None = None
    comment: str = ""


class ReopenIn(Schema):
    version: int | None = None
    reason: str


class CommentIn(Schema):
    comment: str
    row: str = ""


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def submission_out(org: Any, year: int, s: Submission | None) -> dict[str, Any]:
    state = s.state if s else State.DRAFT
    return {"org": org.code, "name": org.name, "year": year, "state": state, "state_label": State(state).label,
            "version": s.version if s else 0, "submitted_at": _iso(s.submitted_at) if s else None,
            "approved_at": _iso(s.approved_at) if s else None}


@router.get("/{code}/years/{year}/submission", response={200: SubmissionOut, **ERRORS}, summary="填报状态")
def submission(request: HttpRequest, code: str = CODE, year: int = YEAR) -> dict[str, Any]:
    org = unit_year(request, code, year)
    return submission_out(org, year, Submission.objects.filter(org=org, year=year).first())


@router.get("/{code}/years/{year}/submission/timeline", response={200: Page[EventOut], **ERRORS},
            summary="填报的流转与意见记录")
def timeline(request: HttpRequest, code: str = CODE, year: int = YEAR, page: int = PAGE,
             page_size: int = PAGE_SIZE_Q) -> dict[str, Any]:
    org = unit_year(request, code, year)
    s = Submission.objects.filter(org=org, year=year).first()
    result = paged(submission_events(s) if s else SubmissionEvent.objects.none(), page, page_size)
    result["items"] = [{"kind": e.kind, "from_state": e.from_state, "to_state": e.to_state, "at": e.at.isoformat(),
                        "by": e.by_name, "by_org": e.by_org_name, "comment": e.comment, "row": e.row_code}
                       for e in result["items"]]
    return result


@router.get("/{code}/years/{year}/units", response={200: Page[SubmissionOut], **ERRORS},
            summary="直属下级单位的填报状态")
def units(request: HttpRequest, code: str = CODE, year: int = YEAR, page: int = PAGE,
          page_size: int = PAGE_SIZE_Q) -> dict[str, Any]:
    org = unit_year(request, code, year)
    below = visible_orgs(user_of(request)).filter(parent=org).order_by("code")
    result = paged(below, page, page_size)
    subs = submissions_for_many(result["items"], year)
    result["items"] = [submission_out(o, year, subs.get(o.pk)) for o in result["items"]]
    return result


def _current(request: HttpRequest, code: str, year: int) -> Submission:
    org = unit_year(request, code, year)
    submission: Submission = submission_ensure(org=org, year=year, by=user_of(request))
    return submission


@router.post("/{code}/years/{year}/submission/submit", response={200: SubmissionOut, **ERRORS}, summary="报送")
def submit(request: HttpRequest, body: SubmitIn, code: str = CODE, year: int = YEAR) -> dict[str, Any]:
    s = submission_submit(submission=_current(request, code, year), by=user_of(request),
                          explanations=body.explanations, comment=body.comment, expected_version=body.version,
                          missing_statement=body.missing_statement)
    return submission_out(s.org, year, s)


@router.post("/{code}/years/{year}/submission/return", response={200: SubmissionOut, **ERRORS},
             summary="退回（须填写意见）")
def return_(request: HttpRequest, body: ReturnIn, code: str = CODE, year: int = YEAR) -> dict[str, Any]:
    s = submission_return(submission=_current(request, code, year), by=user_of(request), comment=body.comment,
                          row_comments=body.row_comments, expected_version=body.version)
    return submission_out(s.org, year, s)


@router.post("/{code}/years/{year}/submission/approve", response={200: SubmissionOut, **ERRORS}, summary="审核通过")
def approve(request: HttpRequest, body: ApproveIn, code: str = CODE, year: int = YEAR) -> dict[str, Any]:
    s = submission_approve(submission=_current(request, code, year), by=user_of(request), comment=body.comment,
                           expected_version=body.version)
    return submission_out(s.org, year, s)


@router.post("/{code}/years/{year}/submission/reopen", response={200: SubmissionOut, **ERRORS},
             summary="重新打开已通过的填报（须说明理由）")
def reopen(request: HttpRequest, body: ReopenIn, code: str = CODE, year: int = YEAR) -> dict[str, Any]:
    s = submission_reopen(submission=_current(request, code, year), by=user_of(request), reason=body.reason,
                          expected_version=body.version)
    return submission_out(s.org, year, s)


@router.post("/{code}/years/{year}/submission/comments", response={201: EventOut, **ERRORS},
             summary="提出意见（对整表或某一行）")
def comment(request: HttpRequest, body: CommentIn, code: str = CODE, year: int = YEAR) -> Status[dict[str, Any]]:
    e = submission_comment(submission=_current(request, code, year), by=user_of(request), comment=body.comment,
                           row_code=body.row)
    return Status(201, {"kind": e.kind, "from_state": e.from_state, "to_state": e.to_state, "at": e.at.isoformat(),
                        "by": e.by_name, "by_org": e.by_org_name, "comment": e.comment, "row": e.row_code})
