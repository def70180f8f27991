"""Labour cooperation ledgers: people placed in work and training classes."""

from __future__ import annotations

from django.db import models

from xiezuo.ledgers.models.base import LedgerRecord, choices, org_year_index


class LabourPlacement(LedgerRecord):
    name = models.CharField("姓名", max_length=50)
    # Personal data: validated on the way in (GB 11643), masked on every way out.
    id_number = models.CharField("身份证号", max_length=18)
    poverty_status = models.CharField("人员类别", max_length=16, choices=choices("labour_placements", "poverty_status"))
    destination = models.CharField("就业去向", max_length=16, choices=choices("labour_placements", "destination"))
    employer = models.CharField("就业单位", max_length=200, blank=True)
    start_date = models.DateField("就业日期")
    new_this_year = models.BooleanField("本年新增", default=False)
    # HMAC of the ID number with the instance's secret (ledgers.idcard.id_hash): the duplicate
    # check compares these across counties, never the numbers.
    id_hash = models.CharField("身份证号密钥散列", max_length=64, default="", editable=False)

    class Meta:
        db_table = "ledgers_labour_placement"
        indexes = [
            org_year_index("ledgers_labour_placement"),
            # Covers the duplicate check: one index-only pass in id_hash order, no heap visits.
            models.Index(fields=["year", "id_hash", "org"], name="labour_year_id_hash"),
            # Covers the derivation (engine.derive groups by org, year and the filter columns, in
            # name order): one index-only pass in group order, no hashing, no heap visits.
            models.Index(fields=["year", "org", "destination", "new_this_year", "poverty_status"],
                         name="labour_year_org_derive"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "id_number"], name="uniq_labour_person_year"),
        ]
        verbose_name = verbose_name_plural = "农村劳动力就业台账"


class TrainingClass(LedgerRecord):
    name = models.CharField("培训班名称", max_length=200)
    start_date = models.DateField("开班日期")
    end_date = models.DateField("结业日期", null=True, blank=True)
    participants = models.PositiveIntegerField("培训人数")
    poor_participants = models.PositiveIntegerField("其中脱贫劳动力人数")

    class Meta:
        db_table = "ledgers_training_class"
        indexes = [org_year_index("ledgers_training_class")]
        verbose_name = verbose_name_plural = "劳务协作培训班台账"
