"""佐证材料 pages: a unit-year's list with the upload form, download, removal."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiezuo.accounts.scope import Permission, org_for
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.errors import InputError
from xiezuo.evidence.models import Target
from xiezuo.evidence.selectors import evidence_for_user, evidence_of
from xiezuo.evidence.services import evidence_attach, evidence_open, evidence_remove, target_label
from xiezuo.evidence.sniff import ACCEPTED_WORDS
from xiezuo.submissions.locks import editable
from xiezuo.web.views.common import acting_user, checked_year


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


@login_required
def evidence_list(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = org_for(request.user, code)
    checked_year(year)
    source = request.POST if request.method == "POST" else request.GET
    kind, record, row = source.get("kind", ""), _int(source.get("record")), source.get("row", "")
    target = source.get("target", "")
    if target == "row-or-submission":  # the form's one choice: a table row, or the submission as a whole
        target = Target.ROW if row else Target.SUBMISSION
    target = target if target in Target.values else ""
    status, error = 200, ""
    if request.method == "POST":
        org = org_for(request.user, code, Permission.EDIT)
        upload = request.FILES.get("file")
        if upload is None:
            error, status = "请选择要上传的文件", 400
        else:
            with tempfile.TemporaryDirectory(prefix="xiezuo-evidence-") as folder:
                path = Path(folder) / "upload"
                with path.open("wb") as fh:
                    for chunk in upload.chunks():
                        fh.write(chunk)
                try:
                    ev = evidence_attach(org=org, year=year, target=target or Target.SUBMISSION, path=path,
                                         name=upload.name or "", ledger_kind=kind, record_id=record, row_code=row,
                                         note=request.POST.get("note", ""), by=acting_user(request))
                    messages.success(request, f"已上传佐证材料「{ev.name}」")
                    queries = {str(Target.RECORD): f"?target=record&kind={kind}&record={record}",
                               str(Target.ROW): f"?target=row&row={row}"}
                    query = queries.get(str(ev.target), "?target=submission")
                    return redirect(reverse("web:evidence", args=[org.code, year]) + query)
                except InputError as exc:
                    error, status = exc.full_message, 400
    files = evidence_of(org, year, target=target, ledger_kind=kind, record_id=record, row_code=row)
    return render(request, "web/evidence.html", {
        "org": org, "year": year, "files": [(ev, target_label(ev)) for ev in files[:500]], "error": error,
        "target": target, "kind": kind, "record": record, "row": row, "accepted": ACCEPTED_WORDS,
        "editable": editable(request.user, org, year),
        "value_rows": [r for r in get_catalogue(year).rows if r.is_value],
        "attach_to": _record_label(kind, record) if target == Target.RECORD else "",
    }, status=status)


def _record_label(kind: str, record: int | None) -> str:
    from xiezuo.ledgers.schema import BY_KIND

    ledger = BY_KIND.get(kind)
    return f"「{ledger.label}」记录 {record}" if ledger and record else "台账记录"


@login_required
def evidence_download(request: HttpRequest, code: str, year: int, pk: int) -> FileResponse:
    """Always an attachment, typed as sniffed at upload, never rendered by the browser."""
    ev = evidence_for_user(request.user, code, year, pk)
    response = FileResponse(evidence_open(ev), as_attachment=True, filename=ev.name, content_type=ev.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
@login_required
def evidence_delete(request: HttpRequest, code: str, year: int, pk: int) -> HttpResponse:
    org = org_for(request.user, code, Permission.EDIT)
    ev = evidence_for_user(request.user, code, year, pk)
    try:
        evidence_remove(pk=ev.pk, by=acting_user(request))
        messages.success(request, f"已删除佐证材料「{ev.name}」")
    except InputError as exc:
        messages.error(request, exc.message)
    return redirect("web:evidence", org.code, year)
