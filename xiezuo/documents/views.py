"""The report's page: edit the texts the user writes, see the drafted 一、, download DOCX and PDF."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiezuo.accounts.scope import Permission, can, org_for
from xiezuo.core.errors import InputError, InvalidValue, Location, StaleEdit
from xiezuo.documents.models import NarrativeSection
from xiezuo.documents.reports import report_docx_bytes
from xiezuo.documents.selectors import report_data, report_filename
from xiezuo.documents.services import (
    cover_letter_save,
    drafted_paragraph_save,
    narrative_save,
    typical_case_remove,
    typical_case_save,
)
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.locks import frozen

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _user(request: HttpRequest) -> AbstractBaseUser | None:
    # Every writing view is behind login_required, so the user is a real account.
    return cast(AbstractBaseUser, request.user) if request.user.is_authenticated else None


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _back(code: str, year: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("documents:report", args=[code, year]) + (f"#{anchor}" if anchor else ""))


def _page(request: HttpRequest, org: OrgUnit, year: int, *, kept: dict[str, str] | None = None,
          status: int = 200) -> HttpResponse:
    data = report_data(org, year)
    # The unit's own report: its county clerk or lead, or for a city or province its reviewer.
    editable = can(request.user, Permission.WRITE_REPORT, org) and not frozen(org, year)
    texts = data.texts
    narratives = [
        (s.value, s.label, texts.narrative_text(s.value), texts.narrative_version(s.value)) for s in NarrativeSection
    ]
    kept = kept or {}
    # Each drafted paragraph with what its editor shows: the text with bound figures in 【】, or
    # what the user typed when a save of it was just refused.
    drafted = [
        (part, [(p, kept.get(p.key, p.editable_text), texts.paragraph_version(p.key)) for p in part.paragraphs])
        for part in data.draft.parts
    ]
    return render(request, "documents/report.html", {
        "org": org, "year": year, "data": data, "cover": data.content.cover,
        "cover_version": texts.cover.version if texts.cover else 0, "narratives": narratives,
        "cases": texts.cases, "editable": editable, "filename": report_filename(org, year), "drafted": drafted,
    }, status=status)


@login_required
def report(request: HttpRequest, code: str, year: int) -> HttpResponse:
    return _page(request, org_for(request.user, code), year)


@require_POST
@login_required
def drafted_save(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Save the user's version of a drafted paragraph; a refused save shows the page again with the typed text."""
    org = org_for(request.user, code, Permission.WRITE_REPORT)
    key, text = request.POST.get("key", ""), request.POST.get("text", "")
    try:
        drafted_paragraph_save(org=org, year=year, key=key, text=text, by=_user(request),
                               expected_version=_version(request))
    except InputError as exc:
        messages.error(request, exc.full_message)
        return _page(request, org, year, kept={key: text}, status=409 if isinstance(exc, StaleEdit) else 400)
    messages.success(request, "已保存")
    return _back(code, year, "drafted")


@login_required
def report_docx(request: HttpRequest, code: str, year: int) -> FileResponse:
    org = org_for(request.user, code)
    return FileResponse(
        io.BytesIO(report_docx_bytes(org, year)), as_attachment=True, filename=report_filename(org, year),
        content_type=DOCX_TYPE,
    )


@require_POST
@login_required
def report_pdf(request: HttpRequest, code: str, year: int) -> HttpResponseBase:
    """LibreOffice takes seconds: the PDF is made by a job, and its page offers the file."""
    from xiezuo.jobs.services import enqueue

    org = org_for(request.user, code)
    job = enqueue(kind="report_pdf", label=f"生成 PDF：{report_filename(org, year, '.pdf')}", params={},
                  by=_user(request), org_code=org.code, year=year, total=3)
    return redirect("jobs:job", job.pk)


@require_POST
@login_required
def area_reports(request: HttpRequest, code: str, year: int) -> HttpResponseBase:
    """A city's (or province's) every county report in one zip, made by a job."""
    from xiezuo.jobs.services import enqueue
    from xiezuo.orgunits.models import Level

    org = org_for(request.user, code)
    if org.level == Level.COUNTY:
        raise InvalidValue("县级单位请在本单位的报告页下载报告")
    with_pdf = request.POST.get("pdf") == "1"
    counties = OrgUnit.objects.filter(path__startswith=org.path, level=Level.COUNTY).count()
    job = enqueue(kind="area_reports", label=f"生成{org.name}{year}年度各县自评报告（{counties} 个{'，含 PDF' if with_pdf else ''}）",
                  params={"pdf": with_pdf}, by=_user(request), org_code=org.code, year=year,
                  total=counties * (2 if with_pdf else 1))
    return redirect("jobs:job", job.pk)


def _saved(request: HttpRequest, action: Callable[[], object]) -> None:
    try:
        action()
    except InputError as exc:
        messages.error(request, exc.full_message)
    else:
        messages.success(request, "已保存")


@require_POST
@login_required
def cover_save(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = org_for(request.user, code, Permission.WRITE_REPORT)
    p = request.POST

    def save() -> None:
        try:
            signed_on = dt.date.fromisoformat(p.get("signed_on", ""))
        except ValueError:
            raise InvalidValue("成文日期应为日期，如 2023-11-20",
                               location=Location(column="成文日期", value=p.get("signed_on"))) from None
        printed_raw = p.get("printed_on", "").strip()
        try:
            printed_on = dt.date.fromisoformat(printed_raw) if printed_raw else None
        except ValueError:
            raise InvalidValue("印发日期应为日期，如 2023-11-20",
                               location=Location(column="印发日期", value=printed_raw)) from None
        cover_letter_save(
            org=org, year=year, by=_user(request), expected_version=_version(request),
            issuer_mark=p.get("issuer_mark", ""), doc_number=p.get("doc_number", ""), title=p.get("title", ""),
            recipient=p.get("recipient", ""), body=p.get("body", ""), signatory=p.get("signatory", ""),
            signed_on=signed_on, signer=p.get("signer", ""), copies_to=p.get("copies_to", ""),
            printed_by=p.get("printed_by", ""), printed_on=printed_on,
        )

    _saved(request, save)
    return _back(code, year, "cover")


@require_POST
@login_required
def narrative(request: HttpRequest, code: str, year: int, section: str) -> HttpResponse:
    org = org_for(request.user, code, Permission.WRITE_REPORT)
    _saved(request, lambda: narrative_save(
        org=org, year=year, section=section, text=request.POST.get("text", ""), by=_user(request),
        expected_version=_version(request),
    ))
    return _back(code, year, section)


@require_POST
@login_required
def case_save(request: HttpRequest, code: str, year: int, number: int | None = None) -> HttpResponse:
    org = org_for(request.user, code, Permission.WRITE_REPORT)
    _saved(request, lambda: typical_case_save(
        org=org, year=year, number=number, title=request.POST.get("title", ""),
        text=request.POST.get("text", ""), by=_user(request), expected_version=_version(request),
    ))
    return _back(code, year, "cases")


@require_POST
@login_required
def case_remove(request: HttpRequest, code: str, year: int, number: int) -> HttpResponse:
    org = org_for(request.user, code, Permission.WRITE_REPORT)
    _saved(request, lambda: typical_case_remove(
        org=org, year=year, number=number, by=_user(request), expected_version=_version(request),
    ))
    return _back(code, year, "cases")
