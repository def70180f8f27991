"""Running one job: the django-tasks task, the progress reporter, and the registry of job kinds.

A kind is a function `(job, progress, work_dir) -> Outcome` registered with `@job_kind("code")`; it reads
its parameters from `job.params`, writes its files in `work_dir` (removed after the run), reports progress, and returns what the job's page shows: a
summary, a result file, a link. A user error (XiezuoError, an ErrorReport of bad cells) fails the
job with its Chinese message; anything else fails it with a message that asks for the
administrator, and the traceback goes to the log. The worker may run a job again after a crash:
kinds that write go through actions with the job's once-key, so their writes happen once.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django_tasks import task

from xiezuo.core.errors import XiezuoError
from xiezuo.jobs.models import Job

log = logging.getLogger("xiezuo.jobs")


@dataclass
class Outcome:
    summary: dict[str, Any] = field(default_factory=dict)
    file: Path | None = None  # moved into the jobs storage
    file_name: str = ""  # offered for download


Kind = Callable[[Job, "Progress", Path], Outcome]
KINDS: dict[str, Kind] = {}


def job_kind(code: str) -> Callable[[Kind], Kind]:
    def register(fn: Kind) -> Kind:
        KINDS[code] = fn
        return fn
    return register


class Progress:
    """`progress(phase, done, total)`: stored at most every `every` seconds.

    Inside a transaction (an action writing a whole exchange package) the update goes through a
    connection of its own on PostgreSQL, so the page sees the job move while the action's writes
    stay uncommitted; on SQLite it is skipped (a second writer would wait for the action's lock)."""

    def __init__(self, job: Job, every: float = 0.3) -> None:
        self.job, self.every, self._last = job, every, 0.0
        self._side: BaseDatabaseWrapper | None = None

    def __call__(self, phase: str, done: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        if connection.in_atomic_block:
            if connection.vendor == "postgresql":
                self._last = now
                self._write_aside(phase, done, total)
            return
        self._last = now
        Job.objects.filter(pk=self.job.pk).update(phase=phase[:100], done=done, total=total,
                                                  updated_at=timezone.now())

    def _write_aside(self, phase: str, done: int, total: int) -> None:
        try:
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = self._side.ops.quote_name(Job._meta.db_table)
            with self._side.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET phase = %s, done = %s, total = %s, updated_at = %s "  # noqa: S608
                               "WHERE id = %s", [phase[:100], done, total, timezone.now(), self.job.pk])
        except DatabaseError as exc:  # the page's bar waits; the job's own work must not fail for it
            log.info("job %s: progress not written (%s)", self.job.pk, exc)
            self.close()

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def once_key(job: Job) -> str:
    return f"job:{job.pk}"


def _finish(job: Job, outcome: Outcome) -> None:
    result_file = ""
    if outcome.file is not None:
        store = storages["jobs"]
        with outcome.file.open("rb") as fh:
            result_file = store.save(f"{job.pk}/{outcome.file.name}", File(fh))
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE, summary=outcome.summary, result_file=result_file,
        result_name=outcome.file_name or (outcome.file.name if outcome.file else ""),
        phase="完成", done=job.total or 1, total=job.total or 1, finished_at=timezone.now(), error="")


def _fail(job: Job, message: str, summary: dict[str, Any] | None = None) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=message, summary=summary or {},
                                         finished_at=timezone.now())


def run(job_id: int) -> str:
    """Run the job now, in this process; returns its final status."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job.finished:
        return job.status  # queued twice, or finished before its worker died: nothing to do
    kind = KINDS.get(job.kind)
    if kind is None:
        _fail(job, f"未知的任务类型「{job.kind}」")
        return Job.Status.FAILED
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now(),
                                         attempts=job.attempts + 1, phase="开始")
    progress = Progress(job)
    try:
        with tempfile.TemporaryDirectory(prefix=f"xiezuo-job-{job.pk}-") as work_dir:
            return _run(job, kind, progress, Path(work_dir))
    finally:
        progress.close()


def _run(job: Job, kind: Kind, progress: Progress, work_dir: Path) -> str:
    from xiezuo.core.errors import ErrorReport

    try:
        outcome = kind(job, progress, work_dir)
    except ErrorReport as report:
        from xiezuo.ledgers.services import import_error_dicts

        _fail(job, report.full_message, {"errors": import_error_dicts(report)})
        return Job.Status.FAILED
    except XiezuoError as exc:
        _fail(job, exc.full_message)
        return Job.Status.FAILED
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(job, "任务执行时出现内部错误，未保存任何结果。请稍后重试；如仍失败，请联系系统管理员（任务编号 "
                   f"{job.pk}）。")
        return Job.Status.FAILED
    _finish(job, outcome)
    return Job.Status.DONE


@task()
def run_job(job_id: int) -> str:
    from xiezuo.jobs import kinds  # noqa: F401 - registers every kind in the worker process

    return run(job_id)
