"""The worker process: django-tasks-db's worker loop, plus a heartbeat and the rescue of jobs
whose worker died.

django-tasks-db claims a queued task under a row lock (`SELECT … FOR UPDATE SKIP LOCKED` on
PostgreSQL, an exclusive transaction on SQLite), so two workers never start the same task. What
it does not do is notice a worker that was killed mid-task: its task stays "running" for ever.
Each of our workers therefore keeps a `WorkerBeat` row fresh from a thread, and every worker —
at start and then with each beat — puts back in the queue the running tasks of workers that are
gone: a heartbeat older than XIEZUO_JOB_STALE_SECONDS, or, on the same host, a process id that
no longer exists. The job then runs again from the start; jobs that write do it through actions
under the job's once-key, so the second run finds the first one's writes and does not repeat them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from xiezuo.jobs.models import Job, WorkerBeat

log = logging.getLogger("xiezuo.jobs")

RUNNING, READY = "RUNNING", "READY"


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead(worker_id: str, beats: dict[str, WorkerBeat], now: dt.datetime, stale: int) -> bool:
    beat = beats.get(worker_id)
    if beat is None:
        return True
    if beat.seen_at < now - dt.timedelta(seconds=stale):
        return True
    return beat.host == socket.gethostname()[:30] and beat.pid != os.getpid() and not _pid_alive(beat.pid)


def requeue_stale(stale_seconds: int | None = None) -> list[int]:
    """Queue again the running tasks of dead workers; returns the ids of the jobs put back."""
    stale = stale_seconds if stale_seconds is not None else int(settings.XIEZUO_JOB_STALE_SECONDS)
    now = timezone.now()
    beats = {b.worker_id: b for b in WorkerBeat.objects.all()}
    jobs: list[int] = []
    for result in DBTaskResult.objects.filter(status=RUNNING).only("id", "worker_ids"):
        worker_ids: list[Any] = list(result.worker_ids or [])
        if not _dead(str(worker_ids[-1]) if worker_ids else "", beats, now, stale):
            continue
        with transaction.atomic():
            if not DBTaskResult.objects.filter(pk=result.pk, status=RUNNING).update(status=READY, started_at=None):
                continue
            job_ids = list(Job.objects.filter(task_id=str(result.pk), status=Job.Status.RUNNING)
                           .values_list("pk", flat=True))
            Job.objects.filter(pk__in=job_ids).update(status=Job.Status.QUEUED, phase="后台进程中断，已重新排队")
            jobs.extend(job_ids)
        log.warning("requeued task %s of a dead worker (%s)", result.pk, worker_ids[-1] if worker_ids else "?")
    dead = [w for w, b in beats.items() if _dead(w, beats, now, stale) and b.pid != os.getpid()]
    if dead:
        WorkerBeat.objects.filter(worker_id__in=dead).delete()
    return jobs


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, every: float) -> None:
        super().__init__(name="xiezuo-heartbeat", daemon=True)
        self.worker_id, self.every = worker_id, every
        self.stopped = threading.Event()

    def beat(self) -> None:
        WorkerBeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"host": socket.gethostname()[:30], "pid": os.getpid(), "seen_at": timezone.now()})

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                self.beat()
                requeue_stale()
            except DatabaseError as exc:  # locked (SQLite during a long write) or briefly unreachable
                log.info("heartbeat skipped: %s", exc)
            finally:
                close_old_connections()
        connection.close()


class JobWorker(Worker):
    def __init__(self, *, interval: float = 0.5, batch: bool = False, max_tasks: int | None = None,
                 worker_id: str | None = None) -> None:
        super().__init__(queue_names=["default"], interval=interval, batch=batch, backend_name="default",
                         startup_delay=False, max_tasks=max_tasks, worker_id=worker_id or new_worker_id(),
                         excluded_queue_names=[])
        self.heartbeat = Heartbeat(self.worker_id, float(settings.XIEZUO_JOB_HEARTBEAT_SECONDS))

    def run(self) -> None:
        self.heartbeat.beat()
        requeue_stale()
        self.heartbeat.start()
        try:
            super().run()
        finally:
            self.heartbeat.stopped.set()
            try:
                WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
            except DatabaseError:
                pass


def run_worker(*, batch: bool = False, max_tasks: int | None = None, interval: float = 0.5,
               signals: bool = True) -> None:
    worker = JobWorker(interval=interval, batch=batch, max_tasks=max_tasks)
    if signals:
        worker.configure_signals()
    log.info("worker %s started", worker.worker_id)
    worker.run()


def run_queued_here() -> int:
    """Run every queued job in this process, then return how many ran (tests; `xiezuo job run`).

    The same claim and run as the worker's, without its loop (which closes the database
    connection between tasks, and so cannot run inside a test's transaction)."""
    from django_tasks_db.utils import exclusive_transaction

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id=new_worker_id(), excluded_queue_names=[])
    ran = 0
    while True:
        with exclusive_transaction(DBTaskResult.objects.db):
            result = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if result is not None:
                result.claim(worker.worker_id)
        if result is None:
            return ran
        worker.run_task(result)
        ran += 1
