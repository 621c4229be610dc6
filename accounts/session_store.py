"""Django's database sessions, read with one plain SQL statement: every logged-in request
reads its session first, and the ORM spent most of a millisecond building a lookup the
database answers in a tenth. Writes, and everything else, are Django's own. Sessions stay rows
in the database (accounts.sessions ends them by deleting rows), so nothing is cached: a
session ended anywhere is ended on the next request everywhere.

SESSION_ENGINE = "accounts.session_store"."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        model = self.model
        database = router.db_for_read(model)
        sql = (
            f"SELECT session_data FROM {model._meta.db_table} "
            "WHERE session_key = %s AND expire_date > %s"
        )
        with connections[database].cursor() as cursor:
            cursor.execute(sql, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])
