"""An area's roll-up of every unit below it and its assessment as workbooks: made in the request for a
small area, by an `area_export` job above XIEZUO_JOB_AREA_COUNTIES counties (the page offers 后台生成)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from xiezuo.jobs.models import Job
from xiezuo.jobs.worker import run_queued_here
from xiezuo.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


def _xlsx(response) -> object:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(body))


def _counties(code: str) -> list[str]:
    return list(OrgUnit.objects.filter(code__startswith=code[:4], level="county").order_by("code")
                .values_list("name", flat=True))


def test_a_city_of_a_few_counties_downloads_its_workbooks_at_once(login) -> None:  # type: ignore[no-untyped-def]
    reviewer = login("baiyin-reviewer")
    page = reviewer.get("/org/620400/2023/").content.decode()
    assert 'id="export-levels"' in page and "后台生成" not in page
    download = reviewer.get("/org/620400/2023/export/rollup/")
    assert download.status_code == 200 and not Job.objects.exists()
    sheet = _xlsx(download)["统计表"]  # type: ignore[index]
    names = [c.value for c in sheet[3]][2:]
    assert names == ["白银市", *_counties("620400")]
    assessment = reviewer.get("/org/620400/2023/assessment/").content.decode()
    assert 'id="export-assessment"' in assessment
    ranking = _xlsx(reviewer.get("/org/620400/2023/export/assessment/"))["考核排名"]  # type: ignore[index]
    assert ranking["A2"].value == "名次" and ranking.max_row == 2 + len(_counties("620400"))


def test_a_large_area_makes_them_in_a_job_with_progress(login, settings) -> None:  # type: ignore[no-untyped-def]
    settings.XIEZUO_JOB_AREA_COUNTIES = 2  # 白银市's five counties count as a large area here
    reviewer = login("baiyin-reviewer")
    page = reviewer.get("/org/620400/2023/").content.decode()
    assert 'id="export-levels-form"' in page and "后台生成逐级汇总表" in page
    refused = reviewer.get("/org/620400/2023/export/rollup/")
    assert refused.status_code == 400 and "后台生成" in refused.content.decode()
    started = reviewer.post("/org/620400/2023/export/rollup/")
    assert started.status_code == 302 and started["Location"].startswith("/jobs/")
    assert run_queued_here() == 1
    job = Job.objects.get()
    assert job.kind == "area_export" and job.status == Job.Status.DONE, job.error
    assert job.summary["columns"] == 1 + len(_counties("620400")) and job.total > 0
    assert job.result_name == "白银市2023年统计表（逐级汇总）.xlsx"
    done = reviewer.get(f"/jobs/{job.pk}/").content.decode()
    assert "job-download" in done and f"{len(_counties('620400'))} 个县" in done
    sheet = _xlsx(reviewer.get(f"/jobs/{job.pk}/download/"))["统计表"]  # type: ignore[index]
    assert [c.value for c in sheet[3]][2:] == ["白银市", *_counties("620400")]

    assessment = reviewer.get("/org/620400/2023/assessment/").content.decode()
    assert 'id="export-assessment-form"' in assessment
    reviewer.post("/org/620400/2023/export/assessment/")
    assert run_queued_here() == 1
    job = Job.objects.get(params__what="assessment")
    assert job.status == Job.Status.DONE and job.summary["counties"] == len(_counties("620400")), job.error
    ranking = _xlsx(reviewer.get(f"/jobs/{job.pk}/download/"))["考核排名"]  # type: ignore[index]
    assert {ranking.cell(r, 3).value for r in range(3, ranking.max_row + 1)} == set(_counties("620400"))


def test_a_province_lists_each_city_followed_by_its_counties(login, settings) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.rollup.selectors import area_every_level

    gansu = OrgUnit.objects.get(code="620000")
    seen: list[tuple[str, int, int]] = []
    _, columns = area_every_level(gansu, 2023, on_progress=lambda name, n, total: seen.append((name, n, total)))
    codes = [c.code for c in columns]
    cities = list(OrgUnit.objects.filter(parent=gansu).order_by("code").values_list("code", flat=True))
    assert codes[0] == "620000" and [c for c in codes if c in cities] == cities
    baiyin = codes.index("620400")
    assert [c.name for c in columns[baiyin + 1: baiyin + 1 + len(_counties("620400"))]] == _counties("620400")
    assert [n for _, n, _ in seen] == list(range(1, len(cities) + 2)) and seen[-1][1] == seen[-1][2]


def test_a_county_clerk_cannot_ask_for_an_area_export(login) -> None:  # type: ignore[no-untyped-def]
    clerk = login("huining-clerk")
    assert clerk.post("/org/620400/2023/export/rollup/").status_code == 404
    assert clerk.get("/org/620422/2023/export/rollup/").status_code == 404
    assert not Job.objects.exists()
