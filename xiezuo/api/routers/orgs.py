"""Org units in the caller's scope and their pairings."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.params import functions as param

from xiezuo.accounts.scope import visible_orgs
from xiezuo.orgunits.models import Pairing

from ..auth import user_of
from ..common import CODE, PAGE, PAGE_SIZE_Q, unit
from ..schemas import ERRORS, Page, paged

router = Router(tags=["行政区划"])


class OrgOut(Schema):
    code: str
    name: str
    level: str
    side: str
    parent: str | None


class PairingOut(Schema):
    east: OrgOut
    west: OrgOut
    kind: str
    start_year: int
    end_year: int | None


def org_out(o: Any) -> dict[str, Any]:
    return {"code": o.code, "name": o.name, "level": o.level, "side": o.side,
            "parent": o.parent.code if o.parent_id else None}


@router.get("", response={200: Page[OrgOut], **ERRORS}, summary="可见的行政区划")
def orgs(request: HttpRequest, parent: str = param.Query("", pattern=r"^([0-9]{6,12})?$", description="只列此单位的直属下级"),
         level: str = param.Query("", pattern=r"^(|nation|province|city|county)$"),
         page: int = PAGE, page_size: int = PAGE_SIZE_Q) -> dict[str, Any]:
    qs = visible_orgs(user_of(request)).select_related("parent").order_by("code")
    if parent:
        qs = qs.filter(parent__code=parent)
    if level:
        qs = qs.filter(level=level)
    result = paged(qs, page, page_size)
    result["items"] = [org_out(o) for o in result["items"]]
    return result


@router.get("/{code}", response={200: OrgOut, **ERRORS}, summary="一个行政区划")
def org(request: HttpRequest, code: str = CODE) -> dict[str, Any]:
    return org_out(unit(request, code))


@router.get("/{code}/pairings", response={200: Page[PairingOut], **ERRORS}, summary="结对关系")
def pairings(request: HttpRequest, code: str = CODE, page: int = PAGE, page_size: int = PAGE_SIZE_Q) -> dict[str, Any]:
    org = unit(request, code)
    qs = Pairing.objects.filter(Q(east=org) | Q(west=org)).select_related(
        "east__parent", "west__parent").order_by("east__code", "west__code", "kind", "start_year")
    result = paged(qs, page, page_size)
    result["items"] = [{"east": org_out(p.east), "west": org_out(p.west), "kind": p.kind, "start_year": p.start_year,
                        "end_year": p.end_year} for p in result["items"]]
    return result
