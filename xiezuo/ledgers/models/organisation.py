"""Ledgers of organisation and leadership: meetings, policy documents, visits, pairings."""

from __future__ import annotations

from django.db import models

from xiezuo.ledgers.models.base import LedgerRecord, choices, org_year_index


class Meeting(LedgerRecord):
    date = models.DateField("会议日期")
    kind = models.CharField("会议类型", max_length=16, choices=choices("meetings", "kind"))
    topic = models.CharField("议题", max_length=500)

    class Meta:
        db_table = "ledgers_meeting"
        indexes = [org_year_index("ledgers_meeting")]
        verbose_name = verbose_name_plural = "会议台账"


class PolicyDocument(LedgerRecord):
    date = models.DateField("发文日期", null=True, blank=True)
    issuers = models.CharField("发文主体", max_length=300)
    title = models.CharField("文件名称", max_length=500)
    doc_number = models.CharField("文号", max_length=100, blank=True)

    class Meta:
        db_table = "ledgers_policy_document"
        indexes = [org_year_index("ledgers_policy_document")]
        verbose_name = verbose_name_plural = "政策文件台账"


class Visit(LedgerRecord):
    direction = models.CharField("方向", max_length=16, choices=choices("visits", "direction"))
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    people = models.PositiveIntegerField("人次")
    top_rank = models.CharField("最高级别", max_length=16, choices=choices("visits", "top_rank"))
    provincial_people = models.PositiveIntegerField("其中省部级人次", null=True, blank=True)
    bureau_people = models.PositiveIntegerField("其中厅局级人次", null=True, blank=True)
    principals = models.CharField("主要负责同志", max_length=500, blank=True)
    deputies = models.CharField("分管负责同志", max_length=500, blank=True)
    topic = models.CharField("事由", max_length=500, blank=True)

    class Meta:
        db_table = "ledgers_visit"
        indexes = [org_year_index("ledgers_visit")]
        verbose_name = verbose_name_plural = "调研对接台账"


class PairingRecord(LedgerRecord):
    """One pair (结对) kept in the ledger; the district–county pairing itself lives in orgunits."""

    kind = models.CharField("结对类型", max_length=16, choices=choices("pairings", "kind"))
    east_party = models.CharField("东部结对方", max_length=200)
    west_party = models.CharField("西部结对方", max_length=200)
    note = models.CharField("备注", max_length=500, blank=True)
    since = models.DateField("结对日期", null=True, blank=True)

    class Meta:
        db_table = "ledgers_pairing_record"
        indexes = [org_year_index("ledgers_pairing_record")]
        verbose_name = verbose_name_plural = "结对帮扶台账"
