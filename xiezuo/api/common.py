"""What the routers share: path parameters, the unit in scope, the page parameters."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.params import functions as param

from xiezuo.accounts.scope import Permission, org_for
from xiezuo.catalogue.registry import available_years
from xiezuo.core.errors import NotFound
from xiezuo.orgunits.models import OrgUnit

from .auth import user_of
from .schemas import MAX_PAGE_SIZE, PAGE_SIZE

# Path parameters are constrained in the schema, so clients (and the fuzzer) see what is accepted.
CODE = param.Path(..., pattern=r"^[0-9]{6,12}$", description="行政区划代码（GB/T 2260），如 620422", example="620422")
YEAR = param.Path(..., ge=1990, le=2100, description="年度，如 2023", example=2023)
ROW = param.Path(..., pattern=r"^[a-z][a-z0-9_]{0,63}$", description="指标代码，如 labour_east", example="labour_east")
KIND = param.Path(..., pattern=r"^[a-z][a-z0-9_]{0,63}$", description="台账种类，如 labour_placements",
            example="labour_placements")
PAGE = param.Query(1, ge=1, le=1_000_000, description="页码，从 1 开始")
PAGE_SIZE_Q = param.Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数，最多 {MAX_PAGE_SIZE}")


def unit(request: HttpRequest, code: str, permission: Permission = Permission.VIEW) -> OrgUnit:
    """The org unit if the caller may act on it; a unit outside scope is 404, as on the pages."""
    return org_for(user_of(request), code, permission)


def unit_year(request: HttpRequest, code: str, year: int) -> OrgUnit:
    org = unit(request, code)
    if year not in available_years():
        raise NotFound(f"没有 {year} 年度的统计表")
    return org
