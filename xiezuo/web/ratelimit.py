"""Login rate limiting: a few failed attempts per account and per address, counted in the cache."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    return [f"login-fail:user:{username.strip().lower()}", f"login-fail:addr:{address}"]


def _limit() -> tuple[int, int]:
    return getattr(settings, "LOGIN_MAX_FAILURES", 5), getattr(settings, "LOGIN_LOCK_SECONDS", 15 * 60)


def login_blocked(username: str, address: str) -> bool:
    attempts, _ = _limit()
    return any((cache.get(key) or 0) >= attempts for key in _keys(username, address))


def login_failed(username: str, address: str) -> None:
    _, seconds = _limit()
    for key in _keys(username, address):
        if cache.add(key, 1, seconds):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, seconds)


def login_succeeded(username: str) -> None:
    cache.delete(_keys(username, "")[0])
