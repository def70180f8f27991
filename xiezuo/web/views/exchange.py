"""The exchange package for administrators: upload one to import (checked at once, imported by a job), or
download an area's approved tables as one.

The upload is staged (`web.staging`) and checked in the request — UTF-8, complete JSON, format and
version, checksum, canonical bytes, template — so a bad file is refused on the page with its name and
what is wrong; a good one is imported by the `exchange_import` job, whose page shows the progress.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from xiezuo.core.errors import InputError, InvalidValue
from xiezuo.exchange.services import exchange_read
from xiezuo.orgunits.models import OrgUnit
from xiezuo.web import staging
from xiezuo.web.views.common import acting_user, admin_only


def _context(**extra: object) -> dict[str, object]:
    return {"limit_mb": settings.XIEZUO_EXCHANGE_UPLOAD_MB, **extra}


@login_required
def exchange_page(request: HttpRequest) -> HttpResponse:
    """GET: the upload form and the export form; POST: a package to import."""
    admin_only(request)
    if request.method != "POST":
        return render(request, "web/manage/exchange.html", _context())
    upload = request.FILES.get("file")
    if upload is None:
        return render(request, "web/manage/exchange.html", _context(error="请选择要导入的交换包文件（.json）"),
                      status=400)
    name = Path(upload.name or "exchange.json").name
    if upload.size and upload.size > settings.XIEZUO_EXCHANGE_UPLOAD_MB * 1024 * 1024:
        return render(request, "web/manage/exchange.html", _context(
            error=f"文件「{name}」超过 {settings.XIEZUO_EXCHANGE_UPLOAD_MB} MB，请用命令行导入"
                  "（xiezuo exchange import 文件）"), status=400)
    staged = staging.stage(upload, suffix=".json")
    try:
        package = exchange_read(path=staged, name=name)
    except InputError as exc:
        staged.unlink(missing_ok=True)
        return render(request, "web/manage/exchange.html", _context(error=exc.full_message), status=400)
    from xiezuo.jobs.services import enqueue

    m = package.manifest
    tables = len(package.data["tables"])
    job = enqueue(kind="exchange_import",
                  label=f"导入交换包「{name}」：{m['org']['name']}{m['year']}年，{tables} 张统计表",
                  params={"staged": staged.name, "name": name, "tables": tables},
                  by=acting_user(request), org_code=str(m["org"]["code"]), year=int(m["year"]), total=tables + 2)
    return redirect("jobs:job", job.pk)


@login_required
def exchange_export(request: HttpRequest) -> HttpResponse:
    """An area's approved tables of a year as an exchange package (the same as `xiezuo exchange export`)."""
    from xiezuo.exchange.package import package_bytes, package_name

    admin_only(request)
    code, year_text = request.GET.get("org", "").strip(), request.GET.get("year", "").strip()
    try:
        org = OrgUnit.objects.filter(code=code).first()
        if org is None:
            raise InvalidValue(f"单位代码「{code}」不存在")
        if not (year_text.isdigit() and len(year_text) == 4):
            raise InvalidValue(f"年度应为四位数字，不能是「{year_text}」")
        body = package_bytes(org, int(year_text))
    except InputError as exc:
        return render(request, "web/manage/exchange.html", _context(export_error=exc.full_message), status=400)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(package_name(org, int(year_text)))}"
    return response
