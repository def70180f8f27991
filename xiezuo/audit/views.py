"""The audit page: upload a report, see the text with the findings highlighted and listed beside it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xiezuo.accounts.scope import org_for, visible_orgs
from xiezuo.audit.audit import AuditResult, TableValues, audit_document
from xiezuo.audit.mapping import AuditContext
from xiezuo.audit.pages import annotated_pieces
from xiezuo.audit.reader import ReportUnreadable, read_report
from xiezuo.audit.selectors import audit_context_for, audit_table_for
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.bounded import limits
from xiezuo.core.errors import Location, XiezuoError
from xiezuo.core.heavy import run_limited
from xiezuo.core.textcheck import shown

ALLOWED = (".txt", ".docx", ".pdf")


def _read_and_audit(path: Path, name: str, year: int, table: TableValues | None, context: AuditContext,
                    use_attached: bool) -> AuditResult:
    """Read and audit one file: the heavy part of a request, run under `run_limited`."""
    document = read_report(path, name=name)
    return audit_document(document, catalogue=get_catalogue(year), table=table, context=context,
                          use_attached=use_attached)


def _audited(path: Path, name: str, year: int, table: TableValues | None, context: AuditContext,
             use_attached: bool) -> AuditResult:
    return run_limited(_read_and_audit, path, name, year, table, context, use_attached, what="报告核查")


def _render_result(request: HttpRequest, context: dict[str, object], result: AuditResult, name: str) -> HttpResponse:
    pieces, shown = annotated_pieces(result)
    context.update({"name": name, "pieces": pieces, "findings": shown,
                    "table_source": result.table_source,
                    "figures": len(result.extraction.figures),
                    "min_confidence": request.POST.get("min_confidence", request.GET.get("min_confidence", "0"))})
    return render(request, "audit/upload.html", context)


@login_required
def unit_report_audit(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The texts a unit wrote for its self-evaluation report, audited against its table.

    The report's 一、 paragraphs are drafted from the table and carry its figures by
    construction; what can contradict the table is what the county wrote itself: the opening,
    二、工作创新情况, 三、存在问题及意见建议 and the typical cases.
    """
    from xiezuo.documents.models import NarrativeSection
    from xiezuo.documents.selectors import document_texts, report_title

    org = org_for(request.user, code)
    texts = document_texts(org, year)
    parts = [report_title(org, year), texts.narrative_text(NarrativeSection.INTRO),
             "二、工作创新情况", texts.narrative_text(NarrativeSection.INNOVATION),
             "三、存在问题及意见建议", texts.narrative_text(NarrativeSection.PROBLEMS),
             *(f"{c.title}\n{c.text}" for c in texts.cases)]
    context: dict[str, object] = {"org": org, "year": year, "min_confidence": "0", "units": [org],
                                  "unit_report": True}
    name = f"{report_title(org, year)}（本单位撰写部分）"
    table, audit_context = audit_table_for(org, year), audit_context_for(org, year)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.txt"
        path.write_text("\n".join(p for p in parts if p.strip()), encoding="utf-8")
        try:
            result = _audited(path, name + ".txt", year, table, audit_context, False)
        except XiezuoError as exc:
            return render(request, "web/error.html", {"title": "无法核查", "message": exc.full_message}, status=400)
    return _render_result(request, context, result, name)


@login_required
def audit_page(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = org_for(request.user, code)
    # A reviewer audits the report of a county below it: offer the units in scope that file one.
    units = list(visible_orgs(request.user).filter(level="county").order_by("code").only("code", "name"))
    if org.level == "county" and all(u.code != org.code for u in units):
        units.insert(0, org)
    context: dict[str, object] = {"org": org, "year": year, "min_confidence": "0", "units": units}
    if request.method == "POST":
        if request.POST.get("unit") and request.POST["unit"] != org.code:
            org = org_for(request.user, request.POST["unit"])
            context["org"] = org
        upload = request.FILES.get("report")
        try:
            if upload is None:
                raise ReportUnreadable("请选择要核查的报告文件（txt、docx 或 pdf）")
            name = Path(upload.name or "report").name
            if Path(name).suffix.lower() not in ALLOWED:
                raise ReportUnreadable("只能核查 txt、docx 或 pdf 文件", location=Location(file=name))
            limit = limits().upload_bytes
            if upload.size and upload.size > limit:
                raise ReportUnreadable(f"文件大小 {upload.size / 1024 / 1024:.1f} MB，超过核查上限 "
                                       f"{limit / 1024 / 1024:g} MB", location=Location(file=shown(name, 80)))
            values = audit_table_for(org, year)
            audit_context = audit_context_for(org, year)
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / ("report" + Path(name).suffix.lower())
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                # No table entered yet for this unit: the report's own 附件1 is the next best thing.
                result = _audited(path, name, year, values if any(v is not None for v in values.values()) else None,
                                  audit_context, True)
        except XiezuoError as exc:
            context["error"] = exc.full_message
            return render(request, "audit/upload.html", context, status=400)
        return _render_result(request, context, result, name)
    return render(request, "audit/upload.html", context)
