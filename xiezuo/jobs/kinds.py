"""The long work that runs as jobs: a report's PDF, a large ledger import, every county's reports
of an area in one zip, an exchange package's import, a large area's workbooks, a province's or the
nation's duplicate scan. Each reads its parameters from the job, reports progress, and checks the
asker's rights again when it runs (the job may run long after it was asked for)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser

from xiezuo.accounts.scope import Permission, require
from xiezuo.core.actions import AlreadyApplied
from xiezuo.core.errors import NotFound
from xiezuo.jobs.models import Job
from xiezuo.jobs.runner import Outcome, Progress, job_kind, once_key
from xiezuo.orgunits.models import OrgUnit


def _asker(job: Job) -> AbstractBaseUser | None:
    if job.requested_by_id is None:
        return None  # the operator's CLI
    return get_user_model().objects.get(pk=job.requested_by_id)


def _org(job: Job, permission: Permission = Permission.VIEW) -> OrgUnit:
    org = OrgUnit.objects.filter(code=job.org_code).first()
    if org is None:
        raise NotFound(f"单位「{job.org_code}」已不存在")
    by = _asker(job)
    if by is not None:
        require(by, permission, org)
    return org


@job_kind("report_pdf")
def report_pdf(job: Job, progress: Progress, out: Path) -> Outcome:
    """The unit's self-evaluation report as PDF: draft the DOCX, then LibreOffice converts it."""
    from xiezuo.documents.gbt9704 import report_docx
    from xiezuo.documents.pdf import docx_to_pdf
    from xiezuo.documents.selectors import report_data, report_filename

    org = _org(job)
    year = int(job.year or 0)
    progress("起草报告（DOCX）", 0, 3, force=True)
    data = report_data(org, year)
    docx_path = out / "report.docx"
    report_docx(data.content, docx_path)
    progress("转换为 PDF（LibreOffice）", 1, 3, force=True)
    pdf = docx_to_pdf(docx_path, out)
    progress("保存结果", 2, 3, force=True)
    return Outcome(summary={"warnings": list(data.warnings)}, file=pdf, file_name=report_filename(org, year, ".pdf"))


@job_kind("area_reports")
def area_reports(job: Job, progress: Progress, out: Path) -> Outcome:
    """Every county's report below an area (a city's counties) as DOCX, and PDF if asked, in one zip."""
    from xiezuo.documents.gbt9704 import report_docx
    from xiezuo.documents.pdf import docx_to_pdf
    from xiezuo.documents.selectors import report_data, report_filename

    area = _org(job)
    year = int(job.year or 0)
    with_pdf = bool(job.params.get("pdf"))
    counties = list(OrgUnit.objects.filter(path__startswith=area.path, level="county").order_by("code"))
    archive = out / "reports.zip"
    steps = len(counties) * (2 if with_pdf else 1)
    done = 0
    warnings: list[str] = []
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for county in counties:
            progress(f"{county.name}：起草报告", done, steps, force=True)
            data = report_data(county, year)
            warnings.extend(f"{county.name}：{w}" for w in data.warnings)
            docx_path = out / f"{county.code}.docx"
            report_docx(data.content, docx_path)
            zf.write(docx_path, report_filename(county, year))
            done += 1
            if with_pdf:
                progress(f"{county.name}：转换为 PDF", done, steps, force=True)
                zf.write(docx_to_pdf(docx_path, out), report_filename(county, year, ".pdf"))
                done += 1
    return Outcome(summary={"counties": len(counties), "pdf": with_pdf, "warnings": warnings[:50]},
                   file=archive, file_name=f"{area.name}{year}年度各县自评报告.zip")


@job_kind("ledger_import")
def ledger_import(job: Job, progress: Progress, out: Path) -> Outcome:
    """A ledger file confirmed after its preview: read, checked cell by cell and stored all or
    nothing, once — under the job's once-key, a second run after a crash finds the import stored."""
    from xiezuo.core.errors import InputError
    from xiezuo.core.models import AppliedOnce
    from xiezuo.ledgers.services import import_summary
    from xiezuo.ledgers.services import ledger_import as import_file
    from xiezuo.web import staging

    org = _org(job, Permission.EDIT)
    p = job.params
    # Stored by an earlier run that died before it could say so: report that run's import.
    applied = AppliedOnce.objects.filter(key=once_key(job)).first()
    if applied is not None:
        return Outcome(summary={**applied.summary, "kind": p["kind"], "again": True})
    try:
        staged = staging.staged(str(p["staged"]))
    except FileNotFoundError:
        raise InputError("要导入的文件已不在服务器上（超过保存时间或已被清理），未导入。请重新上传。") from None
    progress("读取文件", 0, int(p.get("rows") or 0), force=True)
    try:
        result = import_file(
            kind=str(p["kind"]), path=staged, org=org, year=int(job.year or 0), by=_asker(job), mode=str(p["mode"]),
            name=str(p["name"]), expect_deleted=p.get("expect_deleted"), once_key=once_key(job),
            on_progress=lambda phase, n, total: progress(f"{phase}（{n}/{total} 行）", n, total))
        summary = import_summary(result)
    except AlreadyApplied as done:  # a run in another worker stored it first
        summary = {**done.summary, "again": True}
    staged.unlink(missing_ok=True)
    return Outcome(summary={**summary, "kind": p["kind"]})


@job_kind("exchange_import")
def exchange_import(job: Job, progress: Progress, out: Path) -> Outcome:
    """An exchange package uploaded by an administrator: read and checked again (checksum, format,
    template), then imported in one action under the job's once-key, with progress per table."""
    from xiezuo.core.errors import InputError
    from xiezuo.core.models import AppliedOnce
    from xiezuo.exchange.services import exchange_import as import_package
    from xiezuo.web import staging

    p = job.params
    applied = AppliedOnce.objects.filter(key=once_key(job)).first()
    if applied is not None:  # stored by a run that died before it could say so
        return Outcome(summary={**applied.summary, "again": True})
    try:
        staged = staging.staged(str(p["staged"]))
    except FileNotFoundError:
        raise InputError(f"交换包「{p['name']}」已不在服务器上（超过保存时间或已被清理），未导入。请重新上传。") from None
    progress("读取并校验交换包", 0, int(p.get("tables") or 0) + 2, force=True)
    try:
        result = import_package(path=staged, name=str(p["name"]), by=_asker(job), once_key=once_key(job),
                                on_progress=lambda phase, n, total: progress(phase, n, total))
        summary = {**result.__dict__, "file": p["name"], "tables": int(p.get("tables") or 0)}
    except AlreadyApplied as done:  # a run in another worker stored it first
        summary = {**done.summary, "again": True}
    staged.unlink(missing_ok=True)
    return Outcome(summary=summary)


@job_kind("area_export")
def area_export(job: Job, progress: Progress, out: Path) -> Outcome:
    """A large area's downloads: the roll-up workbook with every unit below it (province, city, county,
    each city followed by its counties), or the assessment of every county with each point lost."""
    from xiezuo.rollup.exports import area_assessment_file, area_workbook_file

    area = _org(job)
    year = int(job.year or 0)
    if job.params.get("what") == "assessment":
        path, name, summary = area_assessment_file(area, year, out, on_progress=progress)
    else:
        path, name, summary = area_workbook_file(area, year, out, approved_only=bool(job.params.get("approved_only")),
                                                 on_progress=progress)
    return Outcome(summary=summary, file=path, file_name=name)


@job_kind("duplicate_scan")
def duplicate_scan(job: Job, progress: Progress, out: Path) -> Outcome:
    """重新检查: people by keyed hash, enterprises and workshops by name, as the area sees them; the
    result is kept under the ledgers' stamp, where the area's pages find it."""
    from xiezuo.orgunits.models import Level
    from xiezuo.progress.duplicates import conflicts_scan, conflicts_viewer_check, open_count

    area = _org(job)
    by = _asker(job)
    if by is not None:
        conflicts_viewer_check(by)
    found = conflicts_scan(area if area.level != Level.NATION else None, int(job.year or 0), on_progress=progress)
    by_kind = {k: sum(1 for c in found if c.kind == k) for k in ("person", "enterprise", "workshop")}
    return Outcome(summary={"conflicts": len(found), "open": open_count(found), **by_kind})
