"""Concurrent writes against the real PostgreSQL server: threads, each with its own connection.

Every write of a unit takes the unit's row lock first (`submissions.locks.unit_year_open`), and the
submission transitions take the same lock, so simultaneous first saves, identical creates, a save
racing a submit and two replace imports queue up: no 500, no duplicate, nothing unvalidated in a
submitted table. SQLite serialises every write by itself, so these run on PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from xiezuo.core.errors import XiezuoError
from xiezuo.ledgers import idcard
from xiezuo.orgunits.models import OrgUnit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are PostgreSQL's; SQLite serialises"),
]


def _together(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs at the same instant in threads; each result is the return value or the exception."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _only_user_errors(results: list[Any]) -> list[Any]:
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, XiezuoError)]
    assert unexpected == [], unexpected
    return [r for r in results if not isinstance(r, Exception)]


def _person(n: int) -> dict[str, object]:
    return {"name": "同一人", "id_number": idcard.make_id("620422", dt.date(1988, 8, 8), n),
            "poverty_status": "脱贫", "destination": "省内就近", "employer": "某厂",
            "start_date": "2023-04-01", "new_this_year": "是"}


@pytest.fixture
def unit(demo: Any) -> OrgUnit:
    assert connection.vendor == "postgresql"
    return OrgUnit.objects.get(code="620422")


def test_eight_first_saves_of_an_empty_cell(unit: OrgUnit) -> None:
    from xiezuo.tables.models import DataValue
    from xiezuo.tables.services import value_set

    clerk = get_user_model().objects.get(username="huining-clerk")
    DataValue.objects.filter(org=unit, year=2023, code="labour_east").delete()
    results = _together([
        (lambda i=i: value_set(org=unit, year=2023, code="labour_east", raw=str(200 + i), by=clerk,
                               expected_version=0)) for i in range(8)
    ])
    saved = _only_user_errors(results)
    assert len(saved) == 1
    assert {type(r).__name__ for r in results if isinstance(r, Exception)} <= {"StaleEdit"}
    assert DataValue.objects.filter(org=unit, year=2023, code="labour_east").count() == 1


def test_four_identical_creates_of_one_person(unit: OrgUnit) -> None:
    from xiezuo.ledgers.models import LabourPlacement
    from xiezuo.ledgers.services import ledger_record_create

    clerk = get_user_model().objects.get(username="huining-clerk")
    results = _together([
        (lambda: ledger_record_create(kind="labour_placements", org=unit, year=2023, data=_person(5), by=clerk))
        for _ in range(4)
    ])
    assert len(_only_user_errors(results)) == 1
    number = _person(5)["id_number"]
    assert LabourPlacement.objects.filter(org=unit, year=2023, id_number=number).count() == 1


def test_a_save_racing_a_submit_never_lands_unvalidated(unit: OrgUnit) -> None:
    from xiezuo.submissions.models import State
    from xiezuo.submissions.services import submission_ensure, submission_submit
    from xiezuo.tables.findings import table_validate
    from xiezuo.tables.services import value_set

    clerk = get_user_model().objects.get(username="huining-clerk")
    findings = table_validate(unit, 2023)
    explanations = {f.rule: "已核实" for f in findings if f.severity == "warning"}
    for attempt in range(3):
        submission = submission_ensure(org=unit, year=2023, by=clerk)
        if submission.state != State.DRAFT:
            break
        # 其中 900 above its total 826 is an error: if it landed after the submit's checks, a
        # submitted table would hold an error.
        results = _together([
            lambda s=submission: submission_submit(submission=s, by=clerk, explanations=explanations),
            lambda: value_set(org=unit, year=2023, code="labour_east_poor", raw="99999", by=clerk),
        ])
        _only_user_errors(results)
        submission.refresh_from_db()
        if submission.state == State.SUBMITTED:
            assert not [f for f in table_validate(unit, 2023) if f.severity == "error"], attempt
            break
        value_set(org=unit, year=2023, code="labour_east_poor", raw="1", by=clerk)


def test_two_replace_imports_of_one_ledger(unit: OrgUnit) -> None:
    from xiezuo.ledgers.models import LabourPlacement
    from xiezuo.ledgers.schema import ledger_of
    from xiezuo.ledgers.services import ledger_rows_import

    ledger = ledger_of("labour_placements")
    clerk = get_user_model().objects.get(username="huining-clerk")

    def rows(start: int, n: int) -> list[list[object]]:
        out = []
        for i in range(start, start + n):
            p = {**_person(i), "name": f"导入{i}"}
            out.append([p.get(c.name, "") for c in ledger.columns])
        return out

    files = [rows(100, 30), rows(200, 30)]
    results = _together([
        (lambda f=f: ledger_rows_import(kind="labour_placements", headers=list(ledger.headers), rows=f, org=unit,
                                        year=2023, by=clerk, file="劳动力.xlsx", replace=True)) for f in files
    ])
    assert len(_only_user_errors(results)) == 2
    assert LabourPlacement.objects.filter(org=unit, year=2023).count() == 30
