"""Reads of org units shared by views, the CLI and the engine."""

from __future__ import annotations

from django.db.models import QuerySet

from xiezuo.core.errors import NotFound
from xiezuo.orgunits.models import OrgUnit, Pairing


def orgunit_resolve(code_or_name: str) -> OrgUnit:
    """Find an org unit by its division code or its exact name (会宁县 or 620422)."""
    key = code_or_name.strip()
    unit = OrgUnit.objects.select_related("parent").filter(code=key).first()
    if unit is None:
        matches = list(OrgUnit.objects.select_related("parent").filter(name=key)[:2])
        if len(matches) > 1:
            raise NotFound(f"名称「{key}」对应多个行政区划，请改用区划代码")
        unit = matches[0] if matches else None
    if unit is None:
        raise NotFound(f"未找到行政区划「{key}」（请使用区划代码，如 620422，或全称，如 会宁县）")
    return unit


def pairings_for(unit: OrgUnit, year: int | None = None) -> QuerySet[Pairing]:
    qs = Pairing.objects.select_related("east", "west").filter(east=unit) | Pairing.objects.select_related(
        "east", "west"
    ).filter(west=unit)
    if year is not None:
        qs = qs.filter(start_year__lte=year).exclude(end_year__lt=year)
    return qs.order_by("east__code", "west__code")
