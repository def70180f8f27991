"""User errors from actions and selectors rendered once, for every kind of request.

Every `XiezuoError` carries its HTTP status (404 outside scope, 403 not allowed, 409 stale or
locked, 400 a bad value). A page gets the error page, an HTMX request a small fragment (swapped
into the page's message area), a JSON client `{"error": {code, message, file, row, column, value}}` (the API: its own shape, `xiezuo.api.errors`).
Views catch `InputError` only where they redisplay a form with the message beside it.

Request parameters with NUL or other control characters are refused before any view sees them:
PostgreSQL cannot store NUL, and a control character stored in a text makes the XLSX and DOCX
writers fail for everyone who downloads that unit's files afterwards. A value past what a
database column holds that no check caught is a 400 too (logged, so the check gets added).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from xiezuo.core.errors import InvalidValue, XiezuoError
from xiezuo.core.textcheck import control_problem, shown

logger = logging.getLogger(__name__)

TITLES = {404: "未找到", 403: "无权操作", 405: "请从页面上操作", 409: "操作未执行", 400: "输入有误"}


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept)


def error_response(request: HttpRequest, error: XiezuoError) -> HttpResponse:
    status = error.status
    if request.path.startswith("/api/"):
        from xiezuo.api.errors import error_body

        return JsonResponse(error_body(error), status=status, json_dumps_params={"ensure_ascii": False})
    if wants_json(request):
        return JsonResponse({"error": error.as_dict()}, status=status, json_dumps_params={"ensure_ascii": False})
    context = {"title": TITLES.get(status, "操作未执行"), "message": error.full_message, "status": status}
    if request.headers.get("HX-Request") == "true":
        response = render(request, "web/_error_fragment.html", context, status=status)
        # HTMX does not swap error responses by default: say where the message goes.
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "web/error.html", context, status=status)


class MethodNotAllowed(XiezuoError):
    code = "method_not_allowed"
    status = 405


class WriteGuardMiddleware:
    """With `XIEZUO_WRITE_GUARD` (the test settings), any domain write outside an action fails the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        if not getattr(settings, "XIEZUO_WRITE_GUARD", False):
            return self.get_response(request)
        from xiezuo.core.actions import writes_only_in_actions

        with writes_only_in_actions():
            return self.get_response(request)


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
        response = self.get_response(request)
        if response.status_code == 405 and request.method == "GET" and not response.content:
            # A form's address opened directly (a bookmark, a reload after posting): say what it is.
            return error_response(request, MethodNotAllowed(
                "这个地址用于提交表单（保存、删除、确认等），不能直接打开。请返回上一页，用页面上的按钮操作。"))
        return response

    def process_view(self, request: HttpRequest, view_func: object, view_args: object,
                     view_kwargs: object) -> HttpResponse | None:
        problem = _control_characters(request)
        return error_response(request, InvalidValue(problem)) if problem else None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, XiezuoError):
            return error_response(request, exception)
        if isinstance(exception, DataError):
            # Nothing was stored (the action's transaction rolled back).
            logger.error("database refused a value on %s", request.path, exc_info=exception)
            return error_response(request, InvalidValue("提交的数值或文字超出了数据库能保存的范围，未保存；请检查后重新填写"))
        return None


class SessionRefreshMiddleware:
    """Sliding session expiry without a session write on every request.

    The session's expiry counts from the last request (`SESSION_COOKIE_AGE`); saving it on every
    GET would cost three statements per page. Instead it is saved when it was last refreshed more
    than `XIEZUO_SESSION_REFRESH_SECONDS` ago (default 300), so the expiry slides in steps of at
    most that. Sits after Django's SessionMiddleware, which saves a session marked modified.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        from django.conf import settings

        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.modified:
            step = getattr(settings, "XIEZUO_SESSION_REFRESH_SECONDS", 300)
            now = int(time.time())
            if now - int(session.get("_refreshed", 0)) >= step:
                session["_refreshed"] = now
        return response
