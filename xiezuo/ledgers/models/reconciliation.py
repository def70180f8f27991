"""The clerk's decisions where a table row's entered value and its ledger-derived value differ."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuo.orgunits.models import OrgUnit


class Decision(models.TextChoices):
    ACCEPT_DERIVED = "accept", "采用台账生成值"
    KEEP_ENTERED = "keep", "保留填报值"


class Reconciliation(models.Model):
    """One decision; earlier decisions on the same row are kept as its history."""

    org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.IntegerField("年度")
    code = models.CharField("指标代码", max_length=64)
    entered = models.DecimalField("填报值", max_digits=20, decimal_places=4, null=True, blank=True)
    derived = models.DecimalField("台账生成值", max_digits=20, decimal_places=4, null=True, blank=True)
    decision = models.CharField("处理", max_length=8, choices=Decision.choices)
    reason = models.TextField("理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["org", "year", "code"], name="recon_org_year_code")]
        verbose_name = verbose_name_plural = "台账核对记录"

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year}/{self.code} {self.get_decision_display()}"
