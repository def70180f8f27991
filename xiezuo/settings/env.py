"""Typed helpers to read settings from the environment (and from *_FILE paths for secrets)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlparse


def env_str(name: str, default: str = "") -> str:
    """Return $NAME, or the contents of the file named by $NAME_FILE, or the default."""
    if name in os.environ:
        return os.environ[name]
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return default


def env_bool(name: str, default: bool = False) -> bool:
    raw = env_str(name, "")
    if raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = env_str(name, "")
    return int(raw) if raw.strip() else default


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name, "")
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else default


def database_from_url(url: str, *, base_dir: Path) -> dict[str, object]:
    """Turn sqlite:///path or postgres://user@host:port/name into a DATABASES entry."""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        raw_path = unquote(parsed.path)
        # sqlite:///var/x.db is relative to the project; sqlite:////abs/x.db is absolute.
        path = Path(raw_path[1:]) if raw_path.startswith("/") else Path(raw_path)
        if not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        options: dict[str, object] = {}
        query = parse_qs(parsed.query)
        if query.get("pool", ["0"])[0] in {"1", "true"}:
            options["pool"] = {"min_size": 2, "max_size": int(query.get("pool_max", ["10"])[0])}
        # The few hot written-out statements (`core.rawsql`) are prepared once per connection; the
        # ORM's queries never are (Django's client-side binding). `?prepare=0` turns it off, for a
        # PgBouncer in transaction mode without prepared-statement support (before 1.21).
        options["prepare_threshold"] = None if query.get("prepare", ["1"])[0] in {"0", "false"} else 5
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "xiezuo",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 0 if options.get("pool") else 60,
            "OPTIONS": options,
        }
    raise ValueError(f"XIEZUO_DATABASE_URL: unsupported scheme {scheme!r} (use sqlite:/// or postgres://)")


def cache_from_url(url: str, *, name: str, max_entries: int | None = None) -> dict[str, object]:
    """Turn locmem://, redis://host:port/db or db://table into a CACHES entry.

    An empty URL is local memory: one cache per process, enough for a demo or a single worker.
    `name` is the table (db://) or the local-memory store (locmem://) when the URL names none;
    each alias needs its own, or clearing one cache would clear the other. `max_entries` bounds
    a database or local-memory cache (Django culls past it, 300 by default); Redis evicts by its
    own policy. `?key_prefix=NAME` sets KEY_PREFIX; it keeps keys apart, but Django's Redis
    `clear()` is FLUSHDB, so each alias still needs a Redis database number of its own.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    query = parse_qs(parsed.query)
    entry: dict[str, object]
    if scheme in {"", "locmem"}:
        entry = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": parsed.netloc or name}
    elif scheme in {"redis", "rediss", "unix"}:
        # Django's own backend over redis-py; the URL minus our query keys is what redis-py reads.
        rest = {k: v[-1] for k, v in query.items() if k != "key_prefix"}
        location = parsed._replace(query=urlencode(rest)).geturl()
        entry = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
    elif scheme in {"db", "database"}:
        table = unquote(parsed.netloc or parsed.path.lstrip("/")) or name
        if not table.replace("_", "").isalnum() or not table.isascii():
            raise ValueError(f"cache URL {url!r}: the table name may hold only letters, digits and _")
        # Django's database cache with an increment that is atomic across processes (xiezuo.core.cache).
        entry = {"BACKEND": "xiezuo.core.cache.DatabaseCache", "LOCATION": table}
    else:
        raise ValueError(f"cache URL {url!r}: unsupported scheme {scheme!r} (use locmem://, redis:// or db://)")
    if max_entries is not None and entry["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        entry["OPTIONS"] = {"MAX_ENTRIES": max_entries}
    if query.get("key_prefix"):
        entry["KEY_PREFIX"] = query["key_prefix"][-1]
    return entry
