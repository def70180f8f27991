"""Each user works for one org unit in one role; what it may see follows from that."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
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


class ApiToken(models.Model):
    """A personal access token for the API: stored as a hash, shown once when created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=100)
    # SHA-256 of the whole token: tokens are 256 random bits, so a slow hash would add nothing.
    digest = models.CharField(max_length=64, unique=True)
    # The first characters of the token, shown on the page so the user can tell tokens apart.
    prefix = models.CharField("前缀", max_length=16)
    read_only = models.BooleanField("只读", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "访问令牌"
        verbose_name_plural = "访问令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"


class Session(AbstractBaseSession):
    """A browser's session (Django's database sessions, `SESSION_ENGINE` = `accounts.sessions`) with
    the user it is signed in as in a column of its own: the one read a request makes of its session
    brings the user, role and unit along."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls) -> Any:
        from xiezuo.accounts.sessions import SessionStore

        return SessionStore
