"""The eastern partner's dashboard: its paired counties with the cooperation's money, people, projects
and sales (from those counties' tables, as the roll-up reads them) and the kinds of pairing recorded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from xiezuo.orgunits.models import OrgUnit, Pairing, PairingKind
from xiezuo.rollup.selectors import CellValue, area_table

# What the partner follows first: money, people, projects, sales (row codes of the template).
PARTNER_ROWS = ("funds_allocated", "labour_east", "projects_started", "consumption_sales")


@dataclass(frozen=True)
class PairedCounty:
    code: str
    name: str
    figures: list[str]  # one per PARTNER_ROWS entry, formatted with its unit
    kinds: list[str]  # the pairing kinds recorded with this county, in force in the year


@dataclass(frozen=True)
class PartnerPage:
    headers: list[str]
    counties: list[PairedCounty]
    totals: list[str]


def partner_page(org: OrgUnit, year: int) -> PartnerPage:
    """A fixed number of queries: the roll-up along the pairings, plus one for the pairings' kinds."""
    table = area_table(org, year)
    rows = [table.catalogue.by_code[c] for c in PARTNER_ROWS if c in table.catalogue.by_code]
    kinds: dict[str, set[str]] = {}
    pairings = Pairing.objects.filter(east__path__startswith=org.path, start_year__lte=year).exclude(
        end_year__lt=year).values_list("west__code", "kind")
    for west, kind in pairings:
        kinds.setdefault(west, set()).add(kind)
    labels = dict(PairingKind.choices)

    def shown(values: Mapping[str, CellValue], code: str) -> str:
        row = table.catalogue.by_code[code]
        value = values.get(code)
        return f"{row.format(value)} {row.unit}".strip() if value is not None else "—"

    counties = [
        PairedCounty(code=u.code, name=u.name, figures=[shown(u.values, r.code) for r in rows],
                     kinds=[labels[k] for k in PairingKind.values if k in kinds.get(u.code, set())])
        for u in table.units
    ]
    return PartnerPage(headers=[f"{r.label.lstrip('0123456789. ')}（{r.unit}）" for r in rows], counties=counties,
                       totals=[shown(table.area.values, r.code) for r in rows])
