"""Reporting periods and the table as of a day: the periods and policy that apply to a unit,
its snapshots, and the comparison of any two (the writes are actions in `progress.services`).

The table as of a day comes from the ledgers through `engine.derive.derive_as_of`: one grouped
query per ledger for every unit and every day asked, each row a stock or a flow as the template
declares.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from xiezuo.catalogue.loader import Row
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.errors import NotFound
from xiezuo.engine.derive import derive_as_of
from xiezuo.ledgers.reconciliation import _execute, catalogue_specs
from xiezuo.orgunits.models import OrgUnit
from xiezuo.progress.models import ProgressPolicy, ReportingPeriod, Snapshot


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _next_month_day(day: dt.date, n: int) -> dt.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(n, calendar.monthrange(year, month)[1]))


def _ancestors(org: OrgUnit) -> list[str]:
    """Codes from the unit itself up to the top, nearest first."""
    return [c for c in org.path.strip("/").split("/") if c][::-1]


def periods_for(org: OrgUnit, year: int) -> list[ReportingPeriod]:
    """The periods that apply to a unit: those set by its nearest unit above that set any."""
    codes = _ancestors(org)
    found = list(ReportingPeriod.objects.filter(set_by__code__in=codes, year=year).select_related("set_by"))
    for code in codes:
        mine = [p for p in found if p.set_by.code == code]
        if mine:
            return sorted(mine, key=lambda p: (p.ends_on, ["month", "half", "year"].index(p.kind)))
    return []


def period_for(org: OrgUnit, year: int, key: str) -> ReportingPeriod:
    for p in periods_for(org, year):
        if p.key == key:
            return p
    raise NotFound(f"{org.name}没有报告期「{key}」（格式如 {year}-06、{year}-H1、{year}）")


def policy_for(org: OrgUnit, year: int) -> ProgressPolicy:
    """The nearest policy above (or of) the unit; the defaults when nobody set one."""
    codes = _ancestors(org)
    found = {p.set_by.code: p for p in ProgressPolicy.objects.filter(set_by__code__in=codes, year=year)
             .select_related("set_by")}
    for code in codes:
        if code in found:
            return found[code]
    return ProgressPolicy(set_by=org, year=year)


# --- the table as of a day -------------------------------------------------------------------


def derived_rows(year: int) -> list[Row]:
    return [r for r in get_catalogue(year).rows if r.derive is not None]


def table_as_of(
    orgs: Sequence[OrgUnit], year: int, days: Sequence[dt.date]
) -> dict[str, dict[dt.date, dict[str, Decimal]]]:
    """{org code: {day: {row code: value}}} for every derivable row, one query per ledger whatever
    the number of units and days."""
    specs = catalogue_specs(get_catalogue(year))
    code_of = {o.pk: o.code for o in orgs}
    found = derive_as_of(specs, _execute, year=year, days=list(days), org_ids=list(code_of))
    out: dict[str, dict[dt.date, dict[str, Decimal]]] = {o.code: {d: {} for d in days} for o in orgs}
    for (org_id, day), values in found.items():
        out[code_of[org_id]][day] = values
    return out


def _derivation_of(year: int) -> dict[str, dict[str, object]]:
    return {s.code: {"ledger": s.ledger, "span": s.span, "date": s.date}
            for s in catalogue_specs(get_catalogue(year))}


def snapshots_for(orgs: Iterable[OrgUnit], year: int) -> dict[int, list[Snapshot]]:
    """{org id: snapshots of the year by date}, one query."""
    out: dict[int, list[Snapshot]] = {}
    for s in Snapshot.objects.filter(org__in=list(orgs), period__year=year).select_related("period") \
            .order_by("org_id", "as_of", "period__kind"):
        out.setdefault(s.org_id, []).append(s)
    return out


@dataclass(frozen=True)
class Change:
    row: Row
    old: Decimal | None
    new: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        return None if self.old is None or self.new is None else self.new - self.old

    def as_dict(self) -> dict[str, object]:
        fmt = self.row.format
        return {"code": self.row.code, "label": self.row.label, "unit": self.row.unit,
                "old": None if self.old is None else fmt(self.old), "new": None if self.new is None else fmt(self.new),
                "difference": None if self.difference is None else f"{self.difference:f}"}


def snapshot_compare(old: Snapshot, new: Snapshot, *, changed_only: bool = True) -> list[Change]:
    """Row by row, old → new, in the table's order (two snapshots of any units and periods)."""
    rows = get_catalogue(new.period.year).rows
    out = []
    for row in rows:
        if row.code not in old.values and row.code not in new.values:
            continue
        a = Decimal(old.values[row.code]) if row.code in old.values else None
        b = Decimal(new.values[row.code]) if row.code in new.values else None
        if changed_only and a == b:
            continue
        out.append(Change(row=row, old=a, new=b))
    return out
