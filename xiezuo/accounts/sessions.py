"""Django's database sessions, with the read every signed-in request makes written out.

The same table, rows and expiry as `django.contrib.sessions.backends.db` (`SESSION_ENGINE` points
here); only the lookup by key is plain SQL, since compiling the ORM query costs more than running
it (`core.rawsql`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

from xiezuo.core.rawsql import Columns


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        model = self.model
        using = router.db_for_read(model, instance=None)
        connection = connections[using]
        columns = Columns.of(model, "s")
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns.sql(using)} FROM {quote(model._meta.db_table)} s "  # noqa: S608 - names only
                f"WHERE s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s",
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return columns.instance(row, using)
