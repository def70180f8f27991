"""The fund-project register: each project's stages, money in and out, and public notices (公告公示).

A project is a record of the `fund_projects` ledger; these tables hang off it. The stage and the
day each stage was reached are columns of the project itself (so rates are one grouped query);
`ProjectMilestone` keeps who recorded each step and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuo.ledgers.models.base import WanYuanField, choices
from xiezuo.ledgers.models.funds import FundProject


class ProjectMilestone(models.Model):
    project = models.ForeignKey(FundProject, on_delete=models.CASCADE, related_name="milestones")
    stage = models.CharField("阶段", max_length=16, choices=choices("fund_projects", "stage"))
    date = models.DateField("日期")
    note = models.CharField("说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=150, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "date", "id"]
        verbose_name = verbose_name_plural = "项目阶段记录"

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_stage_display()} {self.date}"


class FundingKind(models.TextChoices):
    ALLOCATION = "allocation", "资金下达"
    PAYMENT = "payment", "资金支出"


class ProjectFunding(models.Model):
    """Money allocated to a project or paid out of it (资金支出进度 = paid ÷ allocated)."""

    project = models.ForeignKey(FundProject, on_delete=models.CASCADE, related_name="fundings")
    kind = models.CharField("类别", max_length=16, choices=FundingKind.choices)
    date = models.DateField("日期")
    amount = WanYuanField("金额（万元）")
    note = models.CharField("说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "date", "id"]
        indexes = [models.Index(fields=["project", "kind", "date"], name="project_funding_kind_date")]
        verbose_name = verbose_name_plural = "项目资金记录"

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_kind_display()} {self.amount}"


class NoticeStage(models.TextChoices):
    APPROVED = "approved", "立项公示"
    ACCEPTED = "accepted", "验收公示"


class ProjectNotice(models.Model):
    """A public notice (公告公示) of a project's approval or acceptance."""

    project = models.ForeignKey(FundProject, on_delete=models.CASCADE, related_name="notices")
    stage = models.CharField("公示事项", max_length=16, choices=NoticeStage.choices)
    posted_on = models.DateField("公示开始日期")
    days = models.PositiveIntegerField("公示期（天）")
    place = models.CharField("公示地点", max_length=300)
    hotline = models.CharField("监督电话", max_length=50)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "posted_on", "id"]
        verbose_name = verbose_name_plural = "项目公告公示"

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_stage_display()} {self.posted_on}"
