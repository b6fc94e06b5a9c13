"""Statements PostgreSQL parses and plans once per connection rather than on every execution (issue #18).

Django's PostgreSQL cursors bind parameters on the client: every execution sends the statement's whole text, with
the values quoted into it, and the server parses, analyses and plans it again. For a statement run thousands of
times a minute whose planning costs as much as running it (the outbox's claim and "sent" mark, the dashboard's
row digest), ``prepared_cursor()`` gives a cursor that binds on the server and has psycopg prepare each statement
on the connection the first time it runs it; later executions send only the statement's name and the values.
psycopg keeps the prepared statements per connection, so a connection kept between requests or tasks
(``CONN_MAX_AGE``) plans each statement once. PgBouncer, if ever put in front of the database, must then run in
session mode, as docs/DEPLOY.md says.

Everything else is as ``connection.cursor()``: the connection's health check, Django's error wrapping, query
logging and execute wrappers (so tests count these statements too). Placeholders are psycopg's (``%s``,
``%(name)s``); a value compared with a column of another type needs a cast in the SQL (``%(ids)s::bigint[]``),
since the server, not the client, now reads it.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection
from django.db.backends.utils import CursorWrapper

# Django turns psycopg's prepared statements off on its connections (a threshold of None), whatever a cursor asks;
# its own cursors bind on the client and never prepare anyway. Here they are turned back on with a threshold that
# no statement reaches by being repeated, so only the statements run through prepared_cursor() are prepared.
PREPARE_ONLY_WHEN_ASKED = 2**31 - 1


class _PreparingCursor(psycopg.Cursor):
    """Server-side binding, and every statement prepared."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)

    def _send_query_prepared(self, name, pgq, *, binary=None):
        # psycopg keeps the statement it sent (which Django's query log reads) only when it did not prepare it.
        self._query = pgq
        super()._send_query_prepared(name, pgq, binary=binary)


@contextmanager
def prepared_cursor() -> Iterator[CursorWrapper]:
    """A cursor of the default connection whose statements are prepared; PostgreSQL only."""
    # What connection.cursor() does (BaseDatabaseWrapper._cursor), with our cursor class instead of the
    # connection's client-side binding one.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    if connection.connection.prepare_threshold is None:
        connection.connection.prepare_threshold = PREPARE_ONLY_WHEN_ASKED
    with connection.wrap_database_errors:
        raw = _PreparingCursor(connection.connection)
    cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor
