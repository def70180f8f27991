"""Roll-up of an area's statistics table: the area's values and each direct unit's, in a fixed number of queries.

Western areas roll up their counties through `OrgUnit.path`; an eastern unit rolls up the western
counties it (or any district under it) is paired with in that year. Only counties report: a city's
or province's own stored values, if any, are never added in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import F, Q, QuerySet

from xiezuo.catalogue.loader import Catalogue
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.engine import aggregate as engine
from xiezuo.engine.compare import ComparisonLine, compare_values
from xiezuo.orgunits.models import Level, OrgUnit, Pairing, PairingKind, Side
from xiezuo.tables.exports import Column
from xiezuo.tables.models import DataValue

CellValue = Decimal | str | None


@dataclass(frozen=True)
class UnitValues:
    """One column of a roll-up: an org unit and its values by row code."""

    code: str
    name: str
    level: str
    values: dict[str, CellValue]
    covers: int  # reporting counties behind this column
    reporting: bool  # a county column showing its own figures, not a roll-up

    def as_column(self) -> Column:
        return Column(name=self.name, values=self.values)


@dataclass(frozen=True)
class AreaTable:
    org: OrgUnit
    year: int
    catalogue: Catalogue
    area: UnitValues
    units: list[UnitValues]
    covers: int  # reporting counties included
    reported: int  # of those, counties with at least one value for the year
    units_total: int  # reporting counties in the area whatever their submission state
    approved_only: bool
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[UnitValues]:
        return [self.area, *self.units]

    def export_columns(self) -> list[Column]:
        """For `xiezuo.tables.exports`: the area first, then each unit."""
        return [c.as_column() for c in self.columns]

    @property
    def coverage_text(self) -> str:
        if self.approved_only:
            return (f"{self.org.name} {self.year} 年汇总仅含填报已审核通过的 {self.covers} 个县（市、区）"
                    f"（共 {self.units_total} 个），其中 {self.reported} 个有数据")
        return f"{self.org.name} {self.year} 年汇总涵盖 {self.covers} 个县（市、区），其中 {self.reported} 个有数据"

    def as_dict(self) -> dict[str, object]:
        cat = self.catalogue
        return {
            "org": {"code": self.org.code, "name": self.org.name, "level": self.org.level},
            "year": self.year,
            "approved_only": self.approved_only,
            "covers": self.covers,
            "reported": self.reported,
            "units_total": self.units_total,
            "coverage": self.coverage_text,
            "notes": self.notes,
            "columns": [
                {"code": c.code, "name": c.name, "level": c.level, "covers": c.covers, "reporting": c.reporting}
                for c in self.columns
            ],
            "rows": [
                {
                    "code": row.code,
                    "section": cat.by_code[row.section].label,
                    "label": row.label,
                    "unit": row.unit,
                    "rollup": row.rollup,
                    "values": {
                        c.code: (row.format(v) if (v := c.values.get(row.code)) is not None else None)
                        for c in self.columns
                    },
                }
                for row in cat.value_rows
            ],
        }


def in_year(values: QuerySet[Any], year: int) -> QuerySet[Any]:
    """Values of one year, read through the per-unit index.

    For queries over every row: compared as `year + 0`, since SQLite without table statistics
    otherwise picks the (year, code) index and reads every county's values of the year to keep one
    city's (1.4 s instead of 0.05 s for a city of 10 among 1,000 counties). Queries for a few rows
    keep the plain comparison: for them that index is the right one. PostgreSQL plans both well.
    """
    filtered: QuerySet[Any] = values.alias(rollup_year=F("year") + 0).filter(rollup_year=year)
    return filtered


# ---------------------------------------------------------------- which counties an area covers


def _pairing_active(prefix: str, year: int) -> Q:
    """Pairings of district–county kind in force in `year` (prefix: the lookup path to Pairing)."""
    return (
        Q(**{f"{prefix}kind": PairingKind.COUNTY_DISTRICT, f"{prefix}start_year__lte": year})
        & (Q(**{f"{prefix}end_year__isnull": True}) | Q(**{f"{prefix}end_year__gte": year}))
    )


def approved_org_ids(year: int) -> QuerySet[Any] | None:
    """Ids of units whose submission for `year` is approved (a subquery), or None without submissions."""
    if not apps.is_installed("xiezuo.submissions"):
        return None
    from xiezuo.submissions.models import Submission

    return Submission.objects.filter(year=year, state="approved").values("org_id")


def reporting_units(org: OrgUnit, year: int, *, approved_only: bool = False) -> QuerySet[OrgUnit]:
    """The counties whose figures make up `org`'s roll-up (a lazy queryset, used as a subquery)."""
    if org.side == Side.EAST:
        paired = Pairing.objects.filter(_pairing_active("", year), east__path__startswith=org.path)
        qs = OrgUnit.objects.filter(pk__in=paired.values("west_id"))
    else:
        qs = OrgUnit.objects.filter(path__startswith=org.path, level=Level.COUNTY, side=Side.WEST)
    if approved_only:
        approved = approved_org_ids(year)
        qs = qs.filter(pk__in=approved) if approved is not None else qs.none()
    return qs


@dataclass(frozen=True)
class _Grouping:
    """How the rows of each query are assigned to the area's direct units (columns)."""

    children: list[OrgUnit]
    values: QuerySet[Any]  # DataValue rows, possibly joined to pairings, for the per-column sums
    value_key: engine.Key
    unit_rows: QuerySet[Any]  # OrgUnit rows with a `rollup_key` per column
    pairing_key: engine.Key
    reporting_children: bool  # the columns are the counties themselves
    # Western areas: the sums of every area below come from one query grouped by the counties'
    # parent (`engine.subtree_sums`), the area's own and each column's read off by path.
    by_subtree: bool = False


def _grouping(org: OrgUnit, year: int, reporting: QuerySet[OrgUnit]) -> _Grouping | None:
    n = len(org.path)
    if org.side == Side.WEST:
        if org.level == Level.COUNTY:
            return None
        children = list(OrgUnit.objects.filter(parent=org, side=Side.WEST).order_by("code"))
        return _Grouping(
            children=children,
            values=DataValue.objects.filter(org__in=reporting),
            value_key=engine.path_child("org__path", n),
            unit_rows=reporting.annotate(rollup_key=engine.path_child("path", n)),
            pairing_key=engine.path_child("west__path", n),
            reporting_children=False,
            by_subtree=any(c.level != Level.COUNTY for c in children),
        )
    has_districts = OrgUnit.objects.filter(parent=org).exists()
    if not has_districts:
        # An eastern district: its columns are the counties it helps.
        children = list(reporting.order_by("code"))
        return _Grouping(
            children=children,
            values=DataValue.objects.filter(org__in=reporting),
            value_key=F("org__path"),
            unit_rows=reporting.annotate(rollup_key=F("path")),
            pairing_key=F("west__path"),
            reporting_children=True,
        )
    # An eastern city or province: one column per district, each rolling up its own pairings, so a
    # county helped by two districts appears under both (and once in the area).
    children = list(OrgUnit.objects.filter(parent=org).order_by("code"))
    joined = _pairing_active("org__pairings_as_west__", year) & Q(org__pairings_as_west__east__path__startswith=org.path)
    units_joined = _pairing_active("pairings_as_west__", year) & Q(pairings_as_west__east__path__startswith=org.path)
    return _Grouping(
        children=children,
        values=DataValue.objects.filter(joined, org__in=reporting),
        value_key=engine.path_child("org__pairings_as_west__east__path", n),
        unit_rows=OrgUnit.objects.filter(units_joined, pk__in=reporting).annotate(
            rollup_key=engine.path_child("pairings_as_west__east__path", n)
        ),
        pairing_key=engine.path_child("east__path", n),
        reporting_children=False,
    )


# ---------------------------------------------------------------- the roll-up


def area_table(org: OrgUnit, year: int, *, approved_only: bool = False) -> AreaTable:
    """The area's values and each direct unit's, by the catalogue's roll-up rules.

    A fixed number of queries whatever the number of units: six, plus four per pairing kind named
    by a distinct row and two per set of inputs of a recomputed row (twelve for the 2023 template).
    """
    catalogue = get_catalogue(year)
    reporting = reporting_units(org, year, approved_only=approved_only)
    grouping = _grouping(org, year, reporting)
    text_codes = [r.code for r in catalogue.value_rows if r.value_kind == "text"]
    area_values_qs = in_year(DataValue.objects.filter(org__in=reporting), year)
    # Queries for a few rows only: the (year, code) index is the right one for them.
    area_rows_qs = DataValue.objects.filter(org__in=reporting, year=year)

    # Units covered: per column and in all (one query), and the whole area when limited to approved.
    per_column_units: dict[str, set[int]] = {}
    if grouping is not None:
        for key, pk in grouping.unit_rows.values_list("rollup_key", "pk").order_by():
            per_column_units.setdefault(key, set()).add(pk)
        covered_ids = set().union(*per_column_units.values()) if per_column_units else set()
        covers = len(covered_ids) if org.side == Side.WEST or grouping.reporting_children else reporting.count()
    else:
        covers = reporting.count()
    units_total = reporting_units(org, year).count() if approved_only else covers

    reported = area_values_qs.values("org_id").distinct().count()
    column_sums: dict[str, dict[str, Decimal]] = {}
    if grouping is not None and grouping.by_subtree:
        column_values_qs = in_year(grouping.values, year)
        subtree = engine.subtree_sums(column_values_qs)
        area_sums = subtree.get(org.path, {})
        column_sums = {c.path: subtree.get(c.path, {}) for c in grouping.children if c.level != Level.COUNTY}
        if len(column_sums) < len(grouping.children):
            # Counties directly under the area (a province's own counties) are columns of their own.
            column_sums.update(engine.grouped_sums(column_values_qs.filter(org__parent=org), F("org__path")))
    else:
        area_sums = engine.total_sums(area_values_qs)
        if grouping is not None:
            column_sums = engine.grouped_sums(in_year(grouping.values, year), grouping.value_key)
    texts_by_key: dict[str, list[tuple[str, str, str]]] = {}
    area_texts: dict[tuple[str, str], tuple[str, str, str]] = {}
    if grouping is not None:
        for t in engine.grouped_texts(grouping.values.filter(year=year), grouping.value_key, text_codes):
            texts_by_key.setdefault(t.key, []).append((t.org_name, t.code, t.text))
            area_texts[(t.org_code, t.code)] = (t.org_name, t.code, t.text)
        area_text_list = [area_texts[k] for k in sorted(area_texts)]
    else:
        area_text_list = [
            (t.org_name, t.code, t.text)
            for t in engine.grouped_texts(area_rows_qs, F("org__path"), text_codes)
        ]

    area_distinct, column_distinct, notes = _distinct_counts(org, year, catalogue, reporting, grouping)

    # Ratios from the parts of the units that reported every part (two queries per input set).
    area_inputs: dict[str, dict[str, Decimal]] = {}
    column_inputs: dict[str, dict[str, dict[str, Decimal]]] = {}
    by_inputs: dict[tuple[str, ...], list[str]] = {}
    for code, inputs in engine.formula_inputs(catalogue).items():
        by_inputs.setdefault(tuple(sorted(inputs)), []).append(code)
    for inputs, codes in by_inputs.items():
        complete = engine.complete_units(area_rows_qs, inputs)
        area_part = engine.total_sums(area_rows_qs.filter(code__in=inputs, org_id__in=complete))
        col_part = (
            engine.grouped_sums(
                grouping.values.filter(year=year, code__in=inputs, org_id__in=complete), grouping.value_key
            ) if grouping is not None else {}
        )
        for code in codes:
            area_inputs[code] = area_part
            for child in grouping.children if grouping is not None else []:
                column_inputs.setdefault(child.path, {})[code] = col_part.get(child.path, {})

    if org.level == Level.COUNTY and org.side == Side.WEST:
        area_vals = engine.own_values(catalogue, sums=area_sums, texts=area_text_list)
    else:
        area_vals = engine.combine(catalogue, sums=area_sums, texts=area_text_list, distinct=area_distinct,
                                   recompute_sums=area_inputs)
    area = UnitValues(
        code=org.code, name=org.name, level=org.level, values=area_vals, covers=covers,
        reporting=org.level == Level.COUNTY and org.side == Side.WEST,
    )

    units: list[UnitValues] = []
    if grouping is not None:
        for child in grouping.children:
            sums = column_sums.get(child.path, {})
            texts = texts_by_key.get(child.path, [])
            is_reporting = grouping.reporting_children or (child.level == Level.COUNTY and child.side == Side.WEST)
            if is_reporting:
                vals = engine.own_values(catalogue, sums=sums, texts=texts)
            else:
                vals = engine.combine(catalogue, sums=sums, texts=texts, distinct=column_distinct.get(child.path, {}),
                                      recompute_sums=column_inputs.get(child.path, {}))
            units.append(UnitValues(
                code=child.code, name=child.name, level=child.level, values=vals,
                covers=len(per_column_units.get(child.path, ())), reporting=is_reporting,
            ))
    return AreaTable(
        org=org, year=year, catalogue=catalogue, area=area, units=units, covers=covers, reported=reported,
        units_total=units_total, approved_only=approved_only, notes=notes,
    )


def _distinct_counts(
    org: OrgUnit, year: int, catalogue: Catalogue, reporting: QuerySet[OrgUnit], grouping: _Grouping | None
) -> tuple[dict[str, int], dict[str, dict[str, int]], list[str]]:
    """Distinct rows from the pairing records; a county without a recorded pairing adds its own figure.

    Returns (area counts by row code, {column path: counts by row code}, notes for the reader).
    """
    rows = [r for r in catalogue.value_rows if r.rollup == "distinct"]
    specs = {r.code: engine.distinct_spec(r) for r in rows}
    area: dict[str, int] = {}
    columns: dict[str, dict[str, int]] = {}
    notes: list[str] = []
    for kind in sorted({s.kind for s in specs.values()}):
        codes = [code for code, s in specs.items() if s.kind == kind]
        pairings = Pairing.objects.filter(_pairing_active("", year), kind=kind, west__in=reporting)
        if org.side == Side.EAST:
            pairings = pairings.filter(east__path__startswith=org.path)
        area_counts = engine.grouped_distinct(pairings, None)[None]
        col_counts = engine.grouped_distinct(pairings, grouping.pairing_key) if grouping is not None else {}
        # Counties with no recorded pairing of this kind cannot be deduplicated: their figures are added.
        not_paired = ~Q(org__in=pairings.values("west_id"))
        unpaired_area = engine.total_sums(
            DataValue.objects.filter(not_paired, year=year, code__in=codes, org__in=reporting)
        )
        unpaired_cols = (
            engine.grouped_sums(grouping.values.filter(not_paired, year=year, code__in=codes), grouping.value_key)
            if grouping is not None else {}
        )
        if unpaired_area:
            notes.append(
                f"部分县（市、区）未登记{PairingKind(kind).label}关系，其{'、'.join(_short_label(catalogue.by_code[c].label) for c in codes)}"
                "按各自填报数累加，未能去重"
            )
        for code in codes:
            side = specs[code].side
            idx = 0 if side == "east" else 1
            area[code] = area_counts[idx] + int(unpaired_area.get(code, 0))
            for key in {k for k in col_counts if k is not None} | set(unpaired_cols):
                counted = col_counts.get(key, (0, 0))[idx]
                columns.setdefault(key, {})[code] = counted + int(unpaired_cols.get(key, {}).get(code, 0))
    return area, columns, notes


def _short_label(label: str) -> str:
    """「帮扶西部县数」for「1. 帮扶西部县数」: the numbering reads oddly inside a sentence."""
    return re.sub(r"^\s*(\d+\.|其中：)\s*", "", label)


def area_values(org: OrgUnit, year: int, *, approved_only: bool = False) -> Mapping[str, CellValue]:
    """Just the area's own column (a county's own figures, an area's roll-up)."""
    return area_table(org, year, approved_only=approved_only).area.values


@dataclass(frozen=True)
class Comparison:
    org: OrgUnit
    years: tuple[int, int]
    lines: list[ComparisonLine]
    covers: tuple[int, int]
    reported: tuple[int, int]

    def as_dict(self) -> dict[str, object]:
        return {
            "org": {"code": self.org.code, "name": self.org.name, "level": self.org.level},
            "years": list(self.years),
            "covers": {str(y): n for y, n in zip(self.years, self.covers, strict=True)},
            "reported": {str(y): n for y, n in zip(self.years, self.reported, strict=True)},
            "rows": [line.as_dict(self.years) for line in self.lines],
        }


def area_every_level(org: OrgUnit, year: int, *, approved_only: bool = False,
                     on_progress: Callable[[str, int, int], None] | None = None) -> tuple[AreaTable, list[UnitValues]]:
    """The area's table and every column below it, depth first: each province, then its cities, each
    city followed by its counties (the official layout, city then its counties, at every level).

    One `area_table` per area below (so the same roll-up rules and the same queries as the pages);
    `on_progress(area name, done, total)` after each.
    """
    top = area_table(org, year, approved_only=approved_only)
    # The areas to roll up: a western area's cities and provinces (its counties report); in the east
    # every unit, down to the districts, rolls up the counties paired with it.
    below = OrgUnit.objects.filter(path__startswith=org.path, side=org.side)
    total = max(1, (below.exclude(level=Level.COUNTY) if org.side == Side.WEST else below).count())
    columns: list[UnitValues] = [top.area]
    seen = {org.code}
    done = 1
    if on_progress is not None:
        on_progress(org.name, done, total)

    def walk(table: AreaTable) -> None:
        nonlocal done, total
        for unit in table.units:
            if unit.reporting or unit.code in seen:
                columns.append(unit)
                continue
            seen.add(unit.code)
            below = area_table(OrgUnit.objects.get(code=unit.code), year, approved_only=approved_only)
            done += 1
            total = max(total, done)
            if on_progress is not None:
                on_progress(unit.name, done, total)
            columns.append(below.area)
            walk(below)

    walk(top)
    return top, columns

def compare(org: OrgUnit, years: tuple[int, int], *, approved_only: bool = False) -> Comparison:
    """Any unit, any two years: a county's own figures or an area's roll-up, matched by row code."""
    first, second = (area_table(org, y, approved_only=approved_only) for y in years)
    lines = compare_values(first.catalogue, first.area.values, second.catalogue, second.area.values)
    return Comparison(org=org, years=years, lines=lines, covers=(first.covers, second.covers),
                      reported=(first.reported, second.reported))
