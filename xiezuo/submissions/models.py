"""A unit's submission of its statistics table for a year, and every transition and comment on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuo.orgunits.models import OrgUnit


class State(models.TextChoices):
    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核通过"


# The unit cannot change its figures while the level above holds them.
LOCKED_STATES = (State.SUBMITTED, State.APPROVED)


class Submission(models.Model):
    org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="submissions")
    year = models.IntegerField("年度")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT)
    # Bumped on every transition: a reviewer acting on an outdated page is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="uniq_submission_org_year")]
        indexes = [models.Index(fields=["year", "state"])]
        verbose_name = "填报"
        verbose_name_plural = "填报"

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year} {self.state}"


class EventKind(models.TextChoices):
    CREATE = "create", "开始填报"
    SUBMIT = "submit", "报送"
    RETURN = "return", "退回"
    APPROVE = "approve", "审核通过"
    REOPEN = "reopen", "重新打开"
    COMMENT = "comment", "意见"
    REPLY = "reply", "回复"
    SIGNOFF = "signoff", "负责人审核"
    OPINION = "opinion", "结对方意见"


class SubmissionEvent(models.Model):
    """One entry of the timeline: a transition (from → to) or a comment, possibly on one row."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    from_state = models.CharField(max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=State.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=150, blank=True)
    by_org_name = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    comment = models.TextField("意见", blank=True)
    row_code = models.CharField("指标代码", max_length=64, blank=True)
    # On submit: {rule id: {"message": finding text, "explanation": the unit's written reason}}.
    explanations = models.JSONField(default=dict, blank=True)
    # A reply answers one comment; a comment is resolved by the unit once it has been dealt with.
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by_name = models.CharField(max_length=150, blank=True, db_default="")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "填报记录"
        verbose_name_plural = "填报记录"

    def __str__(self) -> str:
        return f"{self.submission_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Deadline(models.Model):
    """When the units directly below an area must have submitted their year's table (set by the area)."""

    org = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="deadlines")
    year = models.IntegerField("年度")
    due = models.DateField("报送截止日期")
    set_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="uniq_deadline_org_year")]
        verbose_name = "报送期限"
        verbose_name_plural = "报送期限"

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year} {self.due}"
