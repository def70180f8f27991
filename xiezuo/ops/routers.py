"""Send read-only work (dashboards, roll-ups) to a streaming replica when one is configured.

Only code that runs inside `replica_reads()` reads from the replica: an ordinary request reads
its own writes from the primary, while a dashboard or a national roll-up, which can live with
a second of replication lag, takes the load off the primary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
SNAPSHOT_PREFIX = "snapshot_"  # aliases of point-in-time copies of the primary (xiezuo.ops.backup)
_reading_from_replica: ContextVar[bool] = ContextVar("xiezuo_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[str]:
    """Within the block, ORM reads go to the replica (or to the primary when there is none).

    Yields the alias reads will use, for raw SQL: `connections[alias].cursor()`.
    """
    token = _reading_from_replica.set(True)
    try:
        yield read_alias()
    finally:
        _reading_from_replica.reset(token)


def read_alias() -> str:
    """The database alias a read-only query should use right now."""
    if _reading_from_replica.get() and replica_configured():
        return REPLICA
    return "default"


# Who is logged in and with which role is always read from the primary: a session written a
# moment ago at login may not have reached the replica yet. So are database cache entries
# ("django_cache", Django's label for them): a login failure counted a moment ago must be seen.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "accounts", "contenttypes", "admin", "django_cache"})


class ReplicaRouter:
    """Reads inside `replica_reads()` go to the replica; every write and migration to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        # Related objects of an object read from another alias (a backup's snapshot) come from
        # that same alias, so the snapshot stays self-consistent.
        instance = hints.get("instance")
        db = getattr(getattr(instance, "_state", None), "db", None)
        if db is not None and db not in ("default", REPLICA):
            return str(db)
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return "default"
        return read_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same database, so objects from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        # A snapshot alias (a backup's copy of the primary) holds every table the primary does.
        return db == "default" or db.startswith(SNAPSHOT_PREFIX)


def database_is_replica(alias: str = REPLICA) -> bool:
    """True when `alias` is a PostgreSQL server in recovery, i.e. a streaming standby."""
    conn = connections[alias]
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return bool(cursor.fetchone()[0])


class ReplicaReadsMiddleware:
    """GET requests to the views named in XIEZUO_REPLICA_VIEWS (dashboards) read from the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            token = getattr(request, "_xiezuo_replica_token", None)
            if token is not None:
                _reading_from_replica.reset(token)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        match = request.resolver_match
        if request.method in ("GET", "HEAD") and match is not None \
                and match.view_name in getattr(settings, "XIEZUO_REPLICA_VIEWS", ()):
            request._xiezuo_replica_token = _reading_from_replica.set(True)  # type: ignore[attr-defined]  # per-request token kept on the request, which the stubs close
