"""Completeness of an area for a year: its counties by submission state, and which are late.

Two queries whatever the number of counties. A county with no submission yet counts as draft
(未填报). The due date is 1 February of the following year unless the settings say otherwise
(`XIEZUO_SUBMISSION_DUE = "MM-DD"`, of the year after the reporting year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from xiezuo.orgunits.models import OrgUnit
from xiezuo.rollup.selectors import reporting_units

STATES = ("draft", "submitted", "returned", "approved")
STATE_LABELS = {"draft": "填报中", "submitted": "已报送", "returned": "已退回", "approved": "已审核通过"}
DEFAULT_DUE = "02-01"


@dataclass(frozen=True)
class UnitState:
    code: str
    name: str
    state: str
    started: bool  # has a submission at all (未填报 when not)
    submitted_at: dt.datetime | None
    late: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code, "name": self.name, "state": self.state, "state_label": STATE_LABELS[self.state],
            "started": self.started, "late": self.late,
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
        }


@dataclass(frozen=True)
class Completeness:
    org: OrgUnit
    year: int
    due: dt.date
    units: list[UnitState]

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(1 for u in self.units if u.state == s) for s in STATES}

    @property
    def late(self) -> list[UnitState]:
        return [u for u in self.units if u.late]

    def as_dict(self) -> dict[str, object]:
        return {
            "org": {"code": self.org.code, "name": self.org.name},
            "year": self.year,
            "due": self.due.isoformat(),
            "total": len(self.units),
            "counts": self.counts,
            "late": [u.code for u in self.late],
            "units": [u.as_dict() for u in self.units],
        }


def due_date(year: int) -> dt.date:
    month, day = (int(p) for p in str(getattr(settings, "XIEZUO_SUBMISSION_DUE", DEFAULT_DUE)).split("-"))
    return dt.date(year + 1, month, day)


def completeness(org: OrgUnit, year: int, *, today: dt.date | None = None, due: dt.date | None = None) -> Completeness:
    """Late: still draft or returned after the due date, or (last) submitted after it."""
    due = due or due_date(year)
    today = today or timezone.localdate()
    units = list(reporting_units(org, year).order_by("code"))
    submissions: dict[int, tuple[str, dt.datetime | None]] = {}
    if apps.is_installed("xiezuo.submissions"):
        from xiezuo.submissions.models import Submission

        submissions = {
            org_id: (state, submitted_at)
            for org_id, state, submitted_at in Submission.objects.filter(org__in=units, year=year).values_list(
                "org_id", "state", "submitted_at"
            )
        }
    out = []
    for unit in units:
        state, submitted_at = submissions.get(unit.pk, ("draft", None))
        sent_on = timezone.localdate(submitted_at) if submitted_at else None
        if state in ("submitted", "approved"):
            late = sent_on is not None and sent_on > due
        else:
            late = today > due
        out.append(UnitState(code=unit.code, name=unit.name, state=state, started=unit.pk in submissions,
                             submitted_at=submitted_at, late=late))
    return Completeness(org=org, year=year, due=due, units=out)
