"""An exchange package uploaded by an administrator: checked on the page, imported by a job, once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from xiezuo.core.models import AppliedOnce, ChangeRecord
from xiezuo.exchange.tests.packages import big_package
from xiezuo.jobs.models import Job
from xiezuo.jobs.worker import run_queued_here
from xiezuo.tables.models import DataValue

pytestmark = pytest.mark.django_db
URL = "/manage/exchange/"


def _upload(client: Any, name: str, body: bytes) -> Any:
    return client.post(URL, {"file": SimpleUploadedFile(name, body, content_type="application/json")})


def _staged(settings: Any) -> list[Path]:
    return sorted((Path(settings.VAR_DIR) / "staging").glob("upload-*.json"))  # packages only


def test_an_admin_uploads_a_package_and_a_job_imports_it_once(login, settings) -> None:  # type: ignore[no-untyped-def]
    admin = login("admin")
    staged_before = _staged(settings)
    page = admin.get(URL).content.decode()
    assert 'id="exchange-form"' in page and "交换包" in page
    assert 'href="/manage/exchange/"' in admin.get("/todo/").content.decode()  # in the administrator's menu
    started = _upload(admin, "测试省2023年交换包.json", big_package(6))
    assert started.status_code == 302 and started["Location"].startswith("/jobs/"), started.content.decode()[-800:]
    job = Job.objects.get(kind="exchange_import")
    assert job.total == 8 and job.org_code == "980000" and job.year == 2023
    assert not DataValue.objects.filter(org__code__startswith="98").exists()  # nothing until the job runs
    queued = admin.get(started["Location"]).content.decode()
    assert "排队中" in queued and "测试省2023年，6 张统计表" in queued

    assert run_queued_here() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.summary["tables_changed"] == 6 and job.summary["units_created"] == 8  # province, city, 6 counties
    stored = DataValue.objects.filter(org__code__startswith="98").count()
    assert stored == job.summary["values_written"] > 6 * 50
    done = admin.get(f"/jobs/{job.pk}/").content.decode()
    assert "已从「测试省2023年交换包.json」导入 6 张统计表" in done and "查看汇总表" in done
    records = ChangeRecord.objects.filter(object_type__startswith="exchange.").count()
    assert records == 7  # six tables and the package
    assert _staged(settings) == staged_before  # the job removed its staged file

    # The worker died after the commit, before it could say so: run again, it finds the import stored.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    DBTaskResult.objects.filter(pk=job.task_id).update(status="READY")
    assert run_queued_here() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.summary["again"] is True and job.summary["tables_changed"] == 6
    assert DataValue.objects.filter(org__code__startswith="98").count() == stored
    assert ChangeRecord.objects.filter(object_type__startswith="exchange.").count() == records
    assert AppliedOnce.objects.filter(key=f"job:{job.pk}").count() == 1

    # The same package uploaded again is a new job that changes nothing (the import is idempotent).
    _upload(admin, "测试省2023年交换包.json", big_package(6))
    assert run_queued_here() == 1
    again = Job.objects.filter(kind="exchange_import").order_by("-pk").first()
    assert again is not None and again.status == Job.Status.DONE and again.summary["tables_changed"] == 0
    assert "本系统已有相同数据，未作任何修改" in admin.get(f"/jobs/{again.pk}/").content.decode()
    assert ChangeRecord.objects.filter(object_type__startswith="exchange.").count() == records


def _flip(body: bytes) -> bytes:
    i = body.index(b'"number": "') + len(b'"number": "')
    return body[:i] + (b"7" if body[i:i + 1] != b"7" else b"8") + body[i + 1:]


def _other_template(body: bytes) -> bytes:
    from xiezuo.exchange.package import _dumps, checksum_of

    package = json.loads(body)
    package["manifest"]["template"]["checksum"] = "sha256:" + "0" * 64
    package["checksum"] = checksum_of(package["manifest"], package["data"])
    return _dumps(package)


@pytest.mark.parametrize(("change", "says"), [
    (_flip, "校验和不符"),
    (lambda b: b[: len(b) // 2], "文件不完整或已损坏"),
    (lambda b: b.replace(b'"version": 1\n}', b'"version": 2\n}'), "格式版本为「2」"),
    (_other_template, "模板"),
    (lambda b: b"\xff\xfe" + b, "不是 UTF-8"),
    (lambda b: b"[" * 200_000, "嵌套层次过深"),
])
def test_a_bad_package_is_refused_on_the_page_with_its_name_and_nothing_queued(  # type: ignore[no-untyped-def]
    login, settings, change, says
) -> None:
    admin = login("admin")
    staged_before = _staged(settings)
    refused = _upload(admin, "坏的交换包.json", change(big_package(2)))
    assert refused.status_code == 400
    error = refused.content.decode()
    assert 'id="exchange-error"' in error and "坏的交换包.json" in error and says in error, error[-1500:]
    assert not Job.objects.exists() and _staged(settings) == staged_before
    assert not DataValue.objects.filter(org__code__startswith="98").exists()


def test_only_administrators_find_the_page(login) -> None:  # type: ignore[no-untyped-def]
    for username in ("huining-clerk", "baiyin-reviewer"):
        client = login(username)
        assert client.get(URL).status_code == 404
        assert _upload(client, "p.json", big_package(1)).status_code == 404
        assert 'href="/manage/exchange/"' not in client.get("/todo/").content.decode()
    assert not Job.objects.exists()


def test_the_export_form_downloads_an_area_package_the_page_can_import(login) -> None:  # type: ignore[no-untyped-def]
    admin = login("admin")
    download = admin.get("/manage/exchange/export/", {"org": "620000", "year": "2023"})
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert json.loads(download.content)["manifest"]["org"]["name"] == "甘肃省"
    wrong = admin.get("/manage/exchange/export/", {"org": "999999", "year": "2023"})
    assert wrong.status_code == 400 and "单位代码「999999」不存在" in wrong.content.decode()


def test_the_import_reports_progress_table_by_table(demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.exchange.services import exchange_import

    path = tmp_path / "p.json"
    path.write_bytes(big_package(3))
    seen: list[tuple[str, int, int]] = []
    result = exchange_import(path=path, on_progress=lambda phase, n, total: seen.append((phase, n, total)))
    assert result.tables_changed == 3
    assert [n for _, n, _ in seen] == [0, 1, 2, 3, 4, 5] and {t for _, _, t in seen} == {5}
    assert seen[2][0].startswith("统计表 980101（1/3）")
