"""A city's or province's own pages: its table (the roll-up of its units), XLSX, comparison, assessment."""

from __future__ import annotations

import io
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from xiezuo.accounts.scope import org_for
from xiezuo.assessment.selectors import assess
from xiezuo.catalogue.registry import available_years
from xiezuo.core.errors import InvalidValue, NotFound
from xiezuo.engine.compare import compare_values
from xiezuo.orgunits.models import OrgUnit
from xiezuo.rollup.selectors import area_table
from xiezuo.tables.exports import table_xlsx
from xiezuo.web.area import area_page, is_area
from xiezuo.web.pagecache import area_body_key, cached_body
from xiezuo.web.views.common import acting_user, checked_year

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _approved_only(request: HttpRequest) -> bool:
    return request.GET.get("units") == "approved"


def _area(request: HttpRequest, code: str, year: int) -> OrgUnit:
    org = org_for(request.user, code)
    checked_year(year)
    if not is_area(org):
        raise NotFound("县级单位没有下级单位的汇总、对比和考核页面")
    return org


def area_table_page(request: HttpRequest, org: OrgUnit, year: int) -> HttpResponse:
    """`/org/<city>/<year>/`: 指标 | 单位 | 合计 | one column per unit, read-only."""
    approved_only = _approved_only(request)

    def render_body(extra: dict[str, object]) -> str:
        page = area_page(org, year, approved_only=approved_only)
        return render_to_string("web/_area_table_body.html", {
            "page": page, "org": org, "year": year, "approved_only": approved_only,
            "in_background": page.table.covers > settings.XIEZUO_JOB_AREA_COUNTIES, **extra})

    key = area_body_key("area_table", org_code=org.code, path=org.path, years=(year,),
                        viewer=(approved_only, settings.XIEZUO_JOB_AREA_COUNTIES))
    return render(request, "web/area_table.html", {"org": org, "year": year,
                                                   "body": cached_body(request, key, render_body)})


@login_required
def area_xlsx(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = _area(request, code, year)
    table = area_table(org, year, approved_only=_approved_only(request))
    buf = io.BytesIO()
    table_xlsx(table.catalogue, table.export_columns(), buf, area_name=org.name)
    suffix = "（仅审核通过）" if table.approved_only else ""
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    filename = f"{org.name}{year}年统计表{suffix}.xlsx"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


EXPORTS = {"rollup": "逐级汇总表", "assessment": "考核评价结果"}


@login_required
def area_export(request: HttpRequest, code: str, year: int, what: str) -> HttpResponseBase:
    """The roll-up of every unit below the area, or its assessment, as XLSX. A small area's file is
    made in the request (GET); a large one's by an `area_export` job (POST: 后台生成), whose page shows
    the progress per area and per row and then offers the file."""
    import tempfile
    from pathlib import Path

    from xiezuo.rollup.exports import area_assessment_file, area_workbook_file, counties_of

    org = _area(request, code, year)
    if what not in EXPORTS:
        raise NotFound("没有这种导出")
    approved_only = _approved_only(request) or request.POST.get("units") == "approved"
    counties = counties_of(org, year)
    if request.method == "POST":
        from xiezuo.jobs.services import enqueue

        label = f"生成{org.name}{year}年{EXPORTS[what]}（XLSX，{counties} 个县{'，仅审核通过' if approved_only else ''}）"
        job = enqueue(kind="area_export", label=label, params={"what": what, "approved_only": approved_only},
                      by=acting_user(request), org_code=org.code, year=year)
        return redirect("jobs:job", job.pk)
    if counties > settings.XIEZUO_JOB_AREA_COUNTIES:
        raise InvalidValue(f"{org.name}有 {counties} 个县（市、区），{EXPORTS[what]}请点击「后台生成」，在后台任务中生成后下载")
    with tempfile.TemporaryDirectory(prefix="xiezuo-area-") as tmp:
        if what == "assessment":
            path, name, _ = area_assessment_file(org, year, Path(tmp))
        else:
            path, name, _ = area_workbook_file(org, year, Path(tmp), approved_only=approved_only)
        body = path.read_bytes()
    return FileResponse(io.BytesIO(body), as_attachment=True, filename=name, content_type=XLSX)


@login_required
def comparison(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The units of an area side by side on the key rows, this year against last."""
    org = _area(request, code, year)
    now = area_table(org, year)
    before = area_table(org, year - 1) if year - 1 in available_years() else None
    key_rows = [r for r in now.catalogue.value_rows if r.key and r.is_numeric]
    chosen = next((r for r in key_rows if r.code == request.GET.get("row")), key_rows[0] if key_rows else None)
    if chosen is None:
        raise NotFound(f"{year} 年度统计表没有重点指标")
    previous_columns = {u.code: u for u in before.units} if before is not None else {}
    lines = []
    for unit in now.units:
        prev = previous_columns.get(unit.code)
        compared = compare_values(before.catalogue if before else now.catalogue, prev.values if prev else {},
                                  now.catalogue, unit.values)
        line = next(x for x in compared if x.row.code == chosen.code)
        lines.append({
            "code": unit.code, "name": unit.name,
            "now": line.second, "before": line.first,
            "now_display": chosen.format(line.second) if line.second is not None else "—",
            "before_display": chosen.format(line.first) if line.first is not None else "—",
            "change": line.change, "percent": line.percent,
        })
    series = [
        {"name": f"{year - 1} 年", "data": [_num(x["before"]) for x in lines]},
        {"name": f"{year} 年", "data": [_num(x["now"]) for x in lines]},
    ]
    # A legend never shows a year with no data.
    chart = {"title": f"{chosen.label}（{chosen.unit}）", "units": [x["name"] for x in lines],
             "series": [s for s in series if any(v is not None for v in s["data"])]}
    return render(request, "web/comparison.html", {
        "org": org, "year": year, "rows": key_rows, "chosen": chosen, "lines": lines, "chart": chart,
    })


def _num(value: object) -> float | None:
    # For the chart only: ECharts draws numbers; every figure the page prints stays a Decimal.
    return float(value) if isinstance(value, Decimal) else None


@login_required
def assessment(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Each county's score, grade, rank and the points lost, by the scheme file."""
    org = _area(request, code, year)
    result = assess(org, year)
    chart = {"title": f"{org.name} {year} 年度考核得分", "units": [s.org_name for _, s in result.ranking],
             "series": [{"name": "得分", "data": [float(s.score) for _, s in result.ranking]}]}
    lines = [{"rank": rank, "s": score, "lost_points": sum((p.points for p in score.lost), Decimal(0)),
              "cls": result.class_of(score.org_code)}
             for rank, score in result.ranking]
    return render(request, "web/assessment.html", {
        "org": org, "year": year, "result": result, "chart": chart, "lines": lines,
        "in_background": len(result.ranking) > settings.XIEZUO_JOB_AREA_COUNTIES})
