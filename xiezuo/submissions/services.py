"""Transitions of a submission: draft → submitted → returned … → approved, each checked and recorded.

Every service checks the current state (refusing otherwise), asks `accounts.scope` whether the
user may do it, writes the timeline event and the change record in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from xiezuo.accounts.models import Role
from xiezuo.accounts.scope import Permission, profile_of
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action, changed_fields
from xiezuo.core.changes import actor_display_name, stored_actor
from xiezuo.core.errors import InvalidTransition, InvalidValue, NotFound, PermissionDenied, StaleEdit
from xiezuo.core.textcheck import checked_text
from xiezuo.engine.validate import Finding
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.locks import lock_unit
from xiezuo.submissions.models import Deadline, EventKind, State, Submission, SubmissionEvent
from xiezuo.submissions.selectors import signoff_of
from xiezuo.tables.findings import table_validate

STATE_LABELS = dict(State.choices)
COMMENT_MAX = 5000  # characters of a comment, an explanation or a reason
# The key under which a submit event keeps the area's statement of which units are missing and why.
UNITS_MISSING = "units_missing"


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


def units_not_approved(org: OrgUnit, year: int) -> list[str]:
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
        reply_to: SubmissionEvent | None = None,
    ) -> SubmissionEvent:
        name, org_name = _who(self.by)
        event = SubmissionEvent.objects.create(
            submission=submission, kind=kind, from_state=from_state, to_state=to_state,
            by=stored_actor(self.by),
            by_name=name, by_org_name=org_name, comment=comment, row_code=row_code,
            explanations=dict(explanations or {}), reply_to=reply_to,
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
                 expected_version: int | None = None, missing_statement: str = "") -> None:
        self.submission, self.by, self.expected_version = submission, by, expected_version
        self.comment = checked_text(comment, label="报送说明", max_length=COMMENT_MAX)
        self.explanations = {k: checked_text(v.strip(), label="警告说明", max_length=COMMENT_MAX)
                             for k, v in (explanations or {}).items() if v and v.strip()}
        self.missing_statement = checked_text(missing_statement.strip(), label="缺报单位及原因",
                                              max_length=COMMENT_MAX)

    def perform(self) -> Submission:
        current = _locked(self.submission, self.expected_version)
        _check_state(current, (State.DRAFT, State.RETURNED), "报送")
        if current.org.lead_signoff_required and signoff_of(current) is None:
            raise InvalidTransition(
                f"「{current.org.name}」要求报送前由县级负责人审核，负责人审核后（或审核后又有修改的，重新审核后）才能报送"
            )
        waiting = units_not_approved(current.org, current.year)
        missing: dict[str, dict[str, str]] = {}
        if waiting:
            listed = "、".join(waiting)
            if not self.missing_statement:
                raise InvalidTransition(
                    f"「{current.org.name}」的下级单位尚未全部审核通过（{listed}），不能报送汇总数据；"
                    "如确需报送，请写明缺报单位及原因"
                )
            missing[UNITS_MISSING] = {"message": f"报送时下级单位尚未全部审核通过：{listed}",
                                      "explanation": self.missing_statement, "units": listed}
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
        kept: dict[str, object] = {
            f.rule: {"message": f.message, "explanation": self.explanations[f.rule]} for f in warnings
        }
        kept.update(missing)
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


class SubmissionSignoff(_SubmissionAction):
    """The county lead's sign-off (审核) of the table before it is submitted, when the unit asks for one.

    It covers the table as it stands: a later change to the unit's figures, ledgers or report asks
    for a new sign-off (`selectors.signoff_of`)."""

    kind = ActionKind.SUBMISSION_SIGNOFF
    permission = Permission.SUBMIT
    frozen_with_submission = True
    exempt_reason = ""

    def __init__(self, *, submission: Submission, by: AbstractBaseUser | None, comment: str = "") -> None:
        self.submission, self.by = submission, by
        self.comment = checked_text(comment, label="审核意见", max_length=COMMENT_MAX)

    def validate(self) -> None:
        profile = profile_of(self.by)
        if self.by is not None and (profile is None or profile.role not in (Role.COUNTY_LEAD, Role.ADMIN)):
            raise PermissionDenied("只有县级负责人可以审核本县的统计表")

    def perform(self) -> SubmissionEvent:
        current = _locked(self.submission, None)
        _check_state(current, (State.DRAFT, State.RETURNED), "由负责人审核")
        if signoff_of(current) is not None:
            raise InvalidTransition(f"「{current.org.name}」{current.year} 年度统计表负责人已审核，审核后没有修改")
        return self._event(current, kind=EventKind.SIGNOFF, comment=self.comment.strip())


def _comment_event(comment_id: int, org: OrgUnit | None) -> SubmissionEvent:
    found = SubmissionEvent.objects.select_related("submission__org").filter(pk=comment_id, kind=EventKind.COMMENT)
    event = (found.filter(submission__org=org) if org is not None else found).first()
    if event is None:
        raise NotFound(f"没有编号为 {comment_id} 的意见")
    return event


class SubmissionReply(_SubmissionAction):
    """The unit answers a comment of the level above (or of its partner), in any state."""

    kind = ActionKind.SUBMISSION_REPLY
    permission = Permission.COMMENT
    exempt_reason = "回复意见在任何状态下都可以，不修改数据"

    def __init__(self, *, comment_id: int, by: AbstractBaseUser | None, text: str,
                 org: OrgUnit | None = None) -> None:
        if not text.strip():
            raise InvalidValue("回复内容不能为空")
        self.parent = _comment_event(comment_id, org)
        self.submission, self.by = self.parent.submission, by
        self.text = checked_text(text.strip(), label="回复", max_length=COMMENT_MAX)

    def perform(self) -> SubmissionEvent:
        return self._event(self.submission, kind=EventKind.REPLY, comment=self.text,
                           row_code=self.parent.row_code, reply_to=self.parent)


class CommentResolve(_SubmissionAction):
    """The unit marks a comment as dealt with (or opens it again)."""

    kind = ActionKind.COMMENT_RESOLVE
    permission = Permission.EDIT
    exempt_reason = "意见的处理状态，不修改数据"
    field_labels = {"resolved": "已处理"}

    def __init__(self, *, comment_id: int, by: AbstractBaseUser | None, resolved: bool = True,
                 org: OrgUnit | None = None) -> None:
        self.parent = _comment_event(comment_id, org)
        self.submission, self.by, self.resolved = self.parent.submission, by, resolved

    def perform(self) -> SubmissionEvent:
        event = SubmissionEvent.objects.select_for_update().get(pk=self.parent.pk)
        was = event.resolved_at is not None
        if was == self.resolved:
            return event
        event.resolved_at = timezone.now() if self.resolved else None
        event.resolved_by_name = actor_display_name(self.by) if self.resolved else ""
        event.save(update_fields=["resolved_at", "resolved_by_name"])
        sub = self.submission
        self.record(object_type="submissions.comment", object_key=f"{sub.org.code}/{sub.year}/{event.pk}",
                    old={"resolved": was}, new={"resolved": self.resolved}, comment=event.comment)
        return event


class SubmissionOpinion(_SubmissionAction):
    """The eastern partner's opinion (结对方意见) on a paired county's self-evaluation."""

    kind = ActionKind.SUBMISSION_OPINION
    permission = Permission.COMMENT
    exempt_reason = "结对方意见在任何状态下都可以提出，不修改数据"

    def __init__(self, *, submission: Submission, by: AbstractBaseUser | None, text: str) -> None:
        if not text.strip():
            raise InvalidValue("结对方意见不能为空")
        self.submission, self.by = submission, by
        self.text = checked_text(text.strip(), label="结对方意见", max_length=COMMENT_MAX)

    def validate(self) -> None:
        profile = profile_of(self.by)
        if self.by is not None and (profile is None or profile.role != Role.EAST_PARTNER):
            raise PermissionDenied("结对方意见只能由结对的东部协作方填写")

    def perform(self) -> SubmissionEvent:
        return self._event(self.submission, kind=EventKind.OPINION, comment=self.text)


class DeadlineSet(Action[Deadline]):
    """An area sets the date by which its units below must submit the year's table."""

    kind = ActionKind.DEADLINE_SET
    permission = Permission.SUBMIT
    exempt_reason = "报送期限由上级设定，不属于下级的填报数据"
    field_labels = {"due": "报送截止日期"}

    def __init__(self, *, org: OrgUnit, year: int, due: dt.date, by: AbstractBaseUser | None = None) -> None:
        get_catalogue(year)
        self.org, self.year, self.due, self.by = org, year, due, by

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year

    def validate(self) -> None:
        if self.org.level == "county":
            raise InvalidValue("县级单位没有下级单位，不能设定报送期限")
        profile = profile_of(self.by)
        if self.by is not None and (profile is None or profile.role not in (
                Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER, Role.ADMIN)):
            raise PermissionDenied("报送期限由市级、省级审核员设定")

    def perform(self) -> Deadline:
        current = Deadline.objects.filter(org=self.org, year=self.year).first()
        old = {"due": current.due.isoformat()} if current else None
        deadline, _ = Deadline.objects.update_or_create(
            org=self.org, year=self.year, defaults={"due": self.due, "set_by_name": actor_display_name(self.by)})
        before, after = changed_fields(old, {"due": self.due.isoformat()})
        if after:
            self.record(object_type="submissions.deadline", object_key=f"{self.org.code}/{self.year}",
                        old=before, new=after)
        return deadline


submission_ensure = SubmissionEnsure.run
submission_submit = SubmissionSubmit.run
submission_return = SubmissionReturn.run
submission_approve = SubmissionApprove.run
submission_reopen = SubmissionReopen.run
submission_comment = SubmissionComment.run
submission_signoff = SubmissionSignoff.run
submission_reply = SubmissionReply.run
comment_resolve = CommentResolve.run
submission_opinion = SubmissionOpinion.run
deadline_set = DeadlineSet.run
