"""Table values derived from the ledgers, and the clerk's reconciliation of them with the table.

Reads go through the plain engine (`xiezuo.engine.derive`): one grouped query per ledger for all
counties. The writes (accepting a derived value, keeping an entered one) are actions in
`ledgers.services`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import connection

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.catalogue.registry import catalogue_fingerprint, get_catalogue
from xiezuo.core.errors import NotFound
from xiezuo.core.stamps import key_of, stamps_for
from xiezuo.engine.derive import DeriveSpec, derive_all, parse_spec
from xiezuo.ledgers.models import Reconciliation
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue


@lru_cache(maxsize=8)
def catalogue_specs(catalogue: Catalogue) -> tuple[DeriveSpec, ...]:
    """Every derivable row of a year's template (specs were checked when the file was loaded)."""
    return tuple(
        parse_spec(r.derive, code=r.code, unit=r.unit, value_kind=r.value_kind, places=r.places)
        for r in catalogue.rows
        if r.derive is not None
    )


def _execute(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def derived_values(year: int, orgs: Iterable[OrgUnit] | None = None) -> dict[str, dict[str, Decimal]]:
    """{org code: {row code: derived value}} — all counties when `orgs` is None.

    One query per ledger the template derives from (plus one for org codes), whatever the number
    of counties.
    """
    specs = catalogue_specs(get_catalogue(year))
    if orgs is None:
        ids = None
        code_of = dict(OrgUnit.objects.filter(level="county").values_list("pk", "code"))
    else:
        code_of = {o.pk: o.code for o in orgs}
        ids = list(code_of)
    found = derive_all(specs, _execute, years=[year], org_ids=ids)
    return {code_of[org_id]: values for (org_id, _y), values in found.items() if org_id in code_of}


@dataclass(frozen=True)
class ReconLine:
    row: Row
    entered: Decimal | None  # what the table holds now
    source: str | None  # entered / derived / aggregated
    published: bool
    derived: Decimal | None  # None: no records in that ledger
    decision: str | None  # latest decision: accept / keep
    reason: str
    decided_by: str
    decided_at: str | None

    @property
    def difference(self) -> Decimal | None:
        if self.entered is None or self.derived is None:
            return None
        return self.derived - self.entered

    @property
    def agrees(self) -> bool:
        return self.difference == 0

    def as_dict(self) -> dict[str, object]:
        fmt = self.row.format
        return {
            "code": self.row.code,
            "label": self.row.label,
            "unit": self.row.unit,
            "ledger": (self.row.derive or {}).get("ledger"),
            "entered": None if self.entered is None else fmt(self.entered),
            "derived": None if self.derived is None else fmt(self.derived),
            "difference": None if self.difference is None else fmt(self.difference) if self.difference >= 0
            else "-" + fmt(-self.difference),
            "source": self.source,
            "published": self.published,
            "decision": self.decision,
            "reason": self.reason,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
        }


def number_of(dv: DataValue | None) -> Decimal | None:
    if dv is None or dv.number is None:
        return None
    n = dv.number.normalize()
    return n.quantize(Decimal(1)) if n == n.to_integral_value() else n


def county_derived(org: OrgUnit, year: int) -> dict[str, Decimal]:
    """One county's derived values, kept in the cache under the version stamp of its ledgers: the
    ledgers' grouped queries run again only after a ledger of that county and year has changed
    (every ledger write raises the stamp in its own transaction; see `core.stamps`)."""
    return county_figures(org, year)[0]


def county_figures(org: OrgUnit, year: int, *, stamps: Mapping[tuple[str, int, str], int] | None = None
                   ) -> tuple[dict[str, Decimal], dict[str, str]]:
    """`county_derived` and `latest_decisions` under one read of the ledgers' stamp: a decision is
    a ledgers write too (`ledgers.reconciliation`), so the stamp moves with either. `stamps`: the
    unit-year's stamps (`core.stamps.stamps_read`) when the caller read them with other reads."""
    if stamps is None:
        stamps = stamps_for([(org.code, year)])
    key = "derived:{}:{}:{}:{}".format(org.code, year, catalogue_fingerprint(year), key_of(stamps, area="ledgers"))
    cached = cache.get(key)
    if isinstance(cached, tuple) and len(cached) == 2:
        return cached
    figures = (derived_values(year, [org]).get(org.code, {}), latest_decisions(org, year))
    cache.set(key, figures, timeout=DERIVED_SECONDS)
    return figures


DERIVED_SECONDS = 24 * 3600


def latest_decisions(org: OrgUnit, year: int) -> dict[str, str]:
    """The latest reconciliation decision of each row (one query)."""
    out: dict[str, str] = {}
    for code, decision in (Reconciliation.objects.filter(org=org, year=year).order_by("decided_at", "id")
                           .values_list("code", "decision")):
        out[code] = decision
    return out


def reconciliation_for(org: OrgUnit, year: int) -> list[ReconLine]:
    """Every derivable row in table order: entered beside derived, with the latest decision."""
    catalogue = get_catalogue(year)
    derived = county_derived(org, year)
    stored = {v.code: v for v in DataValue.objects.filter(org=org, year=year)}
    latest: dict[str, Reconciliation] = {}
    for rec in Reconciliation.objects.filter(org=org, year=year).order_by("decided_at", "id"):
        latest[rec.code] = rec
    lines = []
    for row in catalogue.rows:
        if row.derive is None:
            continue
        dv = stored.get(row.code)
        dec = latest.get(row.code)
        lines.append(ReconLine(
            row=row, entered=number_of(dv), source=dv.source if dv else None, published=bool(dv and dv.published),
            derived=derived.get(row.code), decision=dec.decision if dec else None,
            reason=dec.reason if dec else "", decided_by=dec.decided_by_name if dec else "",
            decided_at=dec.decided_at.isoformat() if dec else None,
        ))
    return lines


def derivable_row(year: int, code: str) -> Row:
    row = get_catalogue(year).by_code.get(code)
    if row is None or row.derive is None:
        raise NotFound(f"指标「{code}」不能由台账生成")
    return row


def reconciliation_history(org: OrgUnit, year: int, code: str) -> list[Reconciliation]:
    return list(Reconciliation.objects.filter(org=org, year=year, code=code).select_related("decided_by"))
