"""Transitions of a submission: draft → submitted → returned … → approved, each checked and recorded.

Every service checks the current state (refusing otherwise), asks `accounts.scope` whether the
user may do it, writes the timeline event and the change record in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from xiezuo.accounts.scope import Action, can, profile_of
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.changes import change_record
from xiezuo.core.errors import InvalidTransition, InvalidValue, NotFound, PermissionDenied, StaleEdit
from xiezuo.core.textcheck import text_problem
from xiezuo.engine.validate import Finding
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.models import EventKind, State, Submission, SubmissionEvent
from xiezuo.tables.checks import table_validate

STATE_LABELS = dict(State.choices)


class SubmissionBlocked(InvalidTransition):
    """Submitting is refused because of error findings or unexplained warnings (listed)."""

    code = "submission_blocked"

    def __init__(self, message: str, *, errors: list[Finding], unexplained: list[Finding]) -> None:
        self.errors = errors
        self.unexplained = unexplained
        super().__init__(message)


COMMENT_MAX_LENGTH = 5000  # characters of one comment or explanation

def _who(by: AbstractBaseUser | None) -> tuple[str, str]:
    profile = profile_of(by)
    name = by.get_username() if by is not None else "系统"
    return name, (profile.org.name if profile is not None else "")


def _require(by: AbstractBaseUser | None, action: Action, org: OrgUnit, doing: str) -> None:
    if not can(by, action, org):
        # Outside scope reads as "not found"; inside scope but wrong role as "not allowed".
        if not can(by, Action.VIEW, org):
            raise NotFound(f"未找到行政区划「{org.code}」")
        raise PermissionDenied(f"您没有{doing}「{org.name}」填报的权限")


def _locked(submission: Submission, expected_version: int | None) -> Submission:
    """Re-read the submission under a row lock so two transitions cannot both pass the state check."""
    current = Submission.objects.select_for_update().select_related("org").get(pk=submission.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(
            f"「{current.org.name}」{current.year} 年度填报已变为「{STATE_LABELS[current.state]}」，"
            "您看到的是旧页面，操作未执行。请刷新后再试。"
        )
    return current


def _check_state(submission: Submission, allowed: tuple[str, ...], doing: str) -> None:
    if submission.state not in allowed:
        wanted = "或".join(f"「{STATE_LABELS[s]}」" for s in allowed)
        raise InvalidTransition(
            f"「{submission.org.name}」{submission.year} 年度填报当前为「{STATE_LABELS[submission.state]}」，"
            f"只有{wanted}状态才能{doing}"
        )


def _event(
    submission: Submission, *, kind: str, by: AbstractBaseUser | None, from_state: str = "", to_state: str = "",
    comment: str = "", row_code: str = "", explanations: Mapping[str, object] | None = None,
) -> SubmissionEvent:
    written = [("意见", comment)] + [
        (f"说明「{k}」", str(v.get("explanation", "") if isinstance(v, dict) else v)) for k, v in (explanations or {}).items()
    ]
    for label, text in written:
        problem = text_problem(text, COMMENT_MAX_LENGTH)
        if problem:
            raise InvalidValue(f"{label}{problem}")
    name, org_name = _who(by)
    event = SubmissionEvent.objects.create(
        submission=submission, kind=kind, from_state=from_state, to_state=to_state,
        by=by if by is not None and by.pk else None,  # type: ignore[misc]  # the project's user model
        by_name=name, by_org_name=org_name, comment=comment, row_code=row_code,
        explanations=dict(explanations or {}),
    )
    change_record(
        actor=by, action=f"submission.{kind}", object_type="submissions.submission",
        object_key=f"{submission.org.code}/{submission.year}", org_code=submission.org.code,
        year=submission.year, old={"state": from_state} if from_state else None,
        new={"state": to_state or submission.state, "row": row_code or None}, comment=comment,
    )
    return event


def _move(submission: Submission, to_state: str, **stamps: object) -> None:
    submission.state = to_state
    submission.version += 1
    for name, value in stamps.items():
        setattr(submission, name, value)
    submission.save(update_fields=["state", "version", "updated_at", *stamps])


def _units_not_approved(org: OrgUnit, year: int) -> list[str]:
    """A city or province sends its roll-up up only when every unit below (same side) is approved."""
    below = OrgUnit.objects.filter(parent=org, side=org.side)
    approved = set(
        Submission.objects.filter(org__in=below, year=year, state=State.APPROVED).values_list("org_id", flat=True)
    )
    return [unit.name for unit in below.order_by("code") if unit.pk not in approved]


def submission_ensure(*, org: OrgUnit, year: int, by: AbstractBaseUser | None = None) -> Submission:
    """The unit's submission for the year, created as a draft the first time it is needed."""
    get_catalogue(year)  # refuses a year without a template
    with transaction.atomic():
        submission, created = Submission.objects.select_related("org").get_or_create(org=org, year=year)
        if created:
            _event(submission, kind=EventKind.CREATE, by=by, to_state=State.DRAFT)
    return submission


def submission_submit(
    *,
    submission: Submission,
    by: AbstractBaseUser | None,
    explanations: Mapping[str, str] | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> Submission:
    """Send the table up. No error findings may remain; every warning needs a written explanation.

    `explanations` maps a warning's rule id to the unit's reason.
    """
    _require(by, Action.SUBMIT, submission.org, "报送")
    explanations = {k: v.strip() for k, v in (explanations or {}).items() if v and v.strip()}
    with transaction.atomic():
        current = _locked(submission, expected_version)
        _check_state(current, (State.DRAFT, State.RETURNED), "报送")
        waiting = _units_not_approved(current.org, current.year)
        if waiting:
            raise InvalidTransition(
                f"「{current.org.name}」的下级单位尚未全部审核通过（{'、'.join(waiting)}），不能报送汇总数据"
            )
        findings = table_validate(current.org, current.year)
        errors = [f for f in findings if f.severity == "error"]
        warnings = [f for f in findings if f.severity == "warning"]
        unexplained = [f for f in warnings if f.rule not in explanations]
        if errors or unexplained:
            parts = []
            if errors:
                parts.append(f"还有 {len(errors)} 个错误需要改正")
            if unexplained:
                parts.append(f"{len(unexplained)} 个警告需要填写说明")
            raise SubmissionBlocked("不能报送：" + "，".join(parts), errors=errors, unexplained=unexplained)
        kept = {f.rule: {"message": f.message, "explanation": explanations[f.rule]} for f in warnings}
        before = current.state
        _move(current, State.SUBMITTED, submitted_at=timezone.now())
        _event(current, kind=EventKind.SUBMIT, by=by, from_state=before, to_state=State.SUBMITTED,
               comment=comment.strip(), explanations=kept)
    return current


def submission_return(
    *,
    submission: Submission,
    by: AbstractBaseUser | None,
    comment: str,
    row_comments: Mapping[str, str] | None = None,
    expected_version: int | None = None,
) -> Submission:
    """Send it back to the unit with the reviewer's comment (and optionally comments on single rows)."""
    _require(by, Action.REVIEW, submission.org, "退回")
    if not comment.strip():
        raise InvalidValue("退回时必须填写退回意见")
    catalogue = get_catalogue(submission.year)
    rows = {code: text.strip() for code, text in (row_comments or {}).items() if text and text.strip()}
    for code in rows:
        if code not in catalogue.by_code:
            raise NotFound(f"{submission.year} 年度统计表中没有指标「{code}」")
    with transaction.atomic():
        current = _locked(submission, expected_version)
        _check_state(current, (State.SUBMITTED,), "退回")
        _move(current, State.RETURNED)
        _event(current, kind=EventKind.RETURN, by=by, from_state=State.SUBMITTED, to_state=State.RETURNED,
               comment=comment.strip())
        for code, text in rows.items():
            _event(current, kind=EventKind.COMMENT, by=by, comment=text, row_code=code)
    return current


def submission_approve(
    *, submission: Submission, by: AbstractBaseUser | None, comment: str = "", expected_version: int | None = None,
) -> Submission:
    """Accept the table: from now on its figures are locked."""
    _require(by, Action.REVIEW, submission.org, "审核")
    with transaction.atomic():
        current = _locked(submission, expected_version)
        _check_state(current, (State.SUBMITTED,), "审核通过")
        _move(current, State.APPROVED, approved_at=timezone.now())
        _event(current, kind=EventKind.APPROVE, by=by, from_state=State.SUBMITTED, to_state=State.APPROVED,
               comment=comment.strip())
    return current


def submission_reopen(
    *, submission: Submission, by: AbstractBaseUser | None, reason: str, expected_version: int | None = None,
) -> Submission:
    """Unlock an approved table (only the level above, with a reason); it goes back to the unit."""
    _require(by, Action.REOPEN, submission.org, "重新打开")
    if not reason.strip():
        raise InvalidValue("重新打开已通过的填报必须说明理由")
    with transaction.atomic():
        current = _locked(submission, expected_version)
        _check_state(current, (State.APPROVED,), "重新打开")
        _move(current, State.RETURNED, approved_at=None)
        _event(current, kind=EventKind.REOPEN, by=by, from_state=State.APPROVED, to_state=State.RETURNED,
               comment=reason.strip())
    return current


def submission_comment(
    *, submission: Submission, by: AbstractBaseUser | None, comment: str, row_code: str = "",
) -> SubmissionEvent:
    """A comment on the whole submission or on one row, in any state (partners comment too)."""
    _require(by, Action.COMMENT, submission.org, "评论")
    if not comment.strip():
        raise InvalidValue("意见内容不能为空")
    if row_code and row_code not in get_catalogue(submission.year).by_code:
        raise NotFound(f"{submission.year} 年度统计表中没有指标「{row_code}」")
    with transaction.atomic():
        return _event(submission, kind=EventKind.COMMENT, by=by, comment=comment.strip(), row_code=row_code)
