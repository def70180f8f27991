"""An area's roll-up, year-over-year comparison and assessment; a unit's report (DOCX/PDF) and its audit;
the exchange package of an area's approved tables."""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.files import UploadedFile
from ninja.params import functions as param

from xiezuo.assessment.selectors import assess
from xiezuo.core.bounded import limits
from xiezuo.core.errors import InvalidValue, Location
from xiezuo.core.textcheck import shown
from xiezuo.rollup.selectors import area_table
from xiezuo.rollup.selectors import compare as compare_years

from ..common import CODE, PAGE, PAGE_SIZE_Q, YEAR, unit, unit_year
from ..schemas import ERRORS, Page, paged

router = Router(tags=["汇总、考核、报告"])

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(body: bytes, filename: str, content_type: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _binary(content_type: str) -> dict[str, Any]:
    schema = {"type": "object"} if content_type == "application/json" else {"type": "string", "format": "binary"}
    return {"responses": {200: {"description": "文件", "content": {content_type: {"schema": schema}}}}}


@router.get("/{code}/years/{year}/rollup", response={200: dict[str, Any], **ERRORS},
            summary="地区汇总（地区合计与每个直属单位；与 xiezuo rollup --format json 相同）")
def rollup(request: HttpRequest, code: str = CODE, year: int = YEAR,
           approved_only: bool = param.Query(False, description="只汇总填报已审核通过的县")) -> dict[str, Any]:
    return area_table(unit_year(request, code, year), year, approved_only=approved_only).as_dict()


@router.get("/{code}/comparison", response={200: dict[str, Any], **ERRORS},
            summary="两个年度逐行对比（与 xiezuo compare --format json 相同）")
def comparison(request: HttpRequest, code: str = CODE,
               first: int = param.Query(..., ge=1990, le=2100), second: int = param.Query(..., ge=1990, le=2100),
               approved_only: bool = False) -> dict[str, Any]:
    org = unit(request, code)
    result = compare_years(org, (first, second), approved_only=approved_only)
    data = result.as_dict()
    data["rows"] = [line.as_dict((first, second)) for line in result.lines]
    return data


@router.get("/{code}/years/{year}/assessment", response={200: dict[str, Any], **ERRORS},
            summary="考核评分与排名（示例方案；与 xiezuo assess --format json 相同）")
def assessment(request: HttpRequest, code: str = CODE, year: int = YEAR) -> dict[str, Any]:
    return assess(unit_year(request, code, year), year).as_dict()


@router.get("/{code}/years/{year}/report.docx", response={200: None, **ERRORS}, openapi_extra=_binary(DOCX_TYPE),
            summary="自评报告（GB/T 9704 DOCX）")
def report_docx(request: HttpRequest, code: str = CODE, year: int = YEAR) -> HttpResponse:
    from xiezuo.documents.reports import report_docx_bytes
    from xiezuo.documents.selectors import report_filename

    org = unit_year(request, code, year)
    return _download(report_docx_bytes(org, year), report_filename(org, year), DOCX_TYPE)


@router.get("/{code}/years/{year}/report.pdf", response={200: None, **ERRORS},
            openapi_extra=_binary("application/pdf"), summary="自评报告（PDF）")
def report_pdf(request: HttpRequest, code: str = CODE, year: int = YEAR) -> HttpResponse:
    from xiezuo.documents.reports import report_write
    from xiezuo.documents.selectors import report_filename

    org = unit_year(request, code, year)
    with tempfile.TemporaryDirectory(prefix="xiezuo-report-") as tmp:
        body = report_write(org, year, FilePath(tmp), pdf=True)[-1].read_bytes()
    return _download(body, report_filename(org, year, ".pdf"), "application/pdf")


@router.post("/{code}/years/{year}/audit", response={200: Page[dict[str, Any]], **ERRORS},
             summary="核查上传的报告（txt、docx、pdf）与统计表是否一致")
def audit(request: HttpRequest, report: UploadedFile = param.File(...), code: str = CODE, year: int = YEAR,  # noqa: B008
          page: int = PAGE, page_size: int = PAGE_SIZE_Q) -> dict[str, Any]:
    from xiezuo.audit.selectors import audit_context_for, audit_table_for
    from xiezuo.audit.views import ALLOWED, _audited

    org = unit_year(request, code, year)
    name = FilePath(report.name or "report.txt").name
    suffix = FilePath(name).suffix.lower()
    if suffix not in ALLOWED:
        raise InvalidValue("只能核查 txt、docx 或 pdf 文件", location=Location(file=shown(name, 80)))
    if report.size and report.size > limits().upload_bytes:
        raise InvalidValue("文件超过核查大小上限", location=Location(file=shown(name, 80)))
    values = audit_table_for(org, year)
    with tempfile.TemporaryDirectory(prefix="xiezuo-api-") as tmp:
        path = FilePath(tmp) / ("report" + suffix)
        with path.open("wb") as out:
            for chunk in report.chunks():
                out.write(chunk)
        result = _audited(path, name, year, values if any(v is not None for v in values.values()) else None,
                          audit_context_for(org, year), True)
    return paged([f.as_dict() for f in result.findings], page, page_size)


@router.get("/{code}/years/{year}/exchange", response={200: None, **ERRORS},
            openapi_extra=_binary("application/json"),
            summary="交换包：地区已审核通过的统计表（与 xiezuo exchange export 相同）")
def exchange(request: HttpRequest, code: str = CODE, year: int = YEAR) -> HttpResponse:
    from xiezuo.exchange.package import package_bytes, package_name

    org = unit_year(request, code, year)
    return _download(package_bytes(org, year), package_name(org, year), "application/json")
