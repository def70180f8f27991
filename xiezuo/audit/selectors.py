"""Reads the audit needs from the database: the unit's table values and the names of both sides."""

from __future__ import annotations

from decimal import Decimal

from xiezuo.audit.mapping import AuditContext
from xiezuo.orgunits.models import OrgUnit


def audit_context_for(org: OrgUnit, year: int) -> AuditContext:
    """The western unit and its eastern partners (with their parents), as the report names them."""
    from xiezuo.orgunits.selectors import pairings_for

    west: list[str] = [org.name]
    east: list[str] = []
    for pairing in pairings_for(org, year).select_related("east__parent", "west__parent"):
        other = pairing.east if pairing.west_id == org.id else pairing.west
        names = east if other.side == "east" else west
        names.append(other.name)
        if other.parent is not None and other.parent.level != "nation":
            names.append(other.parent.name)
    if org.side == "east":
        west, east = east, west
    return AuditContext(year=year, west_names=tuple(west), east_names=tuple(east))


def audit_table_for(org: OrgUnit, year: int) -> dict[str, Decimal | str | None]:
    from xiezuo.tables.selectors import values_for

    return values_for(org, year)
