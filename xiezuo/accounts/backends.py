"""The authentication backend: Django's own, reading a signed-in user with its role and unit.

Every page asks the user's scope (`accounts.scope`), which needs the profile and its unit; read in
the one query that loads the user on each request, they cost nothing more. That query runs on
every request, so it is written out (`core.rawsql`): the same user, profile and unit instances the
ORM's `select_related("profile__org")` would make, without compiling the query each time.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from xiezuo.core.rawsql import Columns, column


@cache
def _columns() -> tuple[Columns[Any], Columns[Any], Columns[Any]]:
    from xiezuo.accounts.models import Profile
    from xiezuo.orgunits.models import OrgUnit

    return Columns.of(get_user_model(), "u"), Columns.of(Profile, "p"), Columns.of(OrgUnit, "o")


def user_with_profile(user_id: Any) -> Any:
    """The user of this id with `user.profile` and `user.profile.org` loaded (no profile: the
    accessor raises as usual), or None — one query."""
    from xiezuo.accounts.models import Profile
    from xiezuo.orgunits.models import OrgUnit

    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except Exception:  # noqa: BLE001 - a malformed id in a session is no user
        return None
    users, profiles, orgs = _columns()
    pk_name = model._meta.pk.name
    using = router.db_for_read(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    sql = (f"SELECT {users.sql(using)}, {profiles.sql(using)}, {orgs.sql(using)} "  # noqa: S608 - names only
           f"FROM {quote(model._meta.db_table)} u "
           f"LEFT JOIN {quote(Profile._meta.db_table)} p "
           f"ON p.{quote(column(Profile, 'user'))} = u.{quote(column(model, pk_name))} "
           f"LEFT JOIN {quote(OrgUnit._meta.db_table)} o "
           f"ON o.{quote(column(OrgUnit, 'id'))} = p.{quote(column(Profile, 'org'))} "
           f"WHERE u.{quote(column(model, pk_name))} = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    a, b = len(users), len(users) + len(profiles)
    user = users.instance(row[:a], using)
    profile = None
    if row[a] is not None:  # the profile's id
        profile = profiles.instance(row[a:b], using)
        Profile._meta.get_field("user").set_cached_value(profile, user)
        Profile._meta.get_field("org").set_cached_value(profile, orgs.instance(row[b:], using))
    model._meta.get_field("profile").set_cached_value(user, profile)
    return user


class ProfileBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user = user_with_profile(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
