"""The catalogue: template years, their rows and their rules."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from xiezuo.catalogue.registry import available_years, get_catalogue
from xiezuo.core.errors import NotFound

from ..common import PAGE, PAGE_SIZE_Q, YEAR
from ..schemas import ERRORS, Page, paged

router = Router(tags=["模板"])


class YearOut(Schema):
    year: int
    title: str
    rows: int
    rules: int


class RowOut(Schema):
    code: str
    label: str
    section: str
    kind: str
    unit: str | None
    value_kind: str
    places: int
    parent: str | None
    relation: str | None
    rollup: str
    key: bool


class RuleOut(Schema):
    id: str
    expr: str
    severity: str
    message: str
    levels: list[str]


def _year(year: int) -> int:
    if year not in available_years():
        raise NotFound(f"没有 {year} 年度的统计表模板")
    return year


@router.get("/years", response={200: Page[YearOut], **ERRORS}, summary="模板年度")
def years(request: HttpRequest, page: int = PAGE, page_size: int = PAGE_SIZE_Q) -> dict[str, Any]:
    out = []
    for y in available_years():
        cat = get_catalogue(y)
        out.append({"year": y, "title": cat.title, "rows": len(cat.rows), "rules": len(cat.rules)})
    return paged(out, page, page_size)


@router.get("/years/{year}/rows", response={200: Page[RowOut], **ERRORS}, summary="模板的指标行（按表序）")
def rows(request: HttpRequest, year: int = YEAR, page: int = PAGE, page_size: int = PAGE_SIZE_Q) -> dict[str, Any]:
    cat = get_catalogue(_year(year))
    out = [{"code": r.code, "label": r.label, "section": cat.by_code[r.section].label, "kind": r.kind,
            "unit": r.unit or None, "value_kind": r.value_kind, "places": r.places, "parent": r.parent,
            "relation": r.relation, "rollup": r.rollup, "key": r.key} for r in cat.rows]
    return paged(out, page, page_size)


@router.get("/years/{year}/rules", response={200: Page[RuleOut], **ERRORS}, summary="模板的校验规则")
def rules(request: HttpRequest, year: int = YEAR, page: int = PAGE, page_size: int = PAGE_SIZE_Q) -> dict[str, Any]:
    cat = get_catalogue(_year(year))
    out = [{"id": r.id, "expr": r.expr, "severity": r.severity, "message": r.message, "levels": list(r.levels)}
           for r in cat.rules]
    return paged(out, page, page_size)
