"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


def _check_database(alias: str) -> dict[str, object]:
    started = time.perf_counter()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_cache(alias: str) -> dict[str, object]:
    """One read from the cache: the shared login counters and page caches live there (Redis or the
    database in production); a server that cannot reach them must not take requests."""
    started = time.perf_counter()
    try:
        caches[alias].get("xiezuo:readyz")
    except Exception as exc:  # noqa: BLE001 - each backend raises its own (redis ConnectionError, DatabaseError…)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


_schema_current = False


def _migrations_pending() -> bool:
    # Once the schema is current it stays so for this process; skip reloading the migration graph.
    global _schema_current
    if _schema_current:
        return False
    executor = MigrationExecutor(connections["default"])
    _schema_current = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return not _schema_current


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every database and cache answers and the schema is current; 503 otherwise (take out
    of rotation)."""
    checks = {alias: _check_database(alias) for alias in settings.DATABASES}
    checks.update({f"cache:{alias}": _check_cache(alias) for alias in settings.CACHES})
    ready = all(c["ok"] for c in checks.values())
    if ready:
        try:
            pending = _migrations_pending()
        except DatabaseError:
            pending = True
        checks["migrations"] = {"ok": not pending}
        ready = not pending
    return JsonResponse({"status": "ready" if ready else "unavailable", "checks": checks},
                        status=200 if ready else 503)
