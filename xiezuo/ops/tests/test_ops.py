"""Readiness, JSON logs without personal data, the replica router, backup → restore."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from xiezuo.ops.backup import BackupError, backup_restore, backup_write
from xiezuo.ops.logs import JsonFormatter, mask_name, scrub
from xiezuo.ops.routers import ReplicaRouter, read_alias, replica_reads
from xiezuo.tables.models import DataValue


def all_tables_json() -> dict[str, str]:
    """What `xiezuo table --format json` prints, for every org unit and year that has values."""
    from xiezuo.orgunits.models import OrgUnit
    from xiezuo.tables.exports import Column, table_json
    from xiezuo.tables.models import DataValue
    from xiezuo.tables.selectors import table_for

    out = {}
    years = sorted(set(DataValue.objects.values_list("year", flat=True)))
    for unit in OrgUnit.objects.order_by("code"):
        for year in years:
            catalogue, lines = table_for(unit, year)
            column = Column(name=unit.name, values={ln.row.code: ln.value for ln in lines},
                            sources={ln.row.code: ln.source for ln in lines if ln.source})
            out[f"{unit.code}/{year}"] = table_json(catalogue, column)
    return out


@pytest.mark.django_db(databases="__all__")
def test_readyz_says_ready_when_the_database_answers(client):  # type: ignore[no-untyped-def]
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["default"]["ok"] is True
    assert body["checks"]["migrations"]["ok"] is True
    assert body["checks"]["cache:limits"]["ok"] is True
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db(databases="__all__")
def test_readyz_is_unavailable_when_the_shared_cache_is_down(client, settings):  # type: ignore[no-untyped-def]
    # A Redis that does not answer (nothing listens on port 1): login counters cannot be shared.
    from django.core.cache import caches

    settings.CACHES = {**settings.CACHES, "limits": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5}}}
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["cache:limits"] == {"ok": False, "error": "ConnectionError"}
    finally:
        caches["limits"].close()


def test_json_log_lines_mask_id_numbers_phones_and_names() -> None:
    record = logging.makeLogRecord({
        "name": "xiezuo.ledgers", "levelname": "WARNING", "levelno": logging.WARNING,
        "msg": "第%d行身份证号 %s 校验位错误，联系电话 13912345678", "args": (7, "62042219900307123X"),
        "person_name": "张三丰", "org_code": "620422",
    })
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "62042219900307123X" not in line and "13912345678" not in line and "张三丰" not in line
    assert entry["message"] == "第7行身份证号 620422***********X 校验位错误，联系电话 139****5678"
    assert entry["person_name"] == "张**"
    assert entry["org_code"] == "620422"  # a six-digit area code is not personal data
    assert entry["level"] == "WARNING" and entry["logger"] == "xiezuo.ledgers"
    assert mask_name("欧阳娜娜") == "欧***"
    assert scrub("金额 1234567890123 元") == "金额 1234567890123 元"  # 13 digits: not an ID number


def test_reads_stay_on_the_primary_without_a_replica(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATABASES = {"default": settings.DATABASES["default"]}
    router = ReplicaRouter()
    assert read_alias() == "default"
    with replica_reads() as alias:
        assert alias == "default"
        assert router.db_for_read(DataValue) == "default"
    assert router.db_for_write(DataValue) == "default"
    assert router.allow_migrate("replica", "tables") is False


def test_reads_inside_replica_reads_go_to_the_replica(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    router = ReplicaRouter()
    assert router.db_for_read(DataValue) == "default"  # ordinary requests read their own writes
    with replica_reads() as alias:
        assert alias == "replica"
        assert router.db_for_read(DataValue) == "replica"
        assert router.db_for_write(DataValue) == "default"
    assert router.db_for_read(DataValue) == "default"


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_identical_tables_for_every_org_unit(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.accounts.models import Profile

    before = all_tables_json()
    assert before and any('"value": "' in t for t in before.values())
    out = tmp_path / "xiezuo.json.gz"
    result = backup_write(out=out)
    assert result.format == "portable" and out.stat().st_size > 0

    with pytest.raises(BackupError, match="已有数据"):
        backup_restore(path=out)

    call_command("flush", interactive=False, verbosity=0)
    assert all_tables_json() != before
    counts = backup_restore(path=out)
    assert counts["tables.DataValue"] > 0
    assert all_tables_json() == before
    # Users come back with their roles and can still log in with their passwords.
    assert Profile.objects.filter(user__username="huining-clerk", org__code="620422").exists()


@pytest.mark.django_db
def test_native_backup_needs_postgresql(tmp_path: Path) -> None:
    if connections["default"].vendor == "postgresql":
        pytest.skip("native format is available on PostgreSQL")
    with pytest.raises(BackupError, match="PostgreSQL"):
        backup_write(out=tmp_path / "x.pgdump")


def test_dashboard_requests_read_figures_from_the_replica_and_sessions_from_the_primary(settings, rf) -> None:  # type: ignore[no-untyped-def]
    from django.http import HttpResponse
    from django.urls import resolve

    from xiezuo.accounts.models import Session
    from xiezuo.ops.routers import ReplicaReadsMiddleware

    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    router = ReplicaRouter()
    seen: dict[str, str] = {}

    def view(request):  # type: ignore[no-untyped-def]
        seen["figures"] = router.db_for_read(DataValue)
        seen["session"] = router.db_for_read(Session)
        return HttpResponse()

    def handler(request):  # type: ignore[no-untyped-def]
        middleware.process_view(request, view, (), {})
        return view(request)

    middleware = ReplicaReadsMiddleware(handler)
    for path, expected in (("/org/620000/2023/dashboard/", "replica"), ("/org/620422/2023/", "default")):
        request = rf.get(path)
        request.resolver_match = resolve(path)
        middleware(request)
        assert seen == {"figures": expected, "session": "default"}, path
        assert read_alias() == "default"  # nothing leaks into the next request
