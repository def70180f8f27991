"""The API object: routers per area, authentication, throttling, and one handler for every refusal.

Every refusal is JSON `{code, message, location: {file, sheet, row, column, value}}` with the HTTP
status of its error class (`xiezuo.core.errors`): 404 outside scope, 403 not allowed, 409 stale or
locked, 400 a bad value; 401 without a valid token, 413 too large, 422 a malformed request, 429
too many requests.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser

from xiezuo.core.errors import InvalidValue, Location, XiezuoError

from .auth import CallerRateThrottle, SessionCsrfAuth, TokenAuth
from .errors import error_body
from .errors import location_of as _location
from .routers import areas, catalogue, ledgers, orgs, submissions, tables

logger = logging.getLogger(__name__)

class JsonBody(Parser):
    """Bodies of JSON operations must be JSON: a form posted to one is refused (400), not half-read."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type != "application/json":
            raise InvalidValue(f"请求内容应为 JSON（Content-Type: application/json），收到「{request.content_type}」")
        try:
            return super().parse_body(request)
        except ValueError as exc:
            raise InvalidValue(f"请求内容不是有效的 JSON：{exc}") from exc


api = NinjaAPI(
    title="xiezuo 东西部协作统计接口",
    version="1",
    description="统计表、台账、报送审核、汇总与考核的接口。用个人访问令牌（`Authorization: Bearer xz_…`）"
                "或登录后的会话访问；权限与网页相同，范围外的单位返回 404。",
    urls_namespace="api",
    auth=[TokenAuth(), SessionCsrfAuth()],
    throttle=[CallerRateThrottle()],
    parser=JsonBody(),
)


def _answer(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


@api.exception_handler(XiezuoError)
def xiezuo_error(request: HttpRequest, exc: XiezuoError) -> HttpResponse:
    return _answer(request, exc.status, error_body(exc))


@api.exception_handler(ValidationError)
def malformed(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for e in exc.errors:
        where = ".".join(str(p) for p in e.get("loc", ()))
        errors.append({"code": "malformed", "message": f"{where}：{e.get('msg', '')}",
                       "location": _location(Location(column=where))})
    first = errors[0]["message"] if errors else ""
    return _answer(request, 422, {"code": "malformed", "message": f"请求格式不正确：{first}",
                                  "location": _location(None), "errors": errors})


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _answer(request, 401, {"code": "unauthorized", "message": "请使用有效的访问令牌（Authorization: Bearer …）或登录后访问",
                                  "location": _location(None)})


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = _answer(request, 429, {"code": "rate_limited", "message": "请求过于频繁，请稍后再试",
                                      "location": _location(None)})
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait) + 1)
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # CSRF failures of session calls and ninja's own refusals.
    message = "缺少或错误的 CSRF 令牌" if exc.status_code == 403 else str(exc.message)
    code = "csrf_failed" if exc.status_code == 403 else "http_error"
    return _answer(request, exc.status_code, {"code": code, "message": message, "location": _location(None)})


@api.exception_handler(RawPostDataException)
def form_to_json_operation(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    # A form or file upload sent to an operation that takes JSON: the form was read, the body is gone.
    return xiezuo_error(request, InvalidValue(
        f"请求内容应为 JSON（Content-Type: application/json），收到「{request.content_type}」"))


@api.exception_handler(DataError)
def data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    logger.error("database refused a value on %s", request.path, exc_info=exc)
    return xiezuo_error(request, InvalidValue("提交的数值或文字超出了数据库能保存的范围，未保存；请检查后重新填写"))


api.add_router("/catalogue", catalogue.router)
api.add_router("/orgs", orgs.router)
api.add_router("/orgs", tables.router)
api.add_router("/orgs", submissions.router)
api.add_router("/orgs", ledgers.router)
api.add_router("/orgs", areas.router)
