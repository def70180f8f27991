"""Transitions of a submission: draft → submitted → returned … → approved, each checked and recorded.

Every service checks the current state (refusing otherwise), asks `accounts.scope` whether the
user may do it, writes the timeline event and the change record in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from xiezuo.accounts.scope import Permission, profile_of
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action
from xiezuo.core.changes import actor_display_name, stored_actor
from xiezuo.core.errors import InvalidTransition, InvalidValue, NotFound, StaleEdit
from xiezuo.core.textcheck import checked_text
from xiezuo.engine.validate import Finding
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.locks import lock_unit
from xiezuo.submissions.models import EventKind, State, Submission, SubmissionEvent
from xiezuo.tables.findings import table_validate

STATE_LABELS = dict(State.choices)
COMMENT_MAX = 5000  # characters of a comment, an explanation or a reason


class SubmissionBlocked(InvalidTransition):
    """Submitting is refused because of error findings or unexplained warnings (listed)."""

    code = "submission_blocked"

    def __init__(self, message: str, *, errors: list[Finding], unexplained: list[Finding]) -> None:
        self.errors = errors
        self.unexplained = unexplained
        super().__init__(message)


def _who(by: AbstractBaseUser | None) -> tuple[str, str]:
    profile = profile_of(by)
    return actor_display_name(by), (profile.org.name if profile is not None else "")


def _locked(submission: Submission, expected_version: int | None) -> Submission:
    """Re-read the submission under the unit's lock (the one every write of the unit takes) and its own
    row lock, so two transitions — or a transition and a write — cannot both pass their checks."""
    lock_unit(submission.org)
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


class _SubmissionAction(Action[Any]):
    """Transitions and comments: they move or annotate the submission itself, so the lock on figures
    does not apply; each checks the state it starts from instead."""

    exempt_reason = "填报状态的流转本身，按当前状态检查"
    field_labels = {"state": "状态", "row": "指标"}

    submission: Submission
    expected_version: int | None = None

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.submission.org, self.submission.year

    def _event(
        self, submission: Submission, *, kind: str, from_state: str = "", to_state: str = "",
        comment: str = "", row_code: str = "", explanations: Mapping[str, object] | None = None,
    ) -> SubmissionEvent:
        name, org_name = _who(self.by)
        event = SubmissionEvent.objects.create(
            submission=submission, kind=kind, from_state=from_state, to_state=to_state,
            by=stored_actor(self.by),
            by_name=name, by_org_name=org_name, comment=comment, row_code=row_code,
            explanations=dict(explanations or {}),
        )
        self.record(
            kind=ActionKind(f"submission.{kind}"), object_type="submissions.submission",
            object_key=f"{submission.org.code}/{submission.year}", org_code=submission.org.code,
            year=submission.year, old={"state": from_state} if from_state else None,
            new={k: v for k, v in (("state", to_state), ("row", row_code)) if v}, comment=comment,
        )
        return event


class SubmissionEnsure(_SubmissionAction):
    """The unit's submission for the year, created as a draft the first time it is needed."""

    kind = ActionKind.SUBMISSION_CREATE

    def __init__(self, *, org: OrgUnit, year: int, by: AbstractBaseUser | None = None) -> None:
        get_catalogue(year)  # refuses a year without a template
        self.org, self.year, self.by = org, year, by

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year

    def perform(self) -> Submission:
        submission, created = Submission.objects.select_related("org").get_or_create(org=self.org, year=self.year)
        if created:
            self._event(submission, kind=EventKind.CREATE, to_state=State.DRAFT)
        return submission


class SubmissionSubmit(_SubmissionAction):
    """Send the table up. No error findings may remain; every warning needs a written explanation.

    `explanations` maps a warning's rule id to the unit's reason.
    """

    kind = ActionKind.SUBMISSION_SUBMIT
    permission = Permission.SUBMIT

    def __init__(self, *, submission: Submission, by: AbstractBaseUser | None,
                 explanations: Mapping[str, str] | None = None, comment: str = "",
                 expected_version: int | None = None) -> None:
        self.submission, self.by, self.expected_version = submission, by, expected_version
        self.comment = checked_text(comment, label="报送说明", max_length=COMMENT_MAX)
        self.explanations = {k: checked_text(v.strip(), label="警告说明", max_length=COMMENT_MAX)
                             for k, v in (explanations or {}).items() if v and v.strip()}

    def perform(self) -> Submission:
        current = _locked(self.submission, self.expected_version)
        _check_state(current, (State.DRAFT, State.RETURNED), "报送")
        waiting = _units_not_approved(current.org, current.year)
        if waiting:
            raise InvalidTransition(
                f"「{current.org.name}」的下级单位尚未全部审核通过（{'、'.join(waiting)}），不能报送汇总数据"
            )
        findings = table_validate(current.org, current.year)
        errors = [f for f in findings if f.severity == "error"]
        warnings = [f for f in findings if f.severity == "warning"]
        unexplained = [f for f in warnings if f.rule not in self.explanations]
        if errors or unexplained:
            parts = []
            if errors:
                parts.append(f"还有 {len(errors)} 个错误需要改正")
            if unexplained:
                parts.append(f"{len(unexplained)} 个警告需要填写说明")
            raise SubmissionBlocked("不能报送：" + "，".join(parts), errors=errors, unexplained=unexplained)
        kept = {f.rule: {"message": f.message, "explanation": self.explanations[f.rule]} for f in warnings}
        before = current.state
        _move(current, State.SUBMITTED, submitted_at=timezone.now())
        self._event(current, kind=EventKind.SUBMIT, from_state=before, to_state=State.SUBMITTED,
                    comment=self.comment.strip(), explanations=kept)
        return current


class SubmissionReturn(_SubmissionAction):
    """Send it back to the unit with the reviewer's comment (and optionally comments on single rows)."""

    kind = ActionKind.SUBMISSION_RETURN
    permission = Permission.REVIEW

    def __init__(self, *, submission: Submission, by: AbstractBaseUser | None, comment: str,
                 row_comments: Mapping[str, str] | None = None, expected_version: int | None = None) -> None:
        if not comment.strip():
            raise InvalidValue("退回时必须填写退回意见")
        checked_text(comment, label="退回意见", max_length=COMMENT_MAX)
        for text in (row_comments or {}).values():
            checked_text(text or "", label="对本行的意见", max_length=COMMENT_MAX)
        catalogue = get_catalogue(submission.year)
        self.rows = {code: text.strip() for code, text in (row_comments or {}).items() if text and text.strip()}
        for code in self.rows:
            if code not in catalogue.by_code:
                raise NotFound(f"{submission.year} 年度统计表中没有指标「{code}」")
        self.submission, self.by, self.comment, self.expected_version = submission, by, comment, expected_version

    def perform(self) -> Submission:
        current = _locked(self.submission, self.expected_version)
        _check_state(current, (State.SUBMITTED,), "退回")
        _move(current, State.RETURNED)
        self._event(current, kind=EventKind.RETURN, from_state=State.SUBMITTED, to_state=State.RETURNED,
                    comment=self.comment.strip())
        for code, text in self.rows.items():
            self._event(current, kind=EventKind.COMMENT, comment=text, row_code=code)
        return current


class SubmissionApprove(_SubmissionAction):
    """Accept the table: from now on its figures are locked."""

    kind = ActionKind.SUBMISSION_APPROVE
    permission = Permission.REVIEW

    def __init__(self, *, submission: Submission, by: AbstractBaseUser | None, comment: str = "",
                 expected_version: int | None = None) -> None:
        self.submission, self.by, self.comment, self.expected_version = submission, by, comment, expected_version

    def perform(self) -> Submission:
        current = _locked(self.submission, self.expected_version)
        _check_state(current, (State.SUBMITTED,), "审核通过")
        _move(current, State.APPROVED, approved_at=timezone.now())
        self._event(current, kind=EventKind.APPROVE, from_state=State.SUBMITTED, to_state=State.APPROVED,
                    comment=self.comment.strip())
        return current


class SubmissionReopen(_SubmissionAction):
    """Unlock an approved table (only the level above, with a reason); it goes back to the unit."""

    kind = ActionKind.SUBMISSION_REOPEN
    permission = Permission.REOPEN

    def __init__(self, *, submission: Submission, by: AbstractBaseUser | None, reason: str,
                 expected_version: int | None = None) -> None:
        if not reason.strip():
            raise InvalidValue("重新打开已通过的填报必须说明理由")
        checked_text(reason, label="理由", max_length=COMMENT_MAX)
        self.submission, self.by, self.reason, self.expected_version = submission, by, reason, expected_version

    def perform(self) -> Submission:
        current = _locked(self.submission, self.expected_version)
        _check_state(current, (State.APPROVED,), "重新打开")
        _move(current, State.RETURNED, approved_at=None)
        self._event(current, kind=EventKind.REOPEN, from_state=State.APPROVED, to_state=State.RETURNED,
                    comment=self.reason.strip())
        return current


class SubmissionComment(_SubmissionAction):
    """A comment on the whole submission or on one row, in any state (partners comment too)."""

    kind = ActionKind.SUBMISSION_COMMENT
    permission = Permission.COMMENT
    exempt_reason = "意见在任何状态下都可以提出，不修改数据"

    def __init__(self, *, submission: Submission, by: AbstractBaseUser | None, comment: str,
                 row_code: str = "") -> None:
        if not comment.strip():
            raise InvalidValue("意见内容不能为空")
        checked_text(comment, label="意见", max_length=COMMENT_MAX)
        if row_code and row_code not in get_catalogue(submission.year).by_code:
            raise NotFound(f"{submission.year} 年度统计表中没有指标「{row_code}」")
        self.submission, self.by, self.comment, self.row_code = submission, by, comment, row_code

    def perform(self) -> SubmissionEvent:
        return self._event(self.submission, kind=EventKind.COMMENT, comment=self.comment.strip(),
                           row_code=self.row_code)


submission_ensure = SubmissionEnsure.run
submission_submit = SubmissionSubmit.run
submission_return = SubmissionReturn.run
submission_approve = SubmissionApprove.run
submission_reopen = SubmissionReopen.run
submission_comment = SubmissionComment.run
