"""Completeness: an area's counties by submission state, and which are late."""

import datetime as dt

from django.utils import timezone

from tests.cli import run_cli
from xiezuo.orgunits.models import OrgUnit
from xiezuo.rollup.completeness import completeness
from xiezuo.submissions.models import Submission


def submit(code: str, state: str, when: dt.datetime | None = None) -> None:
    Submission.objects.create(org=OrgUnit.objects.get(code=code), year=2023, state=state, submitted_at=when)


def test_counts_per_state_and_late_units(base_orgs):
    tz = timezone.get_current_timezone()
    submit("620422", "approved", dt.datetime(2024, 1, 10, 9, tzinfo=tz))
    submit("620423", "submitted", dt.datetime(2024, 2, 5, 9, tzinfo=tz))  # after the due date
    submit("620402", "returned", dt.datetime(2024, 1, 20, 9, tzinfo=tz))
    city = OrgUnit.objects.get(code="620400")
    result = completeness(city, 2023, today=dt.date(2024, 3, 1))
    assert result.due == dt.date(2024, 2, 1)
    assert result.counts == {"draft": 2, "submitted": 1, "returned": 1, "approved": 1}
    # 平川区 and 靖远县 have not started; 白银区 was returned and not resubmitted; 景泰县 was late.
    assert [u.name for u in result.late] == ["白银区", "平川区", "靖远县", "景泰县"]
    assert not [u for u in result.units if u.code in ("620403", "620421") and u.started]
    before_due = completeness(city, 2023, today=dt.date(2024, 1, 25))
    assert [u.name for u in before_due.late] == ["景泰县"]


def test_completeness_command(base_orgs, capsys):
    submit("620422", "approved", timezone.now())
    result = run_cli(capsys, "completeness", "--org", "白银市", "--year", "2023")
    assert result.code == 0
    assert "共 5 个" in result.out and "已审核通过 1 个" in result.out and "填报中 4 个" in result.out
    assert "靖远县（620421）：未填报" in result.out
