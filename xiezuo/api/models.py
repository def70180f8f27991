"""Personal access tokens: a user's key to the API, stored as a hash, shown once when created."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
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
