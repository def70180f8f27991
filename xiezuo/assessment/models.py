"""Annual targets (年度协议指标) per unit and row, against which units are assessed."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuo.orgunits.models import OrgUnit


class Target(models.Model):
    org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="targets")
    year = models.IntegerField("年度")
    code = models.CharField("指标代码", max_length=64)
    number = models.DecimalField("目标值", max_digits=20, decimal_places=4)
    note = models.TextField("说明", blank=True)
    # Demo targets are made up to show the assessment; they are never an agreement's figures.
    illustrative = models.BooleanField("示例目标", default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year", "code"], name="uniq_target_org_year_code")]
        indexes = [models.Index(fields=["year", "code"])]
        verbose_name = "年度目标"
        verbose_name_plural = "年度目标"

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year}/{self.code} ≥ {self.number}"
