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


class Stamp(models.Model):
    """A counter per (unit, year, area of the data), raised in the transaction of every change record
    of that unit and year (`core.stamps`). Cached pages and derived figures are keyed by the counters
    they read from, so a write invalidates them without anyone having to remember to."""

    org_code = models.CharField(max_length=12, blank=True)  # "" for system-wide writes (loaders, restores)
    year = models.IntegerField(default=0)  # 0 for writes that belong to no year
    area = models.CharField(max_length=32)  # the app of the object changed: tables, ledgers, submissions …
    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_code", "year", "area"], name="uniq_stamp")]
        verbose_name = verbose_name_plural = "数据版本戳"

    def __str__(self) -> str:
        return f"{self.org_code or '*'}/{self.year}/{self.area}={self.version}"


class AppliedOnce(models.Model):
    """An action run under a once-key (a job's): stored in the action's own transaction, so a job
    started again after its worker died finds its work done instead of doing it twice."""

    key = models.CharField(max_length=100, unique=True)
    action = models.CharField(max_length=64)
    summary = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "已执行的一次性操作"

    def __str__(self) -> str:
        return f"{self.key} {self.action}"
