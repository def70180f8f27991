"""Submitted or approved work is frozen: the one check every write path calls before it writes."""

from __future__ import annotations

from xiezuo.core.errors import Locked
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.models import LOCKED_STATES, State, Submission


def refuse_if_locked(*, org: OrgUnit, year: int, what: str) -> None:
    """Raise Locked while the unit's submission for the year is submitted or approved.

    Call inside the write's transaction: the row is locked so a submit cannot slip in between.
    `what` names the thing refused in the message (统计表, 台账, 自评报告).
    """
    state = (
        Submission.objects.select_for_update().filter(org=org, year=year, state__in=LOCKED_STATES)
        .values_list("state", flat=True).first()
    )
    if state is not None:
        label = "已审核通过" if state == State.APPROVED else "已报送待审核"
        raise Locked(f"「{org.name}」{year} 年度{what}{label}，不能再修改")
