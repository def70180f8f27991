"""What the pages show, assembled from the areas' selectors in a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.catalogue.registry import available_years, get_catalogue
from xiezuo.core import rawsql
from xiezuo.core.models import ChangeRecord
from xiezuo.core.stamps import stamps_read
from xiezuo.engine.validate import Finding, validate_units
from xiezuo.ledgers.reconciliation import county_figures
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.models import EventKind, State, Submission, SubmissionEvent
from xiezuo.submissions.selectors import (
    row_comment_ids_read,
    row_comments,
    row_comments_with_ids,
    submissions_for_many,
)
from xiezuo.tables.models import DataValue
from xiezuo.tables.selectors import (
    TableLine,
    line_of,
    table_with_previous,
    values_for_many,
    values_with_previous_read,
)

STATE_LABELS = dict(State.choices)


def current_year() -> int:
    return available_years()[-1]


def year_allowed(year: int) -> bool:
    return year in available_years()


def findings_for_row(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if code in f.codes]


@dataclass
class TableRowView:
    line: TableLine
    previous: Decimal | str | None
    findings: list[Finding] = field(default_factory=list)
    comments: list[SubmissionEvent] = field(default_factory=list)
    error: str = ""  # a refused save, shown under the cell
    # Findings that name this row but belong to another (their first row): shown as a pointer,
    # so a rule over eight sub-items does not print its message eight times.
    related: list[tuple[Finding, str]] = field(default_factory=list)
    # Rows the ledgers can produce: the ledger figure and the latest reconciliation decision.
    derivable: bool = False
    derived: Decimal | None = None
    decision: str | None = None

    @property
    def derived_display(self) -> str:
        return self.row.format(self.derived) if self.derived is not None else ""

    @property
    def derived_differs(self) -> bool:
        entered = self.line.value
        return self.derived is not None and isinstance(entered, Decimal) and entered != self.derived

    @property
    def row(self) -> Row:
        return self.line.row

    @property
    def previous_display(self) -> str:
        return self.row.format(self.previous) if self.previous is not None else ""

    @property
    def change(self) -> str:
        """This year minus last year, signed, with the relative change when last year was not zero."""
        now, before = self.line.value, self.previous
        if not isinstance(now, Decimal) or not isinstance(before, Decimal):
            return ""
        diff = now - before
        text = self.row.format(abs(diff))
        sign = "+" if diff > 0 else ("−" if diff < 0 else "±")
        if before:
            pct = (diff / before * 100).quantize(Decimal("0.1"))
            return f"{sign}{text}（{'+' if pct > 0 else ''}{pct}%）"
        return f"{sign}{text}"

    @property
    def indent(self) -> int:
        return self.row.depth


@dataclass
class TablePage:
    org: OrgUnit
    year: int
    catalogue: Catalogue
    rows: list[TableRowView]
    findings: list[Finding]
    submission: Submission | None
    return_note: SubmissionEvent | None = None  # why the level above sent it back, while returned

    @property
    def state(self) -> str:
        return self.submission.state if self.submission else State.DRAFT

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def has_ledgers(self) -> bool:
        return any(r.derivable for r in self.rows)

    @property
    def commented_rows(self) -> list[tuple[Row, SubmissionEvent]]:
        """Every comment on a single row, in table order: for the return banner and the submission page."""
        return [(r.row, c) for r in self.rows for c in r.comments]

    @property
    def open_comments(self) -> int:
        return sum(1 for _, c in self.commented_rows if c.resolved_at is None)


def table_page(org: OrgUnit, year: int) -> TablePage:
    catalogue, lines, previous = table_with_previous(org, year)
    current = {line.row.code: line.value for line in lines if line.value is not None}
    findings = validate_units(catalogue, {org.code: current}, {org.code: previous}, levels={org.code: org.level})
    submission = Submission.objects.filter(org=org, year=year).first()
    comments = row_comments(submission) if submission else {}
    county = org.level == "county"
    # The ledger figures (cached under the ledgers' version stamp) and the latest decision per row;
    # the entered values are the lines already read.
    derived, decisions = county_figures(org, year) if county else ({}, {})
    rows = []
    for line in lines:
        involved = findings_for_row(findings, line.row.code)
        rows.append(TableRowView(
            line=line, previous=previous.get(line.row.code),
            findings=[f for f in involved if f.codes[0] == line.row.code],
            related=[(f, catalogue.by_code[f.codes[0]].label) for f in involved if f.codes[0] != line.row.code],
            comments=comments.get(line.row.code, []),
        ))
        if county and line.row.derive is not None:
            code = line.row.code
            rows[-1].derivable, rows[-1].derived, rows[-1].decision = True, derived.get(code), decisions.get(code)
    note = None
    if submission is not None and submission.state == State.RETURNED:
        note = (submission.events.filter(kind__in=[EventKind.RETURN, EventKind.REOPEN])
                .order_by("-at", "-id").first())
    return TablePage(org=org, year=year, catalogue=catalogue, rows=rows, findings=findings, submission=submission,
                     return_note=note)


def unresolved_differences(page: TablePage) -> list[TableRowView]:
    """Rows whose ledger figure differs from the entered one with no written reason to keep it."""
    return [r for r in page.rows if r.derived_differs and r.decision != "keep"]


def table_row(org: OrgUnit, year: int, code: str, *, error: str = "",
              saved: DataValue | None = None) -> tuple[TableRowView, list[Finding], bool]:
    """One row after a save, with the findings of the whole table (the summary is refreshed too).

    Only what the row and the summary show: the rules still see the whole table and last year's,
    but no other row is assembled, and the ledger figure is read only for a row the ledgers make.
    `saved` is the value the save just wrote (None when it was refused: the row is read again)."""
    catalogue = get_catalogue(year)
    row_def = catalogue.by_code[code]
    county = org.level == "county"
    derivable = county and row_def.derive is not None
    # In one round trip: the values, the row's comments (most rows have none, and then nothing more is
    # read) and, for a row the ledgers make, the stamps its ledger figure is cached under.
    reads: list[rawsql.Read[Any]] = [values_with_previous_read(org, year, catalogue),
                                     row_comment_ids_read(org, year, code)]
    if derivable:
        reads.append(stamps_read([(org.code, year)]))
    (current, previous), comment_ids, *stamps = rawsql.fetch_all(reads)
    findings = validate_units(catalogue, {org.code: current}, {org.code: previous}, levels={org.code: org.level})
    if saved is None:
        saved = DataValue.objects.filter(org=org, year=year, code=code).first()
    line = line_of(row_def, saved)
    # The row just saved shows every finding that involves it in full.
    row = TableRowView(line=line, previous=previous.get(code), findings=findings_for_row(findings, code),
                       comments=row_comments_with_ids(comment_ids, code), error=error)
    if derivable:
        derived, decisions = county_figures(org, year, stamps=stamps[0])
        row.derivable, row.derived, row.decision = True, derived.get(code), decisions.get(code)
    return row, findings, county and catalogue.has_derived_rows


@dataclass
class ReviewLine:
    org: OrgUnit
    state: str
    errors: int
    warnings: int
    last_change: object
    submitted_at: object

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def review_lines(parent: OrgUnit, year: int) -> list[ReviewLine]:
    """The units directly below `parent`: state, errors, warnings, last change — a fixed number of queries."""
    from xiezuo.catalogue.registry import get_catalogue

    units = list(OrgUnit.objects.filter(parent=parent).order_by("code"))
    catalogue = get_catalogue(year)
    findings = validate_units(
        catalogue, values_for_many(units, year, catalogue), values_for_many(units, year - 1, catalogue),
        levels={u.code: u.level for u in units},
    )
    submissions = submissions_for_many(units, year)
    last_changes = dict(
        ChangeRecord.objects.filter(org_code__in=[u.code for u in units], year=year)
        .values_list("org_code").annotate(last=Max("at")).values_list("org_code", "last")
    )
    out = []
    for unit in units:
        mine = [f for f in findings if f.org_code == unit.code]
        sub = submissions.get(unit.pk)
        out.append(ReviewLine(
            org=unit, state=sub.state if sub else State.DRAFT,
            errors=sum(1 for f in mine if f.severity == "error"),
            warnings=sum(1 for f in mine if f.severity == "warning"),
            last_change=last_changes.get(unit.code), submitted_at=sub.submitted_at if sub else None,
        ))
    return out


def row_history(org: OrgUnit, year: int, code: str) -> list[ChangeRecord]:
    return list(
        ChangeRecord.objects.filter(object_type="tables.datavalue", object_key=f"{org.code}/{year}/{code}")
        .order_by("-at", "-id")
    )
