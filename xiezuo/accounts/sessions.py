"""Django's database sessions, in a table that names the signed-in user, read with that user.

The same behaviour as `django.contrib.sessions.backends.db` (`SESSION_ENGINE` points here), with
two differences. The sessions are `accounts.Session` rows, whose `user` column is the user the
session is signed in as, kept from the session's data on every save. And the read every signed-in
request makes is one written-out query (`core.rawsql`) that brings the user with its role and unit
along (`accounts.backends`), where Django would read the session and then the user: one round trip
to the database fewer on every page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

from xiezuo.accounts.backends import session_user_read, user_from_row, user_pk, user_select
from xiezuo.core.rawsql import Columns, Statement, column, run_together

if TYPE_CHECKING:
    from xiezuo.accounts.models import Session


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls) -> Any:
        from xiezuo.accounts.models import Session

        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        session = cast("Session", super().create_model_instance(data))
        signed_in = data.get(SESSION_KEY)
        session.user_id = None if signed_in is None else user_pk(signed_in)
        return session

    def _get_session_from_db(self) -> Any:
        model = self.model
        using = router.db_for_read(model, instance=None)
        connection = connections[using]
        columns = Columns.of(model, "s")
        quote = connection.ops.quote_name
        users = get_user_model()
        select, joins = user_select(using)
        rows = run_together([Statement(
            f"SELECT {columns.sql(using)}, {select} FROM {quote(model._meta.db_table)} s "  # noqa: S608
            f"LEFT JOIN {quote(users._meta.db_table)} u "
            f"ON u.{quote(column(users, users._meta.pk.name))} = s.{quote(column(model, 'user'))} {joins} "
            f"WHERE s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s",
            [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])], using)[0].rows
        row = rows[0] if rows else None
        if row is None:
            session_user_read(None, None)
            self._session_key = None
            return None
        session = cast("Session", columns.instance(row[:len(columns)], using))
        session_user_read(session.user_id, user_from_row(row[len(columns):], using))
        return session
