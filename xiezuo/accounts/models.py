"""Each user works for one org unit in one role; what it may see follows from that."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuo.orgunits.models import OrgUnit


class Role(models.TextChoices):
    COUNTY_CLERK = "county_clerk", "县级填报员"
    COUNTY_LEAD = "county_lead", "县级负责人"
    CITY_REVIEWER = "city_reviewer", "市级审核员"
    PROVINCE_REVIEWER = "province_reviewer", "省级审核员"
    EAST_PARTNER = "east_partner", "东部协作方"
    ADMIN = "admin", "管理员"


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="members")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"

    def __str__(self) -> str:
        return f"{self.user.get_username()}：{self.org.name}{self.get_role_display()}"
