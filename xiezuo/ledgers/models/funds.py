"""Money ledgers: fiscal aid projects and social donations (amounts in 万元)."""

from __future__ import annotations

from django.db import models

from xiezuo.ledgers.models.base import LedgerRecord, WanYuanField, choices, org_year_index


class FundProject(LedgerRecord):
    name = models.CharField("项目名称", max_length=300)
    category = models.CharField("资金用途", max_length=16, choices=choices("fund_projects", "category"))
    sub_category = models.CharField(
        "细分用途", max_length=16, blank=True, choices=choices("fund_projects", "sub_category")
    )
    allocated = WanYuanField("已拨付资金（万元）")
    used = WanYuanField("已使用资金（万元）", null=True, blank=True)
    status = models.CharField("实施状态", max_length=16, choices=choices("fund_projects", "status"))
    key_county = models.BooleanField("位于国家乡村振兴重点帮扶县", default=False)
    resettlement = models.BooleanField("位于易地扶贫搬迁集中安置区", default=False)
    facilities = models.PositiveIntegerField("建设设施数（所）", null=True, blank=True)
    households = models.PositiveIntegerField("受益户数", null=True, blank=True)
    people = models.PositiveIntegerField("受益人数", null=True, blank=True)
    poor_people = models.PositiveIntegerField("其中脱贫人口", null=True, blank=True)
    monitor_people = models.PositiveIntegerField("其中监测对象", null=True, blank=True)
    allocated_on = models.DateField("资金下达日期", null=True, blank=True)
    planned_start = models.DateField("计划开工日期", null=True, blank=True)
    planned_completion = models.DateField("计划完工日期", null=True, blank=True)
    # The project register: the current stage and the day each stage was reached
    # (written only by ledgers.projects.project_transition).
    stage = models.CharField("项目阶段", max_length=16, default="approved", choices=choices("fund_projects", "stage"))
    approved_on = models.DateField("立项日期", null=True, blank=True)
    started_on = models.DateField("启动日期", null=True, blank=True)
    completed_on = models.DateField("完工日期", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    paid_on = models.DateField("资金拨付日期", null=True, blank=True)
    handed_over_on = models.DateField("资产确权移交日期", null=True, blank=True)
    asset_class = models.CharField("资产类别", max_length=16, blank=True, choices=choices("fund_projects", "asset_class"))
    asset_owner = models.CharField("资产权属单位", max_length=200, blank=True)

    class Meta:
        db_table = "ledgers_fund_project"
        indexes = [org_year_index("ledgers_fund_project")]
        verbose_name = verbose_name_plural = "财政援助资金项目台账"


class Donation(LedgerRecord):
    date = models.DateField("捐赠日期", null=True, blank=True)
    donor = models.CharField("捐赠方", max_length=200)
    form = models.CharField("捐赠形式", max_length=16, choices=choices("donations", "form"))
    amount = WanYuanField("金额（万元）")
    recipient = models.CharField("受赠方", max_length=200, blank=True)
    purpose = models.CharField("用途", max_length=300, blank=True)

    class Meta:
        db_table = "ledgers_donation"
        indexes = [org_year_index("ledgers_donation")]
        verbose_name = verbose_name_plural = "社会帮扶捐赠台账"
