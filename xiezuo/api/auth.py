"""Who calls the API: a personal access token (`Authorization: Bearer xz_…`) or the signed-in session.

Either way the caller acts as its user, with the user's scope (`accounts.scope`). A read-only token
may only read; a revoked or expired token is 401. Session calls need Django's CSRF token on writes.
Before the body is read, a request larger than `XIEZUO_API_MAX_BODY_BYTES` is refused (413); after
authentication each token (or session user) may make `XIEZUO_API_RATE_PER_MINUTE` requests a minute
(django-ninja's throttling over Django's cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import SimpleRateThrottle

from xiezuo.accounts.models import ApiToken
from xiezuo.accounts.tokens import token_digest, token_touch
from xiezuo.core.errors import PermissionDenied, XiezuoError

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TooLarge(XiezuoError):
    code = "too_large"
    status = 413


class Unauthorized(XiezuoError):
    code = "unauthorized"
    status = 401


@dataclass(frozen=True)
class Caller:
    """The user a request acts as, and the token it came with (None for the session)."""

    user: AbstractBaseUser
    token: ApiToken | None = None

    def __str__(self) -> str:  # the throttle's cache key
        return f"token:{self.token.pk}" if self.token is not None else f"user:{self.user.pk}"


def _body_bounded(request: HttpRequest) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = int(settings.XIEZUO_API_MAX_BODY_BYTES)
    if length > limit:
        raise TooLarge(f"请求内容为 {length} 字节，超过上限 {limit} 字节，未处理")


def caller_of(request: HttpRequest) -> Caller:
    auth = getattr(request, "auth", None)
    if not isinstance(auth, Caller):  # the API's auth runs on every operation; this cannot happen
        raise Unauthorized("请使用访问令牌或登录后访问")
    return auth


def user_of(request: HttpRequest) -> AbstractBaseUser:
    return caller_of(request).user


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        _body_bounded(request)
        found = ApiToken.objects.select_related("user__profile__org").filter(digest=token_digest(token)).first()
        if found is None or found.revoked_at is not None or not found.user.is_active:
            raise Unauthorized("访问令牌无效或已吊销")
        if found.expires_at is not None and found.expires_at <= timezone.now():
            raise Unauthorized("访问令牌已过期")
        if found.read_only and request.method not in SAFE_METHODS:
            raise PermissionDenied("只读访问令牌不能修改数据")
        token_touch(token=found)
        return Caller(user=found.user, token=found)


class SessionCsrfAuth(APIKeyCookie):
    """The app's own pages: the session cookie, with Django's CSRF check on writes."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        _body_bounded(request)
        user: Any = request.user
        if user.is_authenticated:
            return Caller(user=user)
        return None


class CallerRateThrottle(SimpleRateThrottle):
    scope = "api"

    def __init__(self) -> None:
        super().__init__(f"{int(settings.XIEZUO_API_RATE_PER_MINUTE)}/m")

    def allow_request(self, request: HttpRequest) -> bool:
        # Read on every request, so a changed setting applies without rebuilding the API.
        self.num_requests, self.duration = int(settings.XIEZUO_API_RATE_PER_MINUTE), 60
        return bool(super().allow_request(request))

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": str(getattr(request, "auth", ""))}
