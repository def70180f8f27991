"""A job as people see it: what was asked, by whom, how far it is, and its result or its error.

The queue itself is django-tasks' database backend (`django_tasks_db.DBTaskResult`); a `Job` row
is ours and carries what the queue does not: the unit and year, progress, the Chinese error, the
result file. `WorkerBeat` is each worker process's heartbeat, so a job whose worker died is
queued again (`xiezuo.jobs.worker`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField(max_length=32)
    label = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    org_code = models.CharField(max_length=12, blank=True)
    year = models.IntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=100, blank=True)
    done = models.IntegerField(default=0)
    total = models.IntegerField(default=0)
    attempts = models.IntegerField(default=0)
    error = models.TextField(blank=True)
    summary = models.JSONField(default=dict)
    result_file = models.CharField(max_length=200, blank=True)  # a name in the jobs storage
    result_name = models.CharField(max_length=200, blank=True)  # the file name offered for download
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]
        verbose_name = verbose_name_plural = "后台任务"

    def __str__(self) -> str:
        return f"#{self.pk} {self.label} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if self.total <= 0:
            return 0
        return max(0, min(99, self.done * 100 // self.total))


class WorkerBeat(models.Model):
    """A worker process alive: `seen_at` is refreshed every few seconds while it runs."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=200)
    pid = models.IntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "后台进程心跳"

    def __str__(self) -> str:
        return f"{self.worker_id} {self.seen_at:%H:%M:%S}"
