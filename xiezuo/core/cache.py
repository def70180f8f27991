"""Django's database cache with counters that hold under concurrency, and its tables made by migrate.

Django's `DatabaseCache` inherits `incr` from `BaseCache`: a read, then a `set` that replaces the
value *and the expiry* with the cache's default timeout. Two processes counting a failed login
at once can then both write 3 where 4 was due, and every failure pushes the lockout's end out to
the default timeout instead of keeping the window the counter was opened with. Here `incr` reads
the row under a lock (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the transaction starts with
`BEGIN IMMEDIATE`, see `xiezuo.settings.env`, so writers already take turns) and updates the
value alone. `add` first removes this key's expired row: Django's `add` overwrites an expired row
without a lock, so two processes could both "add" and both count one.
"""

from __future__ import annotations

import base64
import pickle  # noqa: S403  # the cache's own format: Django's DatabaseCache pickles every value
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import connections, router, transaction
from django.utils.timezone import now


class DatabaseCache(DjangoDatabaseCache):
    def __init__(self, table: str, params: dict[str, Any]) -> None:
        super().__init__(table, params)
        self.table = table

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        quote = connection.ops.quote_name
        table, key_col, value_col, expires_col = (quote(n) for n in (self.table, "cache_key", "value", "expires"))
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        live = connection.ops.adapt_datetimefield_value(now())
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {value_col} FROM {table} WHERE {key_col} = %s AND {expires_col} > %s{lock}",  # noqa: S608  # quoted names only
                [key, live],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            stored = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(stored.encode())) + delta  # noqa: S301  # written by this cache
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET {value_col} = %s WHERE {key_col} = %s", [encoded, key])  # noqa: S608
        return value

    def add(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT,
            version: int | None = None) -> bool:
        # With the expired row gone, two concurrent adds meet at the primary key: one inserts,
        # the other's insert fails and `add` answers False, as it must.
        full_key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quote(self.table)} WHERE {quote('cache_key')} = %s AND {quote('expires')} < %s",  # noqa: S608
                [full_key, connection.ops.adapt_datetimefield_value(now())],
            )
        return bool(super().add(key, value, timeout, version))


def create_cache_tables(using: str = "default", **kwargs: Any) -> None:
    """`post_migrate`: the tables of every database cache in CACHES, in the database just migrated.

    Not a migration: which tables exist depends on settings (XIEZUO_CACHE_URL and
    XIEZUO_LIMITS_CACHE_URL may name any table, and may change after the first deployment),
    while a migration runs once. This runs after every `migrate` — `xiezuo init`, the demo, the
    test databases — and `createcachetable` skips tables that already exist.
    """
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


PER_PROCESS = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


@register(Tags.security, deploy=True)
def check_login_counters_are_shared(**kwargs: Any) -> list[CheckMessage]:
    """`check --deploy`: a limits cache per process lets each gunicorn worker count failures alone."""
    backend = settings.CACHES.get("limits", {}).get("BACKEND", "")
    if backend not in PER_PROCESS:
        return []
    return [CheckWarning(
        "登录失败次数保存在每个进程各自的内存中：每个 gunicorn 工作进程分别计数，登录限制形同虚设",
        hint="删除 XIEZUO_LIMITS_CACHE_URL（默认使用数据库）或设为 redis://主机:6379/库号",
        id="xiezuo.W001")]
