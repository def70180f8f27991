"""Targets at risk: each unit's key rows projected to the year's end from its snapshots, beside
its target, flagged when the projection falls short. Three queries for a whole area."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from xiezuo.assessment.models import Target
from xiezuo.catalogue.loader import Row
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.orgunits.models import Level, OrgUnit
from xiezuo.progress.models import Snapshot
from xiezuo.progress.projections import Projection, project


@dataclass(frozen=True)
class TargetStatus:
    org: OrgUnit
    row: Row
    target: Decimal
    latest: Decimal
    as_of: dt.date
    projection: Projection

    @property
    def gap(self) -> Decimal:
        """How far the projection falls short of the target (negative: ahead)."""
        return self.target - self.projection.value

    @property
    def shortfall(self) -> Decimal:
        """The gap as a share of the target, so rows in 人 and in 万元 sort together."""
        return self.gap / self.target if self.target else Decimal(0)

    @property
    def at_risk(self) -> bool:
        return self.projection.value < self.target

    def as_dict(self) -> dict[str, object]:
        fmt = self.row.format
        return {"org": self.org.code, "org_name": self.org.name, "code": self.row.code, "label": self.row.label,
                "unit": self.row.unit, "target": fmt(self.target), "latest": fmt(self.latest),
                "as_of": self.as_of.isoformat(), "projection": fmt(self.projection.value),
                "method": self.projection.method, "method_label": self.projection.description,
                "gap": f"{self.gap:f}", "shortfall_percent": f"{(self.shortfall * 100).quantize(Decimal('0.1')):f}",
                "at_risk": self.at_risk}


def _counties(area: OrgUnit) -> list[OrgUnit]:
    if area.level == Level.COUNTY:
        return [area]
    return list(OrgUnit.objects.filter(path__startswith=area.path, level=Level.COUNTY).order_by("code"))


def target_statuses(area: OrgUnit, year: int, *, as_of: dt.date | None = None) -> list[TargetStatus]:
    """Every target of the area's counties on a derivable row with at least one snapshot by `as_of`,
    the largest shortfall (gap ÷ target) first."""
    counties = _counties(area)
    by_id = {c.pk: c for c in counties}
    catalogue = get_catalogue(year)
    rows = {r.code: r for r in catalogue.rows if r.derive is not None}
    targets = [t for t in Target.objects.filter(org_id__in=by_id, year=year, code__in=rows)]
    if not targets:
        return []
    snaps: dict[tuple[int, int], list[tuple[dt.date, dict[str, str]]]] = {}
    for s in Snapshot.objects.filter(org_id__in=by_id, period__year__in=[year, year - 1]) \
            .values_list("org_id", "period__year", "as_of", "values").order_by("as_of"):
        org_id, y, day, values = s
        if y == year and as_of is not None and day > as_of:
            continue
        snaps.setdefault((org_id, y), []).append((day, values))
    out = []
    for t in targets:
        row = rows[t.code]
        this = [(d, Decimal(v[t.code])) for d, v in snaps.get((t.org_id, year), []) if t.code in v]
        if not this:
            continue
        before = [(d, Decimal(v[t.code])) for d, v in snaps.get((t.org_id, year - 1), []) if t.code in v]
        span = str((row.derive or {}).get("span", "flow"))
        projection = project(this, span=span, last_year=before, places=row.places)
        assert projection is not None
        day, latest = max(this)
        out.append(TargetStatus(org=by_id[t.org_id], row=row, target=t.number.normalize(), latest=latest,
                                as_of=day, projection=projection))
    return sorted(out, key=lambda s: (-s.shortfall, s.org.code, s.row.code))


def targets_at_risk(area: OrgUnit, year: int, *, as_of: dt.date | None = None) -> list[TargetStatus]:
    return [s for s in target_statuses(area, year, as_of=as_of) if s.at_risk]
