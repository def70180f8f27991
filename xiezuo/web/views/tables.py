"""The statistics table of one unit and year: read, edit a cell (HTMX), a row's history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiezuo.accounts.scope import Permission, can, org_for
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.errors import InputError, NotFound
from xiezuo.core.models import ChangeRecord
from xiezuo.submissions.locks import frozen_state
from xiezuo.tables.services import value_set
from xiezuo.web.area import is_area
from xiezuo.web.history import history_entries
from xiezuo.web.pagecache import body_key, cached_body
from xiezuo.web.selectors import row_history, table_page, table_row
from xiezuo.web.views.area import area_table_page
from xiezuo.web.views.common import acting_user, checked_year, posted_version


@login_required
def table(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = org_for(request.user, code)
    if is_area(org):
        # A city's or province's table is the roll-up of its units, on its own template.
        return area_table_page(request, org, checked_year(year))
    year = checked_year(year)
    may_edit = can(request.user, Permission.EDIT, org)
    # Reviewers and partners comment on single rows right here; the unit's own staff edit and reply instead.
    commenting = not may_edit and can(request.user, Permission.COMMENT, org)

    def render_body(extra: dict[str, object]) -> str:
        page = table_page(org, year)
        editable = not frozen_state(page.state) and may_edit
        return render_to_string("web/_table_body.html", {
            "page": page, "org": org, "year": year, "editable": editable, "commenting": commenting,
            "can_reply": may_edit, "u": row_urls(org.code, year), **extra,
        })

    # What the viewer may do is part of the key; the state (editable or frozen) is in the stamps.
    key = body_key("table", org_code=org.code, years=(year, year - 1), viewer=(may_edit, commenting))
    body = cached_body(request, key, render_body)
    return render(request, "web/table.html", {"org": org, "year": year, "body": body})


def row_urls(org_code: str, year: int) -> dict[str, str]:
    """The addresses a table row links to, built once per page: each row appends its code."""
    marker = "ROW-CODE"
    comment = reverse("web:submission_action", args=[org_code, year, "comment"])
    return {
        "cell": reverse("web:cell_save", args=[org_code, year, marker]).split(marker)[0],
        "row": reverse("web:history", args=[org_code, year, marker]).split(marker)[0],
        "comment": comment,
        "submission_action": comment.removesuffix("comment/"),
        "reconciliation": reverse("web:reconciliation", args=[org_code, year]),
    }


@require_POST
@login_required
def cell_save(request: HttpRequest, code: str, year: int, row_code: str) -> HttpResponse:
    org = org_for(request.user, code, Permission.EDIT)
    checked_year(year)
    if row_code not in get_catalogue(year).by_code:
        raise NotFound(f"{year} 年度统计表中没有指标「{row_code}」")
    error = ""
    saved = None
    version = posted_version(request)
    try:
        if version is None:
            error = "页面已过期，请刷新后再改"
        else:
            saved = value_set(org=org, year=year, code=row_code, raw=request.POST.get("value", ""),
                              by=acting_user(request), expected_version=version)
    except InputError as exc:
        error = exc.message
    if request.headers.get("HX-Request") != "true":
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "已保存")
        return redirect(reverse("web:table", args=[code, year]) + f"#row-{row_code}")
    row, findings, has_ledgers = table_row(org, year, row_code, error=error, saved=saved)
    # A fragment: rendered without the request, so the page's context processors (navigation, 待办)
    # are not run for it; its forms get this request's token.
    return HttpResponse(render_to_string("web/_cell_saved.html", {
        "csrf_token": get_token(request),
        "r": row, "org": org, "year": year, "editable": True, "ledgers": has_ledgers, "can_reply": True,
        "u": row_urls(org.code, year),
        "cols": 7 if has_ledgers else 6,
        "errors": [f for f in findings if f.severity == "error"],
        "warnings": [f for f in findings if f.severity == "warning"],
    }))


@login_required
def history(request: HttpRequest, code: str, year: int, row_code: str) -> HttpResponse:
    org = org_for(request.user, code)
    catalogue = get_catalogue(checked_year(year))
    row = catalogue.by_code.get(row_code)
    if row is None or not row.is_value:
        raise NotFound(f"{year} 年度统计表中没有指标「{row_code}」")
    entries = history_entries(row_history(org, year, row_code))
    return render(request, "web/history.html", {"org": org, "year": year, "row": row, "entries": entries})


HISTORY_AREAS = {"table": ("统计表", "tables."), "ledgers": ("台账", "ledgers."), "documents": ("自评报告", "documents."),
                 "submission": ("报送与审核", "submissions.")}


@login_required
def unit_history(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Every change to a unit's year — table, ledgers, report texts, submission — newest first."""
    org = org_for(request.user, code)
    checked_year(year)
    area = request.GET.get("area", "")
    records = ChangeRecord.objects.filter(org_code=org.code, year=year)
    if area in HISTORY_AREAS:
        records = records.filter(object_type__startswith=HISTORY_AREAS[area][1])
    page = Paginator(records.order_by("-at", "-id"), 100).get_page(request.GET.get("page"))
    return render(request, "web/unit_history.html", {
        "org": org, "year": year, "area": area, "areas": [(k, v[0]) for k, v in HISTORY_AREAS.items()],
        "page": page, "entries": history_entries(page.object_list),
    })
