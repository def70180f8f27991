"""Ledger pages: list with search, filters and pages; create, edit, delete; template; import; history.

ID numbers are always masked on pages; the county's own staff can download them in full through
the ledger export (which records the download).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiezuo.accounts.scope import Permission, can, masked_name, org_for, sees_personal_names
from xiezuo.core.errors import ErrorReport, InputError, NotFound, PermissionDenied
from xiezuo.core.models import ChangeRecord
from xiezuo.ledgers import idcard
from xiezuo.ledgers.exports import ledger_export, ledger_template
from xiezuo.ledgers.models import LedgerRecord
from xiezuo.ledgers.reconciliation import reconciliation_for
from xiezuo.ledgers.schema import BY_KIND as LEDGER_KINDS
from xiezuo.ledgers.schema import LEDGERS, Column, Ledger, ledger_of
from xiezuo.ledgers.selectors import ledger_counts, ledger_records, record_display
from xiezuo.ledgers.services import (
    ImportMode,
    import_error_dicts,
    ledger_import,
    ledger_record_create,
    ledger_record_delete,
    ledger_record_update,
    model_of,
    reconciliation_accept,
    reconciliation_accept_many,
    reconciliation_keep,
)
from xiezuo.orgunits.models import Level, OrgUnit, Side
from xiezuo.submissions.locks import editable, frozen_state
from xiezuo.web import staging
from xiezuo.web.history import history_entries
from xiezuo.web.views.common import acting_user, checked_year, posted_version

PAGE_SIZE = 50
UPLOAD_LIMIT = 20 * 1024 * 1024


def _county(request: HttpRequest, code: str, year: int, action: Permission = Permission.VIEW) -> OrgUnit:
    org = org_for(request.user, code, action)
    checked_year(year)
    if org.level != Level.COUNTY or org.side != Side.WEST:
        raise NotFound(f"「{org.name}」没有台账：台账由西部县（市、区）填报")
    return org


def _editable(request: HttpRequest, org: OrgUnit, year: int) -> bool:
    return editable(request.user, org, year)


def _record(ledger: Ledger, org: OrgUnit, year: int, pk: int) -> LedgerRecord:
    obj = model_of(ledger)._default_manager.filter(pk=pk, org=org, year=year).first()
    if obj is None:
        raise NotFound(f"「{ledger.label}」中没有这条记录（可能已被删除）")
    return obj


@login_required
def ledgers_index(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = _county(request, code, year)
    counts = ledger_counts(org, year)
    items = [(ledger, counts.get(ledger.kind, 0)) for ledger in LEDGERS]
    return render(request, "web/ledgers/index.html", {
        "org": org, "year": year, "items": items, "editable": _editable(request, org, year),
        "can_reconcile": any(True for _ in reconciliation_for(org, year)),
    })


def _filters(request: HttpRequest, ledger: Ledger) -> dict[str, str]:
    return {c.name: request.GET[f"f_{c.name}"] for c in ledger.columns
            if c.type in ("code", "bool") and request.GET.get(f"f_{c.name}")}


def _personal(ledger: Ledger) -> bool:
    """Ledgers of people (those with ID numbers): their names are personal data."""
    return any(c.type == "idno" for c in ledger.columns) and "name" in ledger.by_name


@login_required
def ledger_list(request: HttpRequest, code: str, year: int, kind: str) -> HttpResponse:
    org = _county(request, code, year)
    ledger = ledger_of(kind)
    search = request.GET.get("q", "").strip()
    filters = _filters(request, ledger)
    try:
        records = ledger_records(kind, org, year, search=search, filters=filters)
    except InputError as exc:
        messages.error(request, exc.message)
        records = ledger_records(kind, org, year)
        filters = {}
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    columns = [*ledger.columns, *ledger.computed]
    rows = []
    hide_names = _personal(ledger) and not sees_personal_names(request.user)
    for obj in page.object_list:
        shown = record_display(ledger, obj)  # ID numbers masked
        if hide_names:
            shown["name"] = masked_name(str(shown.get("name") or ""))
        rows.append((obj, [(shown.get(c.name), c.numeric) for c in columns]))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/ledgers/list.html", {
        "org": org, "year": year, "ledger": ledger, "columns": columns, "rows": rows, "page": page,
        "search": search, "filters": filters, "query": query.urlencode(),
        "filter_columns": [
            (c, filters.get(c.name, ""), (("是", "是"), ("否", "否")) if c.type == "bool" else c.choices)
            for c in ledger.columns if c.type in ("code", "bool")
        ],
        "editable": _editable(request, org, year),
        "may_export_full": any(c.type == "idno" for c in ledger.columns) and can(request.user, Permission.REVEAL_PERSONAL, org),
    })


def _form_fields(ledger: Ledger, values: dict[str, Any]) -> list[tuple[Column, Any]]:
    return [(c, values.get(c.name)) for c in ledger.columns]


def _form_values(ledger: Ledger, obj: LedgerRecord) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in ledger.columns:
        value = getattr(obj, c.name)
        if c.type == "bool":
            value = "是" if value else ("否" if value is not None else "")
        elif c.type == "date" and value is not None:
            value = value.isoformat()
        elif c.type == "idno" and value:
            value = idcard.mask(value)  # never echoed in full; left as is, it keeps the stored number
        out[c.name] = "" if value is None else value
    return out


def _posted(ledger: Ledger, request: HttpRequest, obj: LedgerRecord | None = None) -> dict[str, object]:
    data: dict[str, object] = {c.name: request.POST.get(c.name, "") for c in ledger.columns}
    if obj is not None:
        for c in ledger.columns:
            # A masked ID number sent back unchanged means "keep the stored one".
            if c.type == "idno" and idcard.is_masked(str(data[c.name])) and data[c.name] == idcard.mask(getattr(obj, c.name) or ""):
                data[c.name] = getattr(obj, c.name)
    return data


def _render_form(request: HttpRequest, org: OrgUnit, year: int, ledger: Ledger, values: dict[str, Any], *,
                 obj: LedgerRecord | None = None, errors: list[dict[str, object]] | None = None,
                 status: int = 200) -> HttpResponse:
    return render(request, "web/ledgers/form.html", {
        "org": org, "year": year, "ledger": ledger, "fields": _form_fields(ledger, values), "obj": obj,
        "errors": errors or [], "locked": _locked_note(org, year),
    }, status=status)


def _locked_note(org: OrgUnit, year: int) -> str:
    """Said before the user types: the unit-year is held by the level above."""
    from xiezuo.submissions.locks import locked_message
    from xiezuo.submissions.models import Submission

    state = Submission.objects.filter(org=org, year=year).values_list("state", flat=True).first()
    return locked_message(org, year, state) if state and frozen_state(state) else ""


@login_required
def ledger_new(request: HttpRequest, code: str, year: int, kind: str) -> HttpResponse:
    org = _county(request, code, year, Permission.EDIT)
    ledger = ledger_of(kind)
    if request.method != "POST":
        return _render_form(request, org, year, ledger, {})
    data = _posted(ledger, request)
    try:
        ledger_record_create(kind=kind, org=org, year=year, data=data, by=acting_user(request))
    except ErrorReport as report:
        return _render_form(request, org, year, ledger, data, errors=import_error_dicts(report), status=400)
    except InputError as exc:
        return _render_form(request, org, year, ledger, data, errors=[{"reason": exc.full_message}], status=400)
    messages.success(request, f"已新增一条「{ledger.label}」记录")
    return redirect("web:ledger_list", org.code, year, kind)


@login_required
def ledger_edit(request: HttpRequest, code: str, year: int, kind: str, pk: int) -> HttpResponse:
    org = _county(request, code, year, Permission.EDIT)
    ledger = ledger_of(kind)
    obj = _record(ledger, org, year, pk)
    if request.method != "POST":
        return _render_form(request, org, year, ledger, _form_values(ledger, obj), obj=obj)
    data = _posted(ledger, request, obj)
    version = posted_version(request)
    try:
        ledger_record_update(kind=kind, pk=obj.pk, data=data, expected_version=version if version is not None else -1,
                             by=acting_user(request))
    except ErrorReport as report:
        return _render_form(request, org, year, ledger, data, obj=obj, errors=import_error_dicts(report), status=400)
    except InputError as exc:
        # A stale edit shows the record as it is now, with the message.
        current = _record(ledger, org, year, pk)
        return _render_form(request, org, year, ledger, _form_values(ledger, current), obj=current,
                            errors=[{"reason": exc.full_message}], status=409 if exc.code == "stale_edit" else 400)
    messages.success(request, f"已保存「{ledger.label}」记录")
    return redirect("web:ledger_list", org.code, year, kind)


@require_POST
@login_required
def ledger_delete(request: HttpRequest, code: str, year: int, kind: str, pk: int) -> HttpResponse:
    org = _county(request, code, year, Permission.EDIT)
    ledger = ledger_of(kind)
    obj = _record(ledger, org, year, pk)
    version = posted_version(request)
    try:
        ledger_record_delete(kind=kind, pk=obj.pk, expected_version=version if version is not None else -1,
                             by=acting_user(request))
        messages.success(request, f"已删除一条「{ledger.label}」记录")
    except InputError as exc:
        messages.error(request, exc.message)
    return redirect("web:ledger_list", org.code, year, kind)


def _xlsx_download(filename: str, write: Callable[[Path], object]) -> FileResponse:
    """A workbook `write` makes in a temporary folder, sent from memory: the folder is gone before the
    response leaves, so no download leaves files behind."""
    with tempfile.TemporaryDirectory(prefix="xiezuo-download-") as folder:
        path = Path(folder) / "download.xlsx"
        write(path)
        data = path.read_bytes()
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename)


@login_required
def ledger_template_download(request: HttpRequest, code: str, year: int, kind: str) -> FileResponse:
    org = _county(request, code, year)
    ledger = ledger_of(kind)
    return _xlsx_download(f"{org.name}{year}年{ledger.label}台账模板.xlsx",
                          lambda path: ledger_template(kind=kind, path=path))


@login_required
def ledger_download(request: HttpRequest, code: str, year: int, kind: str) -> FileResponse:
    """The county's ledger as XLSX, ID numbers masked (the CLI exports them in full for those allowed)."""
    org = _county(request, code, year)
    ledger = ledger_of(kind)
    if _personal(ledger) and not sees_personal_names(request.user):
        raise PermissionDenied(f"「{ledger.label}」台账含劳动力个人信息，东部协作方不能下载")
    by = acting_user(request)
    return _xlsx_download(f"{org.name}{year}年{ledger.label}台账.xlsx", lambda path: ledger_export(
        kind=kind, org=org, year=year, path=path, by=by, reveal_ids=False))


IMPORT_SALT = "xiezuo.ledger-import"


def _import_context(org: OrgUnit, year: int, ledger: Ledger, mode: str) -> dict[str, Any]:
    return {"org": org, "year": year, "ledger": ledger, "errors": [], "file": "", "mode": mode,
            "modes": [(m, ImportMode.LABELS[m]) for m in ImportMode.ALL], "preview": None,
            "stored": model_of(ledger)._default_manager.filter(org=org, year=year).count()}


@require_POST
@login_required
def ledger_download_full(request: HttpRequest, code: str, year: int, kind: str) -> HttpResponse | FileResponse:
    """Full ID numbers for offline work: the county's own staff, with a reason that is recorded."""
    org = _county(request, code, year, Permission.REVEAL_PERSONAL)
    ledger = ledger_of(kind)
    by = acting_user(request)
    reason = request.POST.get("reason", "")
    try:
        return _xlsx_download(f"{org.name}{year}年{ledger.label}台账（含个人信息）.xlsx", lambda path: ledger_export(
            kind=kind, org=org, year=year, path=path, by=by, reveal_ids=True, reason=reason))
    except InputError as exc:
        messages.error(request, exc.message)
        return redirect("web:ledger_list", org.code, year, kind)


@login_required
def ledger_import_page(request: HttpRequest, code: str, year: int, kind: str) -> HttpResponse:
    """Upload → preview (what will be added, changed, removed; nothing stored) → confirm.

    The default mode is 追加; a replacement is confirmed by stating the counts it will remove and
    add. The chosen mode is kept on every redisplay, errors included.
    """
    org = _county(request, code, year, Permission.EDIT)
    ledger = ledger_of(kind)
    mode = request.POST.get("mode", ImportMode.APPEND)
    if mode not in ImportMode.ALL:
        mode = ImportMode.APPEND
    context = _import_context(org, year, ledger, mode)
    if request.method != "POST":
        return render(request, "web/ledgers/import.html", context)
    if request.POST.get("token"):
        return _import_confirm(request, org, year, ledger, context)
    upload = request.FILES.get("file")
    if upload is None:
        context["errors"] = [{"reason": "请选择要导入的 .xlsx 或 .csv 文件"}]
        return render(request, "web/ledgers/import.html", context, status=400)
    if upload.size and upload.size > UPLOAD_LIMIT:
        context["errors"] = [{"reason": "文件超过 20 MB，请分批导入或使用命令行导入"}]
        return render(request, "web/ledgers/import.html", context, status=400)
    name = Path(upload.name or "upload.xlsx").name
    context["file"] = name
    staged = staging.stage(upload, suffix=Path(name).suffix.lower()[:8])
    try:
        result = ledger_import(kind=kind, path=staged, org=org, year=year, by=acting_user(request), mode=mode,
                               dry_run=True, name=name)
    except ErrorReport as report:
        staged.unlink(missing_ok=True)
        context["errors"] = import_error_dicts(report)
        return render(request, "web/ledgers/import.html", context, status=400)
    except InputError as exc:
        staged.unlink(missing_ok=True)
        context["errors"] = [{"reason": exc.full_message}]
        return render(request, "web/ledgers/import.html", context, status=400)
    context["preview"] = result
    context["token"] = signing.dumps({"staged": staged.name, "name": name, "mode": mode, "org": org.code,
                                      "year": year, "kind": kind, "user": request.user.pk,
                                      "deleted": result.deleted, "rows": result.rows}, salt=IMPORT_SALT)
    return render(request, "web/ledgers/import.html", context)


def _import_confirm(request: HttpRequest, org: OrgUnit, year: int, ledger: Ledger,
                    context: dict[str, Any]) -> HttpResponse:
    try:
        plan = signing.loads(request.POST.get("token", ""), salt=IMPORT_SALT, max_age=staging.MAX_AGE)
        if (plan["org"], plan["year"], plan["kind"], plan["user"]) != (org.code, year, ledger.kind, request.user.pk):
            raise signing.BadSignature("another import")
        staged = staging.staged(str(plan["staged"]))
    except (signing.BadSignature, KeyError, FileNotFoundError):
        context["errors"] = [{"reason": "预览已失效（超过有效时间或已导入），请重新选择文件"}]
        return render(request, "web/ledgers/import.html", context, status=400)
    mode, name = str(plan["mode"]), str(plan["name"])
    context.update({"mode": mode, "file": name})
    expect_deleted = None
    if mode == ImportMode.REPLACE:
        expected = f"{plan['deleted']}:{plan['rows']}"
        if request.POST.get("confirm_replace") != expected:
            context["errors"] = [{"reason": f"替换会删除现有 {plan['deleted']} 条记录并导入 {plan['rows']} 条："
                                            "请勾选确认后再导入"}]
            return render(request, "web/ledgers/import.html", context, status=400)
        expect_deleted = int(plan["deleted"])
    if int(plan["rows"]) > settings.XIEZUO_JOB_IMPORT_ROWS:
        # A large file is stored by a job in a worker process; its page shows the progress.
        from xiezuo.jobs.services import enqueue

        job = enqueue(kind="ledger_import", label=f"导入「{ledger.label}」台账：{name}（{plan['rows']} 行）",
                      params={"staged": staged.name, "name": name, "mode": mode, "kind": ledger.kind,
                              "rows": int(plan["rows"]), "expect_deleted": expect_deleted},
                      by=acting_user(request), org_code=org.code, year=year, total=int(plan["rows"]))
        return redirect("jobs:job", job.pk)
    try:
        result = ledger_import(kind=ledger.kind, path=staged, org=org, year=year, by=acting_user(request), mode=mode,
                               name=name, expect_deleted=expect_deleted)
    except ErrorReport as report:
        context["errors"] = import_error_dicts(report)
        return render(request, "web/ledgers/import.html", context, status=400)
    except InputError as exc:
        context["errors"] = [{"reason": exc.full_message}]
        return render(request, "web/ledgers/import.html", context, status=400)
    finally:
        staged.unlink(missing_ok=True)
    parts = [f"新增 {result.added} 条"]
    if result.updated or mode == ImportMode.UPDATE:
        parts.append(f"更新 {result.updated} 条")
    if result.deleted:
        parts.insert(0, f"删除原有 {result.deleted} 条")
    messages.success(request, f"已从「{name}」导入「{ledger.label}」：{'，'.join(parts)}")
    return redirect("web:ledger_list", org.code, year, ledger.kind)


@login_required
def ledger_record_history(request: HttpRequest, code: str, year: int, kind: str, pk: int) -> HttpResponse:
    org = _county(request, code, year)
    ledger = ledger_of(kind)
    records = ChangeRecord.objects.filter(object_type=f"ledgers.{kind}", object_key=str(pk), org_code=org.code)
    entries = history_entries(records.order_by("-at", "-id"))
    return render(request, "web/ledgers/history.html", {
        "org": org, "year": year, "ledger": ledger, "pk": pk, "entries": entries,
    })


@login_required
def reconciliation(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Entered beside derived; `?show=all` lists agreeing rows too (default: the rows that differ)."""
    org = _county(request, code, year)
    show_all = request.GET.get("show") == "all"
    lines = reconciliation_for(org, year)
    differing = [line for line in lines if line.derived is not None and not line.agrees]
    shown = lines if show_all else differing
    return render(request, "web/ledgers/reconciliation.html", {
        "org": org, "year": year, "lines": [(line, _ledger_label(line)) for line in shown],
        "editable": _editable(request, org, year), "show_all": show_all, "total": len(lines),
        "differing": len(differing),
    })


def _ledger_label(line: Any) -> tuple[str, str]:
    kind = (line.row.derive or {}).get("ledger", "")
    ledger = LEDGER_KINDS.get(kind)
    return kind, ledger.label if ledger else ""


def _back_to(request: HttpRequest, org: OrgUnit, year: int, anchor: str) -> HttpResponse:
    """The reconciliation page as the user left it: the same filter, scrolled to the row decided."""
    url = reverse("web:reconciliation", args=[org.code, year])
    if request.POST.get("show") == "all":
        url += "?show=all"
    return redirect(url + (f"#recon-{anchor}" if anchor else ""))


@require_POST
@login_required
def reconciliation_decide(request: HttpRequest, code: str, year: int, row_code: str) -> HttpResponse:
    org = _county(request, code, year, Permission.EDIT)
    try:
        if request.POST.get("decision") == "accept":
            version = posted_version(request)
            reconciliation_accept(org=org, year=year, code=row_code, by=acting_user(request), expected_version=version)
            messages.success(request, "已采用台账生成值")
        else:
            reconciliation_keep(org=org, year=year, code=row_code, reason=request.POST.get("reason", ""),
                                by=acting_user(request))
            messages.success(request, "已保留填报值并记录理由")
    except InputError as exc:
        messages.error(request, exc.message)
    return _back_to(request, org, year, row_code)


@require_POST
@login_required
def reconciliation_accept_selected(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = _county(request, code, year, Permission.EDIT)
    codes = request.POST.getlist("code")
    try:
        n = reconciliation_accept_many(org=org, year=year, codes=codes, by=acting_user(request))
        messages.success(request, f"已对所选 {n} 个指标采用台账生成值")
    except InputError as exc:
        messages.error(request, exc.message)
    return _back_to(request, org, year, codes[0] if codes else "")
