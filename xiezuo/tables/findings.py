"""Running the catalogue's rules on stored tables (one unit or many)."""

from __future__ import annotations

from xiezuo.catalogue.registry import get_catalogue
from xiezuo.engine.validate import Finding, validate_units
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.selectors import values_for_many


def table_validate(org: OrgUnit, year: int) -> list[Finding]:
    catalogue = get_catalogue(year)
    current = values_for_many([org], year, catalogue)
    previous = values_for_many([org], year - 1, catalogue)
    return validate_units(catalogue, current, previous, levels={org.code: org.level})


def tables_validate(orgs: list[OrgUnit], year: int) -> list[Finding]:
    """All units in two queries (this year and last year), whatever their number."""
    catalogue = get_catalogue(year)
    return validate_units(
        catalogue, values_for_many(orgs, year, catalogue), values_for_many(orgs, year - 1, catalogue),
        levels={o.code: o.level for o in orgs},
    )
