"""prakerja/prepared.py: statements planned once per connection, still seen by Django's query log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prakerja.prepared import prepared_cursor

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT %(a)s::int + %(b)s::int"


def prepared_here() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'SELECT $1::int + %%'")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_is_prepared_on_the_connection_once_and_answers_each_call(postgresql):
    with prepared_cursor() as cursor:
        cursor.execute(STATEMENT, {"a": 1, "b": 2})
        first = cursor.fetchone()[0]
    with prepared_cursor() as cursor:
        cursor.execute(STATEMENT, {"a": 40, "b": 2})
        second = cursor.fetchone()[0]

    assert (first, second) == (3, 42)
    assert prepared_here() == ["SELECT $1::int + $2::int"]


def test_django_still_logs_and_counts_the_prepared_statements(postgresql):
    with CaptureQueriesContext(connection) as queries, prepared_cursor() as cursor:
        cursor.execute(STATEMENT, {"a": 1, "b": 1})

    assert len(queries.captured_queries) == 1
    assert "SELECT" in queries.captured_queries[0]["sql"]
