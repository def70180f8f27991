"""The authentication backend: Django's own, reading a signed-in user with its role and unit.

Every page asks the user's scope (`accounts.scope`), which needs the profile and its unit; read in
the one query that loads the user on each request, they cost nothing more. That query runs on
every request, so it is written out (`core.rawsql`): the same user, profile and unit instances the
ORM's `select_related("profile__org")` would make, without compiling the query each time.
"""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from xiezuo.core.rawsql import Columns, Statement, column, run_together


@cache
def _columns() -> tuple[Columns[Any], Columns[Any], Columns[Any]]:
    from xiezuo.accounts.models import Profile
    from xiezuo.orgunits.models import OrgUnit

    return Columns.of(get_user_model(), "u"), Columns.of(Profile, "p"), Columns.of(OrgUnit, "o")


def user_select(using: str) -> tuple[str, str]:
    """The columns and the joins that read a user (alias `u`) with its profile and unit, for a query
    that names `u` itself: `user_with_profile`, and the session read (`accounts.sessions`)."""
    from xiezuo.accounts.models import Profile
    from xiezuo.orgunits.models import OrgUnit

    model = get_user_model()
    users, profiles, orgs = _columns()
    quote = connections[using].ops.quote_name
    joins = (f"LEFT JOIN {quote(Profile._meta.db_table)} p "
             f"ON p.{quote(column(Profile, 'user'))} = u.{quote(column(model, model._meta.pk.name))} "
             f"LEFT JOIN {quote(OrgUnit._meta.db_table)} o "
             f"ON o.{quote(column(OrgUnit, 'id'))} = p.{quote(column(Profile, 'org'))}")
    return f"{users.sql(using)}, {profiles.sql(using)}, {orgs.sql(using)}", joins


def user_from_row(row: Sequence[Any], using: str) -> Any:
    """The user of a row of `user_select`'s columns with `user.profile` and `user.profile.org` set
    (no profile: the accessor raises as usual), or None when the row holds no user."""
    from xiezuo.accounts.models import Profile

    users, profiles, orgs = _columns()
    if row[0] is None:
        return None
    model = get_user_model()
    a, b = len(users), len(users) + len(profiles)
    user = users.instance(row[:a], using)
    profile = None
    if row[a] is not None:  # the profile's id
        profile = profiles.instance(row[a:b], using)
        Profile._meta.get_field("user").set_cached_value(profile, user)
        Profile._meta.get_field("org").set_cached_value(profile, orgs.instance(row[b:], using))
    model._meta.get_field("profile").set_cached_value(user, profile)
    return user


def user_pk(user_id: Any) -> Any:
    """The key a session's user id stands for, or None when it is malformed."""
    try:
        return get_user_model()._meta.pk.to_python(user_id)
    except Exception:  # noqa: BLE001 - a malformed id in a session is no user
        return None


def user_with_profile(user_id: Any) -> Any:
    """The user of this id with `user.profile` and `user.profile.org` loaded (no profile: the
    accessor raises as usual), or None — one query."""
    model = get_user_model()
    pk = user_pk(user_id)
    if pk is None:
        return None
    using = router.db_for_read(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    select, joins = user_select(using)
    sql = (f"SELECT {select} FROM {quote(model._meta.db_table)} u {joins} "  # noqa: S608 - names only
           f"WHERE u.{quote(column(model, model._meta.pk.name))} = %s")
    rows = run_together([Statement(sql, [pk])], using)[0].rows
    return user_from_row(rows[0], using) if rows else None


# The user the session read of this thread's request brought along (`accounts.sessions`): its id
# and the user (None: the session is signed in as nobody, or as a user that is gone).
_from_session: contextvars.ContextVar[tuple[Any, Any] | None] = contextvars.ContextVar(
    "xiezuo_session_user", default=None)


def session_user_read(user_id: Any, user: Any) -> None:
    """Called by each session read, before the request asks for its user: keep what it found."""
    _from_session.set(None if user_id is None else (user_id, user))


class ProfileBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        # Django asks for the user right after reading the session, which read it already: taken
        # once, and only for the id the session holds; otherwise (a session of another store, a
        # test's login) read here.
        found = _from_session.get()
        _from_session.set(None)
        pk = user_pk(user_id)
        if found is not None and pk is not None and found[0] == pk:
            user = found[1]
        else:
            user = user_with_profile(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
