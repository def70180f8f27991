"""Assessment of a unit, or of every county of an area, against a scheme: scores, grades, ranking.

Three queries whatever the number of counties: the units, the values of the rows the scheme reads
(this year and last), the targets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from xiezuo.assessment.models import Target
from xiezuo.assessment.scheme import (
    EXAMPLE_SCHEME,
    Scheme,
    UnitScore,
    check_scheme,
    load_scheme,
    ranked,
    score_unit,
)
from xiezuo.catalogue.loader import Catalogue
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.engine.aggregate import normalise
from xiezuo.engine.rules import expression_codes
from xiezuo.orgunits.models import AssessmentClass, Level, OrgUnit, Side
from xiezuo.rollup.selectors import reporting_units
from xiezuo.tables.models import DataValue


@dataclass(frozen=True)
class Assessment:
    org: OrgUnit
    year: int
    scheme: Scheme
    ranking: list[tuple[int, UnitScore]]
    illustrative_targets: bool  # some targets used are made-up demo targets
    # {org code: assessment class label} when the area's counties are ranked within classes.
    classes: dict[str, str] = field(default_factory=dict)

    def class_of(self, org_code: str) -> str:
        return self.classes.get(org_code, "")

    def as_dict(self) -> dict[str, object]:
        return {
            "org": {"code": self.org.code, "name": self.org.name, "level": self.org.level},
            "year": self.year,
            "scheme": {"name": self.scheme.name, "file": self.scheme.source, "official": self.scheme.official,
                       "description": self.scheme.description},
            "illustrative_targets": self.illustrative_targets,
            "ranking": [{"rank": rank, "class": self.class_of(score.org_code), **score.as_dict()}
                        for rank, score in self.ranking],
        }


def targets_for_many(orgs: Iterable[OrgUnit], year: int) -> tuple[dict[str, dict[str, Decimal]], bool]:
    """{org code: {row code: target}} in one query, and whether any of them is illustrative."""
    out: dict[str, dict[str, Decimal]] = {}
    illustrative = False
    for code, row, number, demo in Target.objects.filter(org__in=list(orgs), year=year).values_list(
        "org__code", "code", "number", "illustrative"
    ):
        out.setdefault(code, {})[row] = number
        illustrative = illustrative or demo
    return out, illustrative


def _scheme_values(
    scheme: Scheme, catalogue: Catalogue, units: list[OrgUnit], year: int
) -> tuple[dict[str, dict[str, Decimal | None]], dict[str, dict[str, Decimal | None]]]:
    """This year's and last year's values of the rows the scheme reads, for every unit, in one query."""
    codes = {item.row for item in scheme.items}
    for item in scheme.items:
        for test in item.tests:
            if test.expr:
                codes.update(expression_codes(test.expr))
    by_year: dict[int, dict[str, dict[str, Decimal | None]]] = {year: {}, year - 1: {}}
    rows = DataValue.objects.filter(org__in=units, year__in=(year, year - 1), code__in=codes).values_list(
        "org__code", "year", "code", "number"
    )
    for org_code, y, code, number in rows:
        by_year[y].setdefault(org_code, {})[code] = normalise(number)
    return by_year[year], by_year[year - 1]


def assess(org: OrgUnit, year: int, *, scheme: Scheme | None = None, scheme_path: Path | None = None) -> Assessment:
    """A county on its own, or every county an area covers, ranked (ties share a rank)."""
    scheme = scheme or load_scheme(scheme_path or EXAMPLE_SCHEME)
    catalogue = get_catalogue(year)
    compiled = check_scheme(scheme, catalogue)
    if org.level == Level.COUNTY and org.side == Side.WEST:
        units = [org]
    else:
        units = list(reporting_units(org, year).order_by("code"))
    current, previous = _scheme_values(scheme, catalogue, units, year)
    targets, illustrative = targets_for_many(units, year)
    scores = [
        score_unit(scheme, catalogue, org_code=u.code, org_name=u.name, values=current.get(u.code, {}),
                   previous=previous.get(u.code, {}), targets=targets.get(u.code, {}), compiled=compiled)
        for u in units
    ]
    labels = dict(AssessmentClass.choices)
    classes = {u.code: labels[u.assessment_class] for u in units if u.assessment_class}
    if not classes:
        return Assessment(org=org, year=year, scheme=scheme, ranking=ranked(scores), illustrative_targets=illustrative)
    # Ranked within each class (in the order of the classes, unclassed counties last).
    order = [*AssessmentClass.values, ""]
    by_class = {u.code: u.assessment_class for u in units}
    ranking = [entry for cls in order
               for entry in ranked([s for s in scores if by_class[s.org_code] == cls])]
    return Assessment(org=org, year=year, scheme=scheme, ranking=ranking, illustrative_targets=illustrative,
                      classes={u.code: classes.get(u.code, "未分类") for u in units})
