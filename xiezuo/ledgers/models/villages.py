"""Demonstration villages (乡村振兴示范村)."""

from __future__ import annotations

from django.db import models

from xiezuo.ledgers.models.base import LedgerRecord, WanYuanField, choices, org_year_index


class DemoVillage(LedgerRecord):
    village = models.CharField("村名", max_length=100)
    town = models.CharField("所属乡镇", max_length=100, blank=True)
    status = models.CharField("状态", max_length=16, choices=choices("demo_villages", "status"))
    funds = WanYuanField("安排资金（万元）", null=True, blank=True)
    focus = models.CharField("发展方向", max_length=300, blank=True)

    class Meta:
        db_table = "ledgers_demo_village"
        indexes = [org_year_index("ledgers_demo_village")]
        verbose_name = verbose_name_plural = "乡村振兴示范村台账"
