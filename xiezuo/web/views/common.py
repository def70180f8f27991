"""Helpers the page modules share: the year in the URL, form parsing, the client address."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from xiezuo.core.errors import NotFound
from xiezuo.web.selectors import year_allowed


def checked_year(year: int) -> int:
    if not year_allowed(year):
        raise NotFound(f"没有 {year} 年度的统计表")
    return year


def posted_version(request: HttpRequest) -> int | None:
    """The version the form was rendered with; None when missing or garbled (treated as stale)."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def client_address(request: HttpRequest) -> str:
    from xiezuo.web.ratelimit import client_address as real_address

    return real_address(request)


def acting_user(request: HttpRequest) -> AbstractBaseUser:
    """The signed-in user (views using this are behind login_required)."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise NotFound("请先登录")
    return user


def admin_only(request: HttpRequest) -> None:
    """Administrators' pages do not exist for anyone else (404, as a page they may not see)."""
    from xiezuo.accounts.scope import is_admin

    if not is_admin(request.user):
        raise NotFound("页面不存在")
