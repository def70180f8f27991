"""The change log: one record per write, with who, when and old → new."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ChangeRecord(models.Model):
    """Who changed what: written in the same transaction as the change itself."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    # An `ActionKind` value (checked by `change_record`); not a database choice list, so a new kind of
    # write needs no migration.
    action = models.CharField(max_length=64)
    # The object changed, as "app.model" + key, so every area can log without a foreign key.
    object_type = models.CharField(max_length=64)
    object_key = models.CharField(max_length=200, db_index=True)
    org_code = models.CharField(max_length=12, blank=True, db_index=True)
    year = models.IntegerField(null=True, blank=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_key"])]
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_key}"
