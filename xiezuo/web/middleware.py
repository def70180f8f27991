"""Errors from services turned into pages: outside scope is a 404, a forbidden action a 403, any
other mistake a user can make a 400 with its Chinese message — never a 500.

Request parameters with NUL or other control characters are refused before any view sees them:
PostgreSQL cannot store NUL, and a control character stored in a text makes the XLSX and DOCX
writers fail for everyone who downloads that unit's files afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xiezuo.core.errors import ErrorReport, NotFound, PermissionDenied, XiezuoError
from xiezuo.core.textcheck import control_problem, shown

logger = logging.getLogger(__name__)


def _bad_request(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "web/error.html", {"title": "无法处理", "message": message}, status=status)


def _control_characters(request: HttpRequest) -> str | None:
    for where, params in (("地址参数", request.GET), ("表单", request.POST)):
        for key, values in params.lists():
            if control_problem(key):
                return f"{where}的字段名{control_problem(key)}"
            for value in values:
                problem = control_problem(value)
                if problem:
                    return f"{where}字段「{shown(key, 40)}」{problem}"
    return None


class XiezuoErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: object, view_args: object,
                     view_kwargs: object) -> HttpResponse | None:
        problem = _control_characters(request)
        return _bad_request(request, problem) if problem else None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return render(request, "web/error.html", {"title": "未找到", "message": exception.message}, status=404)
        if isinstance(exception, PermissionDenied):
            return render(request, "web/error.html", {"title": "无权操作", "message": exception.message}, status=403)
        if isinstance(exception, XiezuoError):
            return _bad_request(request, exception.full_message)
        if isinstance(exception, ErrorReport):
            return _bad_request(request, str(exception))
        if isinstance(exception, DataError):
            # A value past what the database column holds that no check caught: nothing was stored
            # (the request's transaction rolled back); logged so the missing check gets added.
            logger.error("database refused a value on %s", request.path, exc_info=exception)
            return _bad_request(request, "提交的数值或文字超出了数据库能保存的范围，未保存；请检查后重新填写")
        return None
