"""The table in and out of Excel: 附件1 as XLSX, the print view, a filled 附件1 uploaded, previewed, applied.

The preview is computed from the file and nothing is stored; confirming posts back the planned
changes signed by the server (with the version of every cell they were planned against), so the
confirmation applies exactly what was shown, or nothing when a cell changed in between.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from xiezuo.accounts.scope import Permission, can, org_for
from xiezuo.core.errors import InputError, InvalidValue
from xiezuo.submissions.locks import editable
from xiezuo.tables.exports import unit_table_xlsx
from xiezuo.tables.services import table_upload_apply
from xiezuo.tables.uploads import plan_upload
from xiezuo.web.area import is_area
from xiezuo.web.selectors import table_page
from xiezuo.web.views.common import acting_user, checked_year

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_SALT = "xiezuo.table-upload"
UPLOAD_LIMIT = 10 * 1024 * 1024


@login_required
def table_download(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The unit's 附件1 as XLSX (an area's is the roll-up: `area_xlsx`)."""
    org = org_for(request.user, code)
    checked_year(year)
    if is_area(org):
        return redirect("web:area_xlsx", org.code, year)
    buf = io.BytesIO()
    unit_table_xlsx(org, year, buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{org.name}{year}年统计表.xlsx')}"
    return response


@login_required
def table_print(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """附件1 as printed: 指标 | 单位 | value, A4 landscape, the header repeated on every page."""
    org = org_for(request.user, code)
    checked_year(year)
    if is_area(org):
        return redirect("web:table", org.code, year)
    page = table_page(org, year)
    return render(request, "web/table_print.html", {"page": page, "org": org, "year": year})


def _may_apply(request: HttpRequest, units: list[tuple[str, str]], year: int) -> bool:
    from xiezuo.orgunits.models import OrgUnit

    for unit in OrgUnit.objects.filter(code__in=[c for c, _ in units]):
        if not can(request.user, Permission.EDIT, unit) or not editable(request.user, unit, year):
            return False
    return bool(units)


@login_required
def table_upload(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = org_for(request.user, code)
    checked_year(year)
    context: dict[str, object] = {"org": org, "year": year, "plan": None, "errors": [], "area": is_area(org)}
    if request.method != "POST":
        return render(request, "web/table_upload.html", context)
    if request.POST.get("confirm"):
        return _confirm(request, org, year)
    upload = request.FILES.get("file")
    if upload is None:
        context["errors"] = ["请选择填好的附件1（.xlsx）文件"]
        return render(request, "web/table_upload.html", context, status=400)
    name = Path(upload.name or "upload.xlsx").name
    if upload.size and upload.size > UPLOAD_LIMIT:
        context["errors"] = [f"「{name}」超过 10 MB，不是附件1统计表"]
        return render(request, "web/table_upload.html", context, status=400)
    if Path(name).suffix.lower() != ".xlsx":
        context["errors"] = [f"「{name}」不是 .xlsx 文件：请在 Excel 中“另存为”Excel 工作簿（.xlsx）后上传"]
        return render(request, "web/table_upload.html", context, status=400)
    with tempfile.TemporaryDirectory(prefix="xiezuo-table-upload-") as folder:
        path = Path(folder) / "upload.xlsx"
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            plan = plan_upload(path=path, name=name, org=org, year=year)
        except InputError as exc:
            context["errors"] = [exc.full_message]
            return render(request, "web/table_upload.html", context, status=400)
    context.update({
        "plan": plan, "may_apply": _may_apply(request, plan.units, year),
        "token": signing.dumps({**plan.payload(), "org": org.code}, salt=UPLOAD_SALT, compress=True),
        "breaking": [(name, f) for name, f in plan.findings if f.severity == "error"],
        "warning": [(name, f) for name, f in plan.findings if f.severity != "error"],
    })
    return render(request, "web/table_upload.html", context)


def _confirm(request: HttpRequest, org: object, year: int) -> HttpResponse:
    from xiezuo.orgunits.models import OrgUnit

    assert isinstance(org, OrgUnit)
    try:
        payload = signing.loads(request.POST.get("token", ""), salt=UPLOAD_SALT, max_age=6 * 3600)
        if payload.get("org") != org.code or payload.get("year") != year:
            raise signing.BadSignature("other unit")
    except signing.BadSignature:
        messages.error(request, "确认信息已失效或不完整，请重新上传文件")
        return redirect("web:table_upload", org.code, year)
    try:
        if not payload["items"]:
            raise InvalidValue("文件与统计表相同，没有需要导入的修改")
        count = table_upload_apply(org=org, year=year, items=payload["items"], file=str(payload.get("file", "")),
                                   by=acting_user(request))
    except InputError as exc:
        messages.error(request, exc.message)
        return redirect("web:table_upload", org.code, year)
    messages.success(request, f"已从「{payload.get('file', '')}」导入 {count} 个数值")
    return redirect(reverse("web:table", args=[org.code, year]))
