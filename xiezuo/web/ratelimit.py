"""Login rate limiting: failed attempts counted per account, per address and per both.

Three counters, each with its own threshold (settings, `XIEZUO_LOGIN_*`):
- one account from one address (LOGIN_MAX_FAILURES, 5): someone guessing one password;
- one account from anywhere (LOGIN_MAX_FAILURES_ACCOUNT, 20): guessing spread over addresses;
- one address for any account (LOGIN_MAX_FAILURES_ADDRESS, 100): a whole county office sits
  behind one NAT or proxy, so the address alone needs a high threshold or one typo-prone clerk
  would lock out every colleague.

The address is the real client's (`client_address`): behind a reverse proxy listed in
XIEZUO_TRUSTED_PROXIES the right-most X-Forwarded-For entry that is not itself a trusted proxy;
otherwise REMOTE_ADDR. Counters live in the `limits` cache (XIEZUO_LIMITS_CACHE_URL): a table in
the application's database by default, or Redis, so every gunicorn worker and every server counts
the same failures. A local-memory cache would let each worker process count on its own, and an
attacker five guesses per worker.

Counting is `incr` of a live counter, or `add` of a new one (the first failure opens a window of
LOGIN_LOCK_SECONDS), each atomic on its backend: Redis's INCR and SET NX; on the database
xiezuo.core.cache's row-locked increment and an insert that only one process can win. Neither
moves the window's end, so a lock ends LOGIN_LOCK_SECONDS after the first failure of the series.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest


@dataclass(frozen=True)
class Bucket:
    key: str
    limit: int


def _counters() -> BaseCache:
    return caches["limits"]


def _seconds() -> int:
    return int(getattr(settings, "LOGIN_LOCK_SECONDS", 15 * 60))


def lock_wait_text() -> str:
    """How long a locked-out account waits, as the refusal says it: 「15 分钟」, 「1 小时」, 「30 秒」."""
    seconds = _seconds()
    if seconds % 3600 == 0:
        return f"{seconds // 3600} 小时"
    if seconds >= 60:
        return f"{-(-seconds // 60)} 分钟"  # rounded up: never promise a shorter wait
    return f"{seconds} 秒"


def _buckets(username: str, address: str) -> list[Bucket]:
    user = username.strip().lower()[:150]
    return [
        Bucket(f"login-fail:pair:{user}:{address}", int(getattr(settings, "LOGIN_MAX_FAILURES", 5))),
        Bucket(f"login-fail:user:{user}", int(getattr(settings, "LOGIN_MAX_FAILURES_ACCOUNT", 20))),
        Bucket(f"login-fail:addr:{address}", int(getattr(settings, "LOGIN_MAX_FAILURES_ADDRESS", 100))),
    ]


def login_blocked(username: str, address: str) -> bool:
    buckets = _buckets(username, address)
    counts = _counters().get_many([b.key for b in buckets])  # one round trip for the three
    return any((counts.get(b.key) or 0) >= b.limit for b in buckets)


def login_failed(username: str, address: str) -> None:
    seconds = _seconds()
    counters = _counters()
    for bucket in _buckets(username, address):
        _count(counters, bucket.key, seconds)


def _count(counters: BaseCache, key: str, seconds: int) -> None:
    # incr first: after the first failure every later one is a single atomic step.
    try:
        if counters.incr(key) == 1:
            # Only Redis gets here: the key expired between the backend's EXISTS and INCR, and
            # INCR made a new one without expiry, which would lock the account for good.
            counters.touch(key, seconds)
        return
    except ValueError:  # no live counter
        pass
    if counters.add(key, 1, seconds):
        return
    try:
        counters.incr(key)  # another worker opened it a moment ago
    except ValueError:
        counters.set(key, 1, seconds)


def login_succeeded(username: str, address: str = "") -> None:
    """A good password clears its account's counters; the address keeps counting other accounts."""
    pair, account, _ = _buckets(username, address)
    _counters().delete_many([pair.key, account.key] if address else [account.key])


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    out = []
    for item in getattr(settings, "XIEZUO_TRUSTED_PROXIES", []):
        try:
            out.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return out


def _trusted(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the person at the keyboard, not of the proxy in front of the application."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    networks = _networks()
    if not networks or not _trusted(remote, networks):
        return remote or "unknown"
    # Each proxy appends the address it received from; read from the right and stop at the
    # first hop that is not one of ours: everything left of it could be forged by the client.
    hops = [h.strip() for h in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # garbage in the header: fall back to the proxy itself
    return hops[0] if hops else remote
