"""Org units (GB/T 2260 divisions) and the East–West pairings between them."""

from __future__ import annotations

from django.db import models


class Level(models.TextChoices):
    NATION = "nation", "全国"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class Side(models.TextChoices):
    EAST = "east", "东部"
    WEST = "west", "西部"


class AssessmentClass(models.TextChoices):
    """Counties are ranked within their class in the assessment."""

    KEY_COUNTY = "key_county", "国家乡村振兴重点帮扶县"
    OTHER = "other", "其他脱贫县"


class OrgUnit(models.Model):
    """An administrative division. `path` is the materialised chain of codes used for roll-up."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    side = models.CharField("东西部", max_length=4, choices=Side.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # "/620000/620400/620422/" — every ancestor's code; a prefix match finds a subtree in one query.
    path = models.CharField(max_length=200, db_index=True)
    synthetic = models.BooleanField("合成数据", default=False)
    # The unit's setting: its 县级负责人 signs the table off (审核) before it can be submitted.
    lead_signoff_required = models.BooleanField("报送前须负责人审核", default=False, db_default=False)
    # The assessment class a county is ranked in (blank: ranked with every county of the area).
    assessment_class = models.CharField("考核类别", max_length=16, choices=AssessmentClass.choices, blank=True,
                                        default="", db_default="")

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class PairingKind(models.TextChoices):
    COUNTY_DISTRICT = "county", "县（市、区）结对"
    TOWN_STREET = "town", "乡镇与街道结对"
    VILLAGE_COMMUNITY = "village", "村与社区结对"
    SCHOOL = "school", "学校结对"
    HOSPITAL = "hospital", "医院结对"
    ENTERPRISE_VILLAGE = "enterprise", "企业与村结对"
    ORGANISATION_VILLAGE = "organisation", "社会组织与村结对"


class Pairing(models.Model):
    """A district–county pairing (结对) between an eastern and a western org unit."""

    east = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="pairings_as_east")
    west = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="pairings_as_west")
    kind = models.CharField(max_length=16, choices=PairingKind.choices, default=PairingKind.COUNTY_DISTRICT)
    start_year = models.IntegerField("起始年度")
    end_year = models.IntegerField("截止年度", null=True, blank=True)

    class Meta:
        ordering = ["east__code", "west__code"]
        constraints = [
            models.UniqueConstraint(fields=["east", "west", "kind", "start_year"], name="uniq_pairing"),
        ]
        verbose_name = "结对关系"
        verbose_name_plural = "结对关系"

    def __str__(self) -> str:
        return f"{self.east.name} – {self.west.name}"
