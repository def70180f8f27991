"""Ledgers of people: cadre and professional exchanges, rural-revitalisation trainings."""

from __future__ import annotations

from django.db import models

from xiezuo.ledgers.models.base import LedgerRecord, choices, org_year_index


class Exchange(LedgerRecord):
    name = models.CharField("姓名", max_length=50)
    direction = models.CharField("方向", max_length=16, choices=choices("exchanges", "direction"))
    kind = models.CharField("类别", max_length=16, choices=choices("exchanges", "kind"))
    rank = models.CharField("职级", max_length=16, choices=choices("exchanges", "rank"))
    post = models.CharField("挂职岗位", max_length=200, blank=True)
    start_date = models.DateField("到岗日期")
    end_date = models.DateField("离岗日期", null=True, blank=True)
    # The table's length-of-stay bucket, computed from the dates when the record is written.
    stay = models.CharField("帮扶时长", max_length=8, choices=choices("exchanges", "stay"))
    manages_cooperation = models.BooleanField("分管（协管）东西部协作", default=False)
    awarded = models.BooleanField("受表彰奖励", default=False)
    promoted = models.BooleanField("提拔重用", default=False)
    key_county = models.BooleanField("派往国家乡村振兴重点帮扶县", default=False)

    class Meta:
        db_table = "ledgers_exchange"
        indexes = [org_year_index("ledgers_exchange")]
        verbose_name = verbose_name_plural = "干部人才交流台账"


class RevivalTraining(LedgerRecord):
    name = models.CharField("培训班名称", max_length=200)
    audience = models.CharField("培训对象", max_length=16, choices=choices("revival_trainings", "audience"))
    start_date = models.DateField("开班日期")
    end_date = models.DateField("结业日期", null=True, blank=True)
    participants = models.PositiveIntegerField("培训人次")

    class Meta:
        db_table = "ledgers_revival_training"
        indexes = [org_year_index("ledgers_revival_training")]
        verbose_name = verbose_name_plural = "乡村振兴培训台账"
