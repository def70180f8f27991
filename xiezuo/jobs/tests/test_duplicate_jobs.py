"""A province's (and the nation's) duplicate scan runs as a job: the page offers 重新检查 instead of
scanning in the request, the job's page shows the passes, and the area's pages then show its result."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from typer.testing import CliRunner

from xiezuo.jobs.models import Job
from xiezuo.jobs.worker import run_queued_here
from xiezuo.orgunits.models import OrgUnit
from xiezuo.synth.plan import Sizes
from xiezuo.synth.services import synth_generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted() -> list[tuple[str, str, str, str]]:
    import shutil
    from pathlib import Path

    from django.core.files.storage import storages

    # Scans kept by earlier runs under the same stamps (a fresh database counts its stamps alike).
    shutil.rmtree(Path(storages["jobs"].path("scans")), ignore_errors=True)
    summary = synth_generate(sizes=Sizes(provinces=2, cities_per_province=2, counties_per_city=3,
                                         labour_per_county=40, sales_per_county=2, duplicates=6), seed=3)
    return summary.planted


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_a_province_rescans_in_a_job_and_then_shows_the_conflicts(planted) -> None:  # type: ignore[no-untyped-def]
    county = OrgUnit.objects.get(code=planted[0][1])
    province = OrgUnit.objects.get(code__in=county.path.strip("/").split("/"), level="province")
    reviewer = _client(f"synth-{province.code}-reviewer")
    url = f"/org/{province.code}/2023/area/"
    due = reviewer.get(url).content.decode()
    assert 'id="conflicts-due"' in due and "重新检查" in due and 'id="conflicts"' in due
    assert "需重新检查" in reviewer.get(f"/org/{province.code}/2023/review/").content.decode()

    started = reviewer.post(f"/org/{province.code}/2023/conflicts/scan/")
    assert started.status_code == 302 and started["Location"].startswith("/jobs/")
    cache.clear()  # the worker is another process: what it keeps must reach the pages without this cache
    assert run_queued_here() == 1
    job = Job.objects.get(kind="duplicate_scan")
    assert job.status == Job.Status.DONE, job.error
    expected = {key for _k, a, b, key in planted
                if any(OrgUnit.objects.get(code=x).path.startswith(province.path) for x in (a, b))}
    assert job.summary["conflicts"] == len(expected) > 0 and job.summary["open"] == len(expected)
    done = reviewer.get(f"/jobs/{job.pk}/").content.decode()
    assert f"共 {len(expected)} 条重复统计" in done and 'id="job-conflicts"' in done

    cache.clear()
    shown = reviewer.get(url).content.decode()
    assert 'id="conflicts-due"' not in shown and "重新检查" in shown
    assert f"待处理重复统计 <strong>{len(expected)}</strong> 条" in shown

    # A ledger write anywhere may start or end a conflict: the scan is due again.
    from xiezuo.ledgers.models import LabourPlacement
    from xiezuo.ledgers.services import ledger_record_delete
    from xiezuo.submissions.models import Submission

    frozen = Submission.objects.filter(year=2023, state__in=["submitted", "approved"]).values("org_id")
    record = LabourPlacement.objects.filter(year=2023).exclude(org_id__in=frozen).first()
    assert record is not None
    ledger_record_delete(kind="labour_placements", pk=record.pk, expected_version=record.version, by=None)
    assert 'id="conflicts-due"' in reviewer.get(url).content.decode()


def test_a_city_still_sees_its_conflicts_at_once(planted) -> None:  # type: ignore[no-untyped-def]
    county = OrgUnit.objects.get(code=planted[0][1])
    city = county.parent
    assert city is not None
    page = _client(f"synth-{city.code}-reviewer").get(f"/org/{city.code}/2023/area/").content.decode()
    assert "重新检查" not in page and 'id="conflicts-due"' not in page
    assert _client(f"synth-{city.code}-reviewer").post(f"/org/{city.code}/2023/conflicts/scan/").status_code == 404
    assert not Job.objects.exists()


def test_the_cli_scans_with_a_bar_and_finds_the_same_pairs(planted) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.cli import app

    result = CliRunner().invoke(app, ["duplicates", "list", "--year", "2023", "--format", "json"])
    assert result.exit_code == 0, result.output
    import json

    listed = json.loads(result.stdout)
    assert {c["key"] for c in listed} == {key for *_, key in planted}


def test_the_nation_rescans_in_a_job_and_a_resolution_uses_that_scan(planted) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiezuo.progress.models import ConflictResolution

    admin = _client("synth-admin")
    assert 'id="conflicts-due"' in admin.get("/org/000000/2023/area/").content.decode()
    assert admin.post("/org/000000/2023/conflicts/scan/").status_code == 302
    cache.clear()
    assert run_queued_here() == 1
    job = Job.objects.get(kind="duplicate_scan")
    assert job.status == Job.Status.DONE and job.summary["conflicts"] == len(planted), job.error
    cache.clear()
    kind, _a, _b, key = planted[0]
    with CaptureQueriesContext(connection) as ctx:
        done = admin.post("/org/000000/2023/conflicts/resolve/", {"kind": kind, "key": key[:16], "note": "经核实为同一人"})
    assert done.status_code == 302
    assert not any("GROUP BY" in q["sql"] and "id_hash" in q["sql"] for q in ctx.captured_queries)  # no scan
    assert ConflictResolution.objects.filter(key=key).exists()
    page = admin.get("/org/000000/2023/area/").content.decode()
    assert f"待处理重复统计 <strong>{len(planted) - 1}</strong> 条" in page
