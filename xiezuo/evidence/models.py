"""佐证材料: files a unit attaches to a ledger record, a table row or its submission."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models

from xiezuo.orgunits.models import OrgUnit


def evidence_storage() -> Storage:
    """The `evidence` storage of settings.STORAGES: the local file system unless configured (S3)."""
    return storages["evidence"]


class Target(models.TextChoices):
    RECORD = "record", "台账记录"
    ROW = "row", "统计表指标"
    SUBMISSION = "submission", "报送材料"


class EvidenceFile(models.Model):
    org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="evidence_files")
    year = models.IntegerField("年度")
    target = models.CharField("附于", max_length=12, choices=Target.choices)
    ledger_kind = models.CharField("台账", max_length=40, blank=True)
    record_id = models.BigIntegerField("台账记录", null=True, blank=True)
    row_code = models.CharField("指标", max_length=60, blank=True)
    # The name the user gave (shown, never used on disk) and what the content was found to be.
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    file = models.FileField(storage=evidence_storage, upload_to="evidence/%Y/%m/", max_length=200)
    note = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_by_name = models.CharField(max_length=150, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["org", "year", "target"])]
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"

    def __str__(self) -> str:
        return self.name
