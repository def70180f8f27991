"""Work through the year: reporting periods, frozen snapshots, the level above's policy, and
resolved duplicate conflicts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuo.orgunits.models import OrgUnit


class PeriodKind(models.TextChoices):
    MONTH = "month", "月报"
    HALF = "half", "半年报"
    YEAR = "year", "年报"


class ReportingPeriod(models.Model):
    """A period of a template year, set by a unit for the units below it: the day figures stand
    as of (`ends_on`) and the day the report is due (`due_on`)."""

    set_by = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="设定单位")
    year = models.IntegerField("年度")
    kind = models.CharField("类别", max_length=8, choices=PeriodKind.choices)
    number = models.PositiveSmallIntegerField("序号")  # month 1–12, half 1–2, year 1
    ends_on = models.DateField("统计截止日期")
    due_on = models.DateField("报送期限")

    class Meta:
        ordering = ["set_by_id", "year", "ends_on", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["set_by", "year", "kind", "number"], name="uniq_period_set_by_year_kind"),
        ]
        verbose_name = verbose_name_plural = "报告期"

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        """2023-06, 2023-H1, 2023 — how the command line and URLs name a period."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == PeriodKind.HALF:
            return f"{self.year}-H{self.number}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}年{self.number}月"
        if self.kind == PeriodKind.HALF:
            return f"{self.year}年{'上' if self.number == 1 else '下'}半年"
        return f"{self.year}年度"


class Snapshot(models.Model):
    """A unit's table as of a period's cut-off, frozen when its periodic report was submitted:
    the values and how each was derived (ledger, span, date column)."""

    org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="snapshots")
    as_of = models.DateField("截至日期")
    values = models.JSONField("数值")  # {row code: value as text}
    derivation = models.JSONField("生成方式")  # {row code: {"ledger", "span", "date"}}
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    frozen_by_name = models.CharField(max_length=150, blank=True)
    frozen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["org_id", "as_of"]
        constraints = [models.UniqueConstraint(fields=["org", "period"], name="uniq_snapshot_org_period")]
        verbose_name = verbose_name_plural = "报告期快照"

    def __str__(self) -> str:
        return f"{self.org_id} {self.as_of}"


class ProgressPolicy(models.Model):
    """What a unit requires of the units below it for a year: public notices and project dates."""

    set_by = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="设定单位")
    year = models.IntegerField("年度")
    notice_min_days = models.PositiveSmallIntegerField("公示期不少于（天）", default=10)
    notice_max_delay_workdays = models.PositiveSmallIntegerField("立项/验收后公示不晚于（工作日）", default=5)
    start_by = models.DateField("项目全部开工期限", null=True, blank=True)
    complete_by = models.DateField("项目全部完工期限", null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["set_by", "year"], name="uniq_policy_set_by_year")]
        verbose_name = verbose_name_plural = "年度进度要求"

    def __str__(self) -> str:
        return f"{self.set_by_id} {self.year}"


class ConflictKind(models.TextChoices):
    PERSON = "person", "同一劳动力重复统计"
    ENTERPRISE = "enterprise", "同一企业重复统计"
    WORKSHOP = "workshop", "同一帮扶车间重复统计"


class ConflictResolution(models.Model):
    """A duplicate conflict someone looked into and explained; it is no longer counted as open."""

    kind = models.CharField("类别", max_length=16, choices=ConflictKind.choices)
    year = models.IntegerField("年度")
    key = models.CharField("比对键", max_length=200)  # keyed hash of the ID number, or the normalised name
    note = models.TextField("处理说明")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by_name = models.CharField(max_length=150, blank=True)
    resolved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year", "key"], name="uniq_conflict_resolution")]
        verbose_name = verbose_name_plural = "重复统计处理记录"

    def __str__(self) -> str:
        return f"{self.kind} {self.year}"
