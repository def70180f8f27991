"""Jobs run by real worker processes (`python -m xiezuo worker`), as in production.

The browser starts a PDF and a large ledger import from the pages and watches the progress bar
move; a worker killed in the middle of an import is replaced by another one that finishes the
job, once. The workers open the test database itself: SQLite's is a file (settings/test.py).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from xiezuo.core.models import AppliedOnce
from xiezuo.jobs.models import Job
from xiezuo.jobs.tests.files import labour_file
from xiezuo.ledgers.models import LabourPlacement
from xiezuo.web.tests.test_browser import _sync_playwright_runs_an_event_loop, session  # noqa: F401

ROOT = Path(__file__).resolve().parents[3]
WAIT_SECONDS = 240  # an upper bound for a loaded machine, not a speed requirement


def _database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _kill(worker: subprocess.Popen[bytes], job: Job) -> None:
    """SIGKILL mid-job, reaped (its process id gone, as after a crash): the job is left running, once tried."""
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 1, (job.status, job.phase, job.error)


def _finish_on_a_new_worker(start_worker: Any, job: Job) -> None:
    start_worker()
    _wait("the second worker to finish the job", lambda: Job.objects.filter(pk=job.pk, status__in=[
        Job.Status.DONE, Job.Status.FAILED]).exists())
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Start `xiezuo worker` processes on the test database; each is stopped (or reaped) at the end."""
    started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start() -> subprocess.Popen[bytes]:
        log = tmp_path / f"worker-{len(started)}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "xiezuo.settings.test",
            "XIEZUO_DATABASE_URL": _database_url(),
            "XIEZUO_VAR_DIR": str(settings.VAR_DIR),
            "XIEZUO_JOB_HEARTBEAT_SECONDS": "1",
        }
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "xiezuo", "worker"], cwd=ROOT, env=env,
                                    stdout=out, stderr=subprocess.STDOUT)
        started.append((proc, log))
        return proc

    yield start
    for proc, log in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        print(f"--- {log.name} ---\n{log.read_text(errors='replace')[-4000:]}")


def _watch(page: Page) -> list[int]:
    """The progress bar's values, read as htmx refreshes it, until the job has finished."""
    seen: list[int] = []
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        status = page.locator("#job-status").get_attribute("data-status")
        value = page.locator("#job-progress").get_attribute("value")
        if value is not None and (not seen or seen[-1] != int(value)):
            seen.append(int(value))
        if status in ("done", "failed"):
            return seen
        page.wait_for_timeout(200)
    raise AssertionError(f"the job did not finish within {WAIT_SECONDS} s; bar values seen: {seen}")


def _moved(seen: list[int]) -> bool:
    return seen[-1] == 100 and any(0 < v < 100 for v in seen)


@pytest.mark.browser
@pytest.mark.slow
def test_the_browser_watches_a_pdf_and_a_large_import_run_in_a_worker(  # type: ignore[no-untyped-def]
    demo, live_server, browser, start_worker, settings, tmp_path
) -> None:
    settings.XIEZUO_JOB_IMPORT_ROWS = 1000
    start_worker()
    ctx, page = session(browser, live_server.url, "huining-clerk")

    page.goto("/documents/620422/2023/")
    page.locator("#download-pdf").click()
    expect(page.locator("#job-status")).to_be_visible()
    seen = _watch(page)
    assert page.locator("#job-status").get_attribute("data-status") == "done", page.locator("#job-status").inner_text()
    assert _moved(seen), seen
    with page.expect_download() as info:
        page.locator("#job-download").click()
    pdf = tmp_path / info.value.suggested_filename
    info.value.save_as(str(pdf))
    assert pdf.name == "会宁县2023年度东西部协作工作自评报告.pdf" or pdf.suffix == ".pdf", pdf.name
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert len(reader.pages) >= 3 and "会宁" in "".join(p.extract_text() for p in reader.pages[:2])

    rows = 50_000  # some seconds of work, so that the page refreshes while it runs
    before = LabourPlacement.objects.count()
    page.goto("/org/620422/2023/ledgers/labour_placements/import/")
    page.set_input_files("#import-file", str(labour_file(tmp_path / "劳务台账.xlsx", rows)))
    page.locator("#import-form button[type=submit]").click()
    expect(page.locator("#import-summary")).to_contain_text(f"将新增 {rows} 条", timeout=WAIT_SECONDS * 1000)
    page.locator("#confirm-form button[type=submit]").click()
    expect(page.locator("#job-status")).to_be_visible()
    seen = _watch(page)
    assert page.locator("#job-status").get_attribute("data-status") == "done", page.locator("#job-status").inner_text()
    assert _moved(seen), seen
    expect(page.locator("#job-summary")).to_contain_text(f"新增 {rows} 条")
    assert LabourPlacement.objects.count() == before + rows
    ctx.close()


def _wait(what: str, until: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if until():
            return
        time.sleep(0.05)
    raise AssertionError(f"waited {WAIT_SECONDS} s for {what}")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_is_replaced_and_the_job_finishes_once(  # type: ignore[no-untyped-def]
    login, start_worker, settings, tmp_path
) -> None:
    settings.XIEZUO_JOB_IMPORT_ROWS = 1000
    rows = 50_000  # seconds of checking: the worker is killed in the middle of it
    clerk = login("huining-clerk")
    before = LabourPlacement.objects.count()
    url = "/org/620422/2023/ledgers/labour_placements/import/"
    with labour_file(tmp_path / "labour.xlsx", rows).open("rb") as fh:
        preview = clerk.post(url, {"file": fh, "mode": "append"})
    assert preview.status_code == 200, preview.content.decode()[-3000:]
    token = preview.context["token"]
    confirmed = clerk.post(url, {"token": token, "mode": "append"})
    job = Job.objects.get(pk=int(confirmed["Location"].split("/")[2]))
    staged = Path(settings.VAR_DIR) / "staging" / str(job.params["staged"])
    assert staged.is_file()

    first = start_worker()
    _wait("the first worker to be checking rows",
          lambda: Job.objects.filter(pk=job.pk).exclude(status=Job.Status.RUNNING, done=0)
          .exclude(status=Job.Status.QUEUED).exists())
    _kill(first, job)

    _finish_on_a_new_worker(start_worker, job)
    assert job.attempts == 2 and job.summary["added"] == rows
    assert LabourPlacement.objects.count() == before + rows  # once: no duplicate records
    assert AppliedOnce.objects.filter(key=f"job:{job.pk}").count() == 1
    assert not staged.exists()
    page = clerk.get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and f"新增 {rows} 条" in page


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_exchange_import_is_replaced_and_the_package_is_imported_once(  # type: ignore[no-untyped-def]
    login, start_worker, settings
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xiezuo.core.models import ChangeRecord
    from xiezuo.exchange.tests.packages import big_package
    from xiezuo.tables.models import DataValue

    counties = 1000  # seconds of writing inside the action's one transaction: the worker dies in it
    admin = login("admin")
    started = admin.post("/manage/exchange/", {"file": SimpleUploadedFile(
        "测试省交换包.json", big_package(counties), content_type="application/json")})
    assert started.status_code == 302, started.content.decode()[-1500:]
    job = Job.objects.get(pk=int(started["Location"].split("/")[2]))
    ours = DataValue.objects.filter(org__code__startswith="98")

    first = start_worker()
    if connection.vendor == "postgresql":  # progress inside the transaction is written aside: wait for a table
        _wait("the first worker to be writing tables", lambda: Job.objects.filter(
            pk=job.pk, phase__startswith="统计表", done__gt=10).exists())
    else:  # SQLite sees only the progress before the transaction
        _wait("the first worker to be reading the package", lambda: Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, phase="读取并校验交换包").exists())
        time.sleep(2)
    _kill(first, job)
    assert not ours.exists()  # the killed run's transaction left nothing behind

    _finish_on_a_new_worker(start_worker, job)
    assert job.attempts == 2 and job.summary["tables_changed"] == counties
    assert ours.count() == job.summary["values_written"]
    assert ChangeRecord.objects.filter(object_type="exchange.table").count() == counties  # once per table
    assert ChangeRecord.objects.filter(object_type="exchange.package").count() == 1
    assert AppliedOnce.objects.filter(key=f"job:{job.pk}").count() == 1
    page = admin.get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and f"导入 {counties} 张统计表" in page


@pytest.mark.browser
@pytest.mark.slow
def test_the_browser_uploads_an_exchange_package_and_watches_its_import(  # type: ignore[no-untyped-def]
    demo, live_server, browser, start_worker, tmp_path
) -> None:
    from xiezuo.exchange.tests.packages import big_package
    from xiezuo.tables.models import DataValue

    start_worker()
    ctx, page = session(browser, live_server.url, "admin")
    page.goto("/todo/")
    page.locator("nav a", has_text="交换包").click()
    expect(page.locator("#exchange-form")).to_be_visible()

    broken = tmp_path / "坏的交换包.json"
    broken.write_bytes(big_package(2)[:-40])
    page.set_input_files("#exchange-file", str(broken))
    page.locator("#exchange-form button[type=submit]").click()
    expect(page.locator("#exchange-error")).to_contain_text("坏的交换包.json")
    expect(page.locator("#exchange-error")).to_contain_text("文件不完整或已损坏")

    counties = 150
    package = tmp_path / "测试省交换包.json"
    package.write_bytes(big_package(counties))
    page.set_input_files("#exchange-file", str(package))
    page.locator("#exchange-form button[type=submit]").click()
    expect(page.locator("#job-status")).to_be_visible()
    seen = _watch(page)
    assert page.locator("#job-status").get_attribute("data-status") == "done", page.locator("#job-status").inner_text()
    if connection.vendor == "postgresql":  # the bar moves inside the import's transaction only there
        assert _moved(seen), seen
    expect(page.locator("#job-summary")).to_contain_text(f"导入 {counties} 张统计表")
    assert DataValue.objects.filter(org__code__startswith="98").values("org_id").distinct().count() == counties
    ctx.close()
