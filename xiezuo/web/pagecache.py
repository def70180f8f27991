"""Rendered page bodies kept in the cache, keyed by the version stamps of the data they show.

A page body depends on a unit-year's data (and last year's), the template files, the code and what
the viewer may do there. `cached_body` keys it by all of these — the data through `core.stamps`,
which every write raises in its own transaction — so a write never has to remember which pages to
invalidate, and a body can never be served after the data under it changed. The CSRF token is not
part of a cached body: it is rendered as a marker and put in for each request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe

from xiezuo.catalogue.registry import catalogue_fingerprint
from xiezuo.core.stamps import stamp_key

CSRF_MARK = "csrf-token-of-this-request-7f3a"
BODY_SECONDS = 6 * 3600


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The code and templates this process runs (names, sizes, times): a deploy never meets the
    bodies an older release put into a shared cache."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".html", ".toml"):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def body_key(page: str, *, org_code: str, years: Iterable[int], viewer: Iterable[object]) -> str:
    years = sorted(set(years))
    parts = [
        page, org_code, ",".join(map(str, years)), code_fingerprint(),
        ",".join(catalogue_fingerprint(y) for y in years),
        stamp_key([(org_code, y) for y in years]),
        ",".join(map(str, viewer)),
    ]
    return "page:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def cached_body(request: HttpRequest, key: str, render: Callable[[dict[str, object]], str]) -> SafeString:
    """The body under `key`, rendered by `render(extra_context)` on a miss; with this request's token."""
    body = cache.get(key)
    if not isinstance(body, str):
        body = render({"csrf_token": CSRF_MARK})
        cache.set(key, body, timeout=BODY_SECONDS)
    return mark_safe(body.replace(CSRF_MARK, get_token(request)))  # noqa: S308 - our own rendered template


def area_stamp(path: str, years: Iterable[int]) -> str:
    """The stamps of every unit at or below `path` (its whole area) for these years and for no
    year, with the global stamp, folded into one query: how many there are and their sum. Every
    write raises exactly one stamp by one, so the pair moves with each write anywhere in the area,
    whatever the number of units below — a nation's thousand counties cost one indexed aggregate."""
    from django.db import connection

    from xiezuo.core.models import Stamp
    from xiezuo.orgunits.models import OrgUnit

    wanted = sorted({*years, 0})
    stamps, units = connection.ops.quote_name(Stamp._meta.db_table), connection.ops.quote_name(OrgUnit._meta.db_table)
    # Written out rather than through the ORM: this runs on every view of these pages, and
    # compiling the query would cost more than running it.
    sql = (f"SELECT COUNT(*), COALESCE(SUM(version), 0) FROM {stamps} "  # noqa: S608 - table names only
           f"WHERE year IN ({', '.join(['%s'] * len(wanted))}) "
           f"AND (org_code = '' OR org_code IN (SELECT code FROM {units} WHERE path LIKE %s ESCAPE '\\'))")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*wanted, path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"])
        n, total = cursor.fetchone()
    return f"{n}:{total}"


def area_body_key(page: str, *, org_code: str, path: str, years: Iterable[int], viewer: Iterable[object]) -> str:
    """`body_key` for a page that shows an area's units (review list, an area's dashboard or table)."""
    years = sorted(set(years))
    parts = [page, org_code, ",".join(map(str, years)), code_fingerprint(),
             ",".join(catalogue_fingerprint(y) for y in years), area_stamp(path, years), ",".join(map(str, viewer))]
    return "area:" + hashlib.sha256("|".join(parts).encode()).hexdigest()
