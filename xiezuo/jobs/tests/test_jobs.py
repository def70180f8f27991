"""Jobs in this process: a PDF, a large ledger import through the pages, errors, once-only, rescue."""

from __future__ import annotations

import io
import os
import socket
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from xiezuo.jobs.models import Job, WorkerBeat
from xiezuo.jobs.tests.files import labour_file
from xiezuo.jobs.worker import requeue_stale, run_queued_here
from xiezuo.ledgers.models import LabourPlacement

pytestmark = pytest.mark.django_db


def _start_import(client, path: Path, mode: str = "append") -> Job:  # type: ignore[no-untyped-def]
    url = "/org/620422/2023/ledgers/labour_placements/import/"
    with path.open("rb") as fh:
        preview = client.post(url, {"file": fh, "mode": mode})
    assert preview.status_code == 200, preview.content.decode()[:500]
    token = preview.context["token"]
    confirmed = client.post(url, {"token": token, "mode": mode})
    assert confirmed.status_code == 302 and confirmed["Location"].startswith("/jobs/"), confirmed
    return Job.objects.get(pk=int(confirmed["Location"].split("/")[2]))


@pytest.mark.slow
def test_a_report_pdf_is_made_by_a_job_and_offered_on_its_page(login) -> None:  # type: ignore[no-untyped-def]
    clerk = login("huining-clerk")
    started = clerk.post("/documents/620422/2023/report.pdf")
    assert started.status_code == 302
    job_url = started["Location"]
    page = clerk.get(job_url).content.decode()
    assert "排队中" in page and 'hx-trigger="every 1s"' in page and "没有运行中的后台进程" in page
    assert run_queued_here() == 1
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and job.attempts == 1 and job.result_name.endswith(".pdf")
    done = clerk.get(job_url + "status/").content.decode()
    assert "已完成" in done and "every 1s" not in done and "job-download" in done
    download = clerk.get(job_url + "download/")
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment")
    assert "自评报告" in PdfReader(io.BytesIO(body)).pages[0].extract_text() or len(PdfReader(io.BytesIO(body)).pages) > 3
    # Someone else's job is not theirs to see.
    assert login("baiyin-reviewer").get(job_url).status_code == 404


def test_a_large_import_runs_as_a_job_once_even_when_run_again(login, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.XIEZUO_JOB_IMPORT_ROWS = 10
    clerk = login("huining-clerk")
    before = LabourPlacement.objects.count()
    job = _start_import(clerk, labour_file(tmp_path / "labour.xlsx", 40))
    assert LabourPlacement.objects.count() == before  # nothing stored until the job runs
    assert run_queued_here() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.summary["added"] == 40 and LabourPlacement.objects.count() == before + 40
    page = clerk.get(f"/jobs/{job.pk}/").content.decode()
    assert "新增 40 条" in page and "查看台账" in page
    # The worker died after storing, before it could say so: the job runs again and finds its work done.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    DBTaskResult.objects.filter(pk=job.task_id).update(status="READY")
    assert run_queued_here() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.summary.get("again") is True and job.summary["added"] == 40
    assert LabourPlacement.objects.count() == before + 40


def test_a_small_import_stays_in_the_request(login, tmp_path) -> None:  # type: ignore[no-untyped-def]
    clerk = login("huining-clerk")
    url = "/org/620422/2023/ledgers/labour_placements/import/"
    with labour_file(tmp_path / "small.xlsx", 3).open("rb") as fh:
        token = clerk.post(url, {"file": fh, "mode": "append"}).context["token"]
    done = clerk.post(url, {"token": token, "mode": "append"})
    assert done["Location"].endswith("/ledgers/labour_placements/") and not Job.objects.exists()


def test_a_failed_job_shows_its_chinese_error_and_stores_nothing(login, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.XIEZUO_JOB_IMPORT_ROWS = 10
    clerk = login("huining-clerk")
    before = LabourPlacement.objects.count()
    path = labour_file(tmp_path / "labour.xlsx", 20)
    first, second = _start_import(clerk, path), _start_import(clerk, path)
    assert run_queued_here() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Job.Status.DONE
    # The same people again: every row is refused, nothing of the second file is stored.
    assert second.status == Job.Status.FAILED and "未写入任何数据" in second.error
    assert len(second.summary["errors"]) == 20 and LabourPlacement.objects.count() == before + 20
    page = clerk.get(f"/jobs/{second.pk}/").content.decode()
    assert "失败" in page and 'id="job-errors"' in page and "第2行" not in page  # rows in their own column
    assert 'class="num">2</td>' in page


def test_the_running_job_of_a_dead_worker_is_queued_again(login, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.XIEZUO_JOB_IMPORT_ROWS = 10
    job = _start_import(login("huining-clerk"), labour_file(tmp_path / "labour.xlsx", 15))
    # A worker on this host claimed it and was killed: its process id no longer exists.
    dead_pid = 2**22 + 12345
    with pytest.raises(ProcessLookupError):
        os.kill(dead_pid, 0)
    worker_id = f"{socket.gethostname()[:30]}:{dead_pid}:deadbeef"
    WorkerBeat.objects.create(worker_id=worker_id, host=socket.gethostname()[:30], pid=dead_pid, seen_at=timezone.now())
    DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING", worker_ids=[worker_id])
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1)
    # A live worker elsewhere with a fresh heartbeat is left alone.
    WorkerBeat.objects.create(worker_id="other:1:x", host="other", pid=1, seen_at=timezone.now())
    assert requeue_stale() == [job.pk]
    assert set(WorkerBeat.objects.values_list("worker_id", flat=True)) == {"other:1:x"}
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and "重新排队" in job.phase
    assert run_queued_here() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2 and job.summary["added"] == 15


def test_a_city_gets_every_county_report_in_one_zip(login) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    from docx import Document

    from xiezuo.orgunits.models import OrgUnit

    reviewer = login("baiyin-reviewer")
    started = reviewer.post("/documents/620400/2023/reports/")
    assert started.status_code == 302
    assert run_queued_here() == 1
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.error
    counties = list(OrgUnit.objects.filter(code__startswith="6204", level="county").order_by("code"))
    assert len(counties) > 1 and job.summary["counties"] == len(counties)
    download = reviewer.get(f"/jobs/{job.pk}/download/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))  # type: ignore[attr-defined]
    names = archive.namelist()
    assert len(names) == len(counties) and all(n.endswith(".docx") for n in names)
    for county in counties:
        name = next(n for n in names if n.startswith(county.name))
        text = "\n".join(p.text for p in Document(io.BytesIO(archive.read(name))).paragraphs)
        assert county.name in text  # each county's own report, not the same one again
    page = reviewer.get(f"/jobs/{job.pk}/").content.decode()
    assert f"共 {len(counties)} 个县" in page
    # A county clerk cannot ask for the city's reports.
    assert login("huining-clerk").post("/documents/620400/2023/reports/").status_code in (403, 404)
