"""Errors from services turned into pages: outside scope is a 404, a forbidden action a 403."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xiezuo.core.errors import NotFound, PermissionDenied


class XiezuoErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return render(request, "web/error.html", {"title": "未找到", "message": exception.message}, status=404)
        if isinstance(exception, PermissionDenied):
            return render(request, "web/error.html", {"title": "无权操作", "message": exception.message}, status=403)
        return None
