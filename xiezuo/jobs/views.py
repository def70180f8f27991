"""A job's page (progress bar refreshed by htmx until it ends), its result, and the list of one's jobs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from xiezuo.jobs.models import Job
from xiezuo.jobs.services import job_for, visible_jobs, workers_alive


def _context(job: Job) -> dict[str, object]:
    return {"job": job, "workers": workers_alive() if not job.finished else 1, "summary": job.summary}


@login_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for(request.user, pk)
    return render(request, "jobs/job.html", _context(job))


@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the page polls; once the job has ended it stops asking."""
    job = job_for(request.user, pk)
    return render(request, "jobs/_status.html", _context(job))


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = job_for(request.user, pk)
    if job.status != Job.Status.DONE or not job.result_file:
        raise Http404("该任务没有可下载的结果")
    store = storages["jobs"]
    if not store.exists(job.result_file):
        raise Http404("结果文件已被清理，请重新生成")
    return FileResponse(store.open(job.result_file, "rb"), as_attachment=True, filename=job.result_name)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = list(visible_jobs(request.user).select_related("requested_by")[:50])
    return render(request, "jobs/list.html", {"jobs": jobs})
