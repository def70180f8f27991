"""What a city's or province's own pages show: its table as the roll-up of its units, compared and assessed.

The area table is `rollup.selectors.area_table` (a fixed number of grouped queries) plus one query
for the submission states of the area and its units, whatever the number of units.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.orgunits.models import Level, OrgUnit, Side
from xiezuo.rollup.selectors import AreaTable, area_table
from xiezuo.submissions.models import State, Submission

# The state a column header shows; a unit with no submission and no figures has not started.
NOT_STARTED = "not_started"
COLUMN_STATE_LABELS = {NOT_STARTED: "未填报", State.DRAFT: "填报中", State.SUBMITTED: "已报送",
                       State.RETURNED: "已退回", State.APPROVED: "已通过"}


def is_area(org: OrgUnit) -> bool:
    """Units whose table is a roll-up of units below (or, in the east, of paired counties)."""
    return not (org.level == Level.COUNTY and org.side == Side.WEST)


@dataclass(frozen=True)
class AreaColumn:
    code: str
    name: str
    state: str
    covers: int
    reporting: bool

    @property
    def state_label(self) -> str:
        return COLUMN_STATE_LABELS[self.state]


@dataclass(frozen=True)
class AreaRow:
    row: Row
    total: str
    cells: list[tuple[str, str]]  # (unit code, display), one per unit in column order


@dataclass(frozen=True)
class AreaPage:
    org: OrgUnit
    year: int
    table: AreaTable
    state: str  # the area's own submission state
    columns: list[AreaColumn]
    rows: list[AreaRow]

    @property
    def catalogue(self) -> Catalogue:
        return self.table.catalogue

    @property
    def state_label(self) -> str:
        return COLUMN_STATE_LABELS[self.state]

    def as_dict(self) -> dict[str, object]:
        return self.table.as_dict()


def _display(row: Row, value: Decimal | str | None) -> str:
    return row.format(value) if value is not None else ""


def area_page(org: OrgUnit, year: int, *, approved_only: bool = False) -> AreaPage:
    table = area_table(org, year, approved_only=approved_only)
    codes = [org.code, *(u.code for u in table.units)]
    states = dict(Submission.objects.filter(year=year, org__code__in=codes).values_list("org__code", "state"))
    columns = [
        AreaColumn(code=u.code, name=u.name, covers=u.covers, reporting=u.reporting,
                   state=states.get(u.code) or (State.DRAFT if any(v is not None for v in u.values.values())
                                                else NOT_STARTED))
        for u in table.units
    ]
    rows = [
        AreaRow(row=row, total=_display(row, table.area.values.get(row.code)) if row.is_value else "",
                cells=[(u.code, _display(row, u.values.get(row.code))) for u in table.units] if row.is_value else [])
        for row in table.catalogue.rows
    ]
    return AreaPage(org=org, year=year, table=table, state=states.get(org.code, NOT_STARTED), columns=columns,
                    rows=rows)
