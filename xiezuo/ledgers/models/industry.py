"""Regional cooperation ledgers: consumption sales, enterprises, co-built parks, workshops."""

from __future__ import annotations

from django.db import models

from xiezuo.ledgers.models.base import LedgerRecord, WanYuanField, org_year_index


class ConsumptionSale(LedgerRecord):
    date = models.DateField("销售日期")
    seller = models.CharField("销售主体", max_length=200)
    product = models.CharField("产品", max_length=200)
    channel = models.CharField("销售渠道", max_length=200, blank=True)
    buyer = models.CharField("采购方", max_length=200, blank=True)
    amount = WanYuanField("金额（万元）")

    class Meta:
        db_table = "ledgers_consumption_sale"
        indexes = [
            org_year_index("ledgers_consumption_sale"),
            # Covers the derivation of 消费帮扶 sales: the amounts summed per org in index order.
            models.Index(fields=["year", "org", "amount"], name="sale_year_org_amount"),
        ]
        verbose_name = verbose_name_plural = "消费帮扶销售台账"


class CertifiedSupplier(LedgerRecord):
    """An enterprise whose products are certified for 消费帮扶, and whether it supplies the platform."""

    name = models.CharField("企业名称", max_length=200)
    certified_products = models.PositiveIntegerField("通过认定的帮扶产品数")
    platform_supplier = models.BooleanField("脱贫地区农副产品销售平台供应商", default=False)
    poor_households = models.PositiveIntegerField("带动脱贫户数", null=True, blank=True)
    poor_persons = models.PositiveIntegerField("带动脱贫人口数", null=True, blank=True)

    class Meta:
        db_table = "ledgers_certified_supplier"
        indexes = [org_year_index("ledgers_certified_supplier")]
        verbose_name = verbose_name_plural = "消费帮扶认定企业台账"


class Enterprise(LedgerRecord):
    name = models.CharField("企业名称", max_length=200)
    industry = models.CharField("行业", max_length=100, blank=True)
    planned_investment = WanYuanField("计划投资（万元）", null=True, blank=True)
    actual_investment = WanYuanField("实际到位投资（万元）")
    jobs = models.PositiveIntegerField("吸纳就业人数")
    poor_jobs = models.PositiveIntegerField("其中脱贫劳动力")
    order_households = models.PositiveIntegerField("订单生产和产品代销户数", null=True, blank=True)
    dividend_persons = models.PositiveIntegerField("入股分红人数", null=True, blank=True)
    dividend_collectives = models.PositiveIntegerField("入股分红村集体数", null=True, blank=True)
    land_transfer_households = models.PositiveIntegerField("土地流转户数", null=True, blank=True)
    in_park = models.BooleanField("入驻共建产业园区", default=False)
    key_county = models.BooleanField("位于国家乡村振兴重点帮扶县", default=False)
    landed_on = models.DateField("落地投产日期", null=True, blank=True)

    class Meta:
        db_table = "ledgers_enterprise"
        indexes = [org_year_index("ledgers_enterprise")]
        verbose_name = verbose_name_plural = "引导落地企业台账"


class Park(LedgerRecord):
    name = models.CharField("园区名称", max_length=200)
    agricultural = models.BooleanField("农业产业园", default=False)
    area_mu = models.PositiveIntegerField("占地面积（亩）", null=True, blank=True)
    planned_investment = WanYuanField("计划投资（万元）", null=True, blank=True)
    aid_funds = WanYuanField("投入东西部协作资金（万元）", null=True, blank=True)

    class Meta:
        db_table = "ledgers_park"
        indexes = [org_year_index("ledgers_park")]
        verbose_name = verbose_name_plural = "共建产业园区台账"


class Workshop(LedgerRecord):
    name = models.CharField("车间名称", max_length=200)
    jobs = models.PositiveIntegerField("吸纳就业人数")
    poor_jobs = models.PositiveIntegerField("其中脱贫劳动力")
    resettlement = models.BooleanField("位于易地扶贫搬迁集中安置区", default=False)
    opened_on = models.DateField("建成投用日期", null=True, blank=True)

    class Meta:
        db_table = "ledgers_workshop"
        indexes = [org_year_index("ledgers_workshop")]
        verbose_name = verbose_name_plural = "帮扶车间台账"
