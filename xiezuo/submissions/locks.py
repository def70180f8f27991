"""The one lock rule: while a unit-year is submitted or approved, nothing of it changes.

`unit_year_open` is called by every action that freezes with a submission (`Permission.check`), inside
the action's transaction. It takes a row lock on the org unit in every state, and the submission
transitions take the same lock, so a write and a submit of one unit serialise: nothing lands in a
submitted table unvalidated, and concurrent first saves or imports of one unit queue up instead of
colliding. Pages ask `frozen()` / `editable()` to decide whether to offer editing at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from xiezuo.core import rawsql
from xiezuo.core.errors import Locked
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.models import LOCKED_STATES, State, Submission


def frozen_state(state: str | None) -> bool:
    return state in LOCKED_STATES


def _lock_statements(org: OrgUnit) -> list[rawsql.Statement]:
    # None on SQLite, which serialises every write anyway.
    if not connection.features.has_select_for_update:
        return []
    return [rawsql.Statement(f"SELECT id FROM {connection.ops.quote_name(OrgUnit._meta.db_table)} "  # noqa: S608
                             "WHERE id = %s FOR UPDATE", [org.pk])]


def lock_unit(org: OrgUnit) -> None:
    """Serialise writers of one unit (a no-op on SQLite, which serialises every write anyway)."""
    rawsql.run_together(_lock_statements(org))


def locked_message(org: OrgUnit, year: int, state: str) -> str:
    label = "已审核通过" if state == State.APPROVED else "已报送待审核"
    return f"「{org.name}」{year} 年度填报{label}，统计表、台账和自评报告均不能再修改"


def unit_year_open(*, org: OrgUnit, year: int,
                   together: Sequence[rawsql.Statement] = ()) -> list[rawsql.Result]:
    """Lock the unit and raise Locked while its submission for the year is submitted or approved.

    `together`: reads the caller makes under the lock (the rows it checks), sent in the same round
    trip; their results are returned. Written out (`core.rawsql`): every save runs it, and compiling
    the ORM queries costs more than running them."""
    # The state is a statement of its own after the lock: in READ COMMITTED it sees a submit that
    # committed while this write waited for the lock (a subquery of the locking statement would not).
    # Sent together, the statements still run one after another, each with its own snapshot.
    state_read = rawsql.Statement(f"SELECT state FROM {connection.ops.quote_name(Submission._meta.db_table)} "  # noqa: S608
                                  "WHERE org_id = %s AND year = %s", [org.pk, year])
    lock = _lock_statements(org)
    results = rawsql.run_together([*lock, state_read, *together])
    found = results[len(lock)].rows
    state = found[0][0] if found else None
    if frozen_state(state):
        assert state is not None
        raise Locked(locked_message(org, year, state))
    return results[len(lock) + 1:]


def frozen(org: OrgUnit, year: int) -> bool:
    """For pages: is the unit-year held by the level above (no lock taken)?"""
    state = Submission.objects.filter(org=org, year=year).values_list("state", flat=True).first()
    return frozen_state(state)


def editable(user: AbstractBaseUser | AnonymousUser | None, org: OrgUnit, year: int) -> bool:
    """For pages: may this user change the unit-year's figures now?"""
    from xiezuo.accounts.scope import Permission, can

    return can(user, Permission.EDIT, org) and not frozen(org, year)
