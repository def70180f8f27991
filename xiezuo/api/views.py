"""The page where a user creates and revokes personal access tokens (shown once, stored hashed)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from xiezuo.accounts.models import ApiToken
from xiezuo.accounts.tokens import token_create, token_revoke
from xiezuo.core.errors import InputError, InvalidValue, Location, NotFound
from xiezuo.web.views.common import acting_user


def _expiry(raw: str) -> dt.datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidValue("有效期应为日期，如 2024-12-31", location=Location(column="有效期至", value=raw[:20])) from exc
    # Valid through the whole day named, in the deployment's time zone.
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _page(request: HttpRequest, *, created: str = "", status: int = 200) -> HttpResponse:
    tokens = ApiToken.objects.filter(user_id=acting_user(request).pk).order_by("-created_at", "-id")
    return render(request, "api/tokens.html", {"tokens": tokens, "created": created, "now": timezone.now(),
                                               "form": request.POST if status != 200 else {}}, status=status)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        post = request.POST
        try:
            made = token_create(by=acting_user(request), name=post.get("name", ""),
                                read_only=post.get("read_only") == "on", expires_at=_expiry(post.get("expires", "")))
        except InputError as exc:
            messages.error(request, exc.full_message)
            return _page(request, status=400)
        # Shown on this response only: the page is not cached and the secret is never stored.
        response = _page(request, created=made.secret)
        response["Cache-Control"] = "no-store"
        return response
    return _page(request)


@login_required
def token_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user_id=acting_user(request).pk).first()
    if token is None:
        raise NotFound("未找到该访问令牌")
    if request.method == "POST":
        token_revoke(by=acting_user(request), token_id=token.pk)
        messages.success(request, f"已吊销访问令牌「{token.name}」，使用它的程序将无法再访问")
        return redirect("api_tokens")
    return render(request, "api/token_revoke.html", {"token": token})
