"""Values of the statistics table: (org unit, year, row code) → exact Decimal or text."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuo.orgunits.models import OrgUnit


class Source(models.TextChoices):
    ENTERED = "entered", "填报"
    DERIVED = "derived", "台账生成"
    AGGREGATED = "aggregated", "下级汇总"


class DataValue(models.Model):
    org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="values")
    year = models.IntegerField("年度")
    code = models.CharField("指标代码", max_length=64)
    # Exact decimal; SQLite and PostgreSQL both keep 4 places (the most the table publishes).
    number = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    text = models.TextField(blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.ENTERED)
    # True when the figure appears in a published document (the demo marks what the seed prints).
    published = models.BooleanField(default=False)
    note = models.TextField("说明", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: an edit made on an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year", "code"], name="uniq_value_org_year_code")]
        indexes = [models.Index(fields=["year", "code"])]
        verbose_name = "统计表数值"
        verbose_name_plural = "统计表数值"

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year}/{self.code}"

    @property
    def value(self) -> object:
        return self.text if self.number is None and self.text else self.number
