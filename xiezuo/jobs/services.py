"""Asking for a job, and who may see it.

`enqueue()` stores the job and its place in the queue in one transaction: a job is either queued
and visible on its page, or neither. Only the person who asked (and administrators) see a job;
what the job reads and writes is checked again by the actions it runs, under the asker's rights.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from xiezuo.core.errors import NotFound
from xiezuo.jobs.models import Job, WorkerBeat


def enqueue(*, kind: str, label: str, params: dict[str, Any], by: AbstractBaseUser | None,
            org_code: str = "", year: int | None = None, total: int = 0) -> Job:
    from xiezuo.jobs import kinds  # noqa: F401 - the registry is complete before checking the kind
    from xiezuo.jobs.runner import KINDS, run_job

    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    with transaction.atomic():
        job = Job.objects.create(kind=kind, label=label[:200], params=params,
                                 requested_by_id=by.pk if by is not None and by.is_authenticated else None,
                                 org_code=org_code, year=year, total=total, phase="排队等待")
        result = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
        job.task_id = str(result.id)
    return job


def visible_jobs(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Job]:
    from xiezuo.accounts.scope import is_admin

    if is_admin(user):
        return Job.objects.all()
    return Job.objects.filter(requested_by_id=user.pk)


def job_for(user: AbstractBaseUser | AnonymousUser, pk: int) -> Job:
    job = visible_jobs(user).filter(pk=pk).first()
    if job is None:
        raise NotFound("没有这个后台任务，或它不是您提交的")
    return job


def workers_alive(stale_seconds: int | None = None) -> int:
    """Worker processes whose heartbeat is recent: the page warns when none is running."""
    from django.conf import settings

    seconds = stale_seconds or int(settings.XIEZUO_JOB_STALE_SECONDS)
    return WorkerBeat.objects.filter(seen_at__gte=timezone.now() - dt.timedelta(seconds=seconds)).count()
