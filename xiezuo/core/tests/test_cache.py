"""The database cache's counters: the window kept, expired rows, and increments from many processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection

from xiezuo.core.cache import DatabaseCache
from xiezuo.settings.env import cache_from_url

ROOT = Path(__file__).resolve().parents[3]


def _expires(cache: DatabaseCache, key: str) -> object:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT expires FROM {connection.ops.quote_name(cache.table)} WHERE cache_key = %s",  # noqa: S608
                       [cache.make_key(key)])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_an_increment_keeps_the_window_the_counter_was_opened_with() -> None:
    limits = caches["limits"]
    assert isinstance(limits, DatabaseCache)  # the default: a table in the application's database
    assert limits.add("login-fail:user:x", 1, 900)
    opened = _expires(limits, "login-fail:user:x")
    # Django's own DatabaseCache.incr re-sets the value with the default timeout (300 s), which
    # would move the lock's end; here only the value changes.
    assert limits.incr("login-fail:user:x") == 2
    assert limits.incr("login-fail:user:x", 3) == 5
    assert _expires(limits, "login-fail:user:x") == opened
    assert limits.get("login-fail:user:x") == 5


@pytest.mark.django_db
def test_an_expired_counter_is_not_incremented_and_add_opens_a_new_one() -> None:
    limits = caches["limits"]
    limits.set("login-fail:user:y", 7, 0)  # timeout 0: stored already expired
    with pytest.raises(ValueError, match="not found"):
        limits.incr("login-fail:user:y")
    with pytest.raises(ValueError, match="not found"):
        limits.incr("login-fail:user:never-seen")
    assert limits.add("login-fail:user:y", 1, 900)  # the expired row is replaced
    assert not limits.add("login-fail:user:y", 1, 900)  # a live one is not
    assert limits.get("login-fail:user:y") == 1


COUNTER = """
import sys
import django
django.setup()
from django.core.cache import caches
limits = caches["limits"]
for _ in range(int(sys.argv[1])):
    if not limits.add("race", 1, 900):
        limits.incr("race")
"""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_increments_from_several_processes_at_once_are_all_counted() -> None:
    """Four processes count 40 each into one counter at the same time; none is lost."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIEZUO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "xiezuo.settings.test", "XIEZUO_DATABASE_URL": url})
    workers = [subprocess.Popen([sys.executable, "-c", COUNTER, "40"], cwd=ROOT, env=env) for _ in range(4)]
    assert [w.wait(timeout=300) for w in workers] == [0, 0, 0, 0]
    assert caches["limits"].get("race") == 160


def test_cache_urls() -> None:
    assert cache_from_url("", name="xiezuo_cache") == {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "xiezuo_cache"}
    assert cache_from_url("locmem://other", name="xiezuo_cache")["LOCATION"] == "other"
    assert cache_from_url("db://", name="xiezuo_limits") == {
        "BACKEND": "xiezuo.core.cache.DatabaseCache", "LOCATION": "xiezuo_limits"}
    assert cache_from_url("db://login_counters", name="xiezuo_limits", max_entries=50_000) == {
        "BACKEND": "xiezuo.core.cache.DatabaseCache", "LOCATION": "login_counters", "OPTIONS": {"MAX_ENTRIES": 50_000}}
    redis = cache_from_url("redis://:s%40cret@cache.local:6380/2?key_prefix=prov62&socket_timeout=2", name="",
                           max_entries=50_000)  # Redis evicts by its own policy; its OPTIONS go to redis-py
    assert redis == {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": "redis://:s%40cret@cache.local:6380/2?socket_timeout=2", "KEY_PREFIX": "prov62"}
    with pytest.raises(ValueError, match="table name"):
        cache_from_url("db://x;drop", name="")
    with pytest.raises(ValueError, match="unsupported scheme"):
        cache_from_url("memcached://127.0.0.1:11211", name="")


@pytest.mark.slow
def test_migrate_creates_the_tables_of_the_database_caches_the_settings_name(tmp_path: Path) -> None:
    """`xiezuo init` on a new SQLite file (the demo) makes the login counters' table; a later
    `migrate` with one more database cache configured makes that table too."""
    import sqlite3

    database = tmp_path / "fresh.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIEZUO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "xiezuo.settings.base", "XIEZUO_VAR_DIR": str(tmp_path),
                "XIEZUO_DATABASE_URL": f"sqlite:///{database}"})
    run = subprocess.run([sys.executable, "-m", "xiezuo", "init"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr

    def tables() -> set[str]:
        with sqlite3.connect(database) as db:
            return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    assert "xiezuo_limits" in tables() and "xiezuo_cache" not in tables()
    env["XIEZUO_CACHE_URL"] = "db://xiezuo_cache"
    run = subprocess.run([sys.executable, "-m", "django", "migrate", "--noinput"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert {"xiezuo_limits", "xiezuo_cache"} <= tables()
