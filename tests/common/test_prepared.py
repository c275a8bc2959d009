"""edu_portal.common.prepared: the dashboards' reads prepared once per connection give the rows the text gives,
across transactions that fail, reconnects, evictions and texts PostgreSQL will not prepare."""
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from edu_portal.common import prepared
from edu_portal.common.prepared import execute_prepared, statement_text

# A parameter in a comparison (typed by it), a LIMIT, and a literal % (%% in the text, as with cursor.execute).
SQL = ("SELECT n, 'x%%' AS literal FROM generate_series(1, %s) AS n WHERE n %% 2 = %s ORDER BY n LIMIT %s")


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params)
        return cursor.fetchall()


def _plain(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _server_has(sql_fragment: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{sql_fragment}%"])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_prepared_read_gives_the_rows_of_its_text_and_is_prepared_once():
    for params in ([10, 1, 3], [10, 0, 2], [7, 1, 10]):
        assert _rows(SQL, params) == _plain(SQL, params)
    assert _rows(SQL, [10, 1, 3]) == [(1, "x%"), (3, "x%"), (5, "x%")]
    assert _server_has("generate_series(1, $1)") == 1
    with CaptureQueriesContext(connection) as queries:
        _rows(SQL, [4, 0, 5])
    executed = queries.captured_queries[-1]["sql"]
    assert executed.startswith("EXECUTE edu_")  # the prepared statement, not the text again
    assert statement_text(executed) == SQL


@pytest.mark.django_db
def test_a_text_postgresql_will_not_prepare_is_run_as_text_without_breaking_the_transaction():
    untyped = "SELECT %s AS anything"  # no type PostgreSQL can give the parameter: PREPARE refuses it
    assert _rows(untyped, ["abc"]) == [("abc",)]
    assert _rows(untyped, ["def"]) == [("def",)]  # remembered: not tried again
    assert _rows(SQL, [3, 1, 5]) == [(1, "x%"), (3, "x%")]  # the transaction goes on


@pytest.mark.django_db(transaction=True)
def test_prepared_statements_survive_a_failed_transaction_and_follow_a_new_connection():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert _rows(SQL, [5, 1, 5]) == [(1, "x%"), (3, "x%"), (5, "x%")]  # prepared inside the transaction
        raise ZeroDivisionError
    assert _rows(SQL, [5, 0, 5]) == [(2, "x%"), (4, "x%")]  # PostgreSQL kept it for the session
    connection.close()  # a reconnect: the new session has none, and it is prepared again
    assert _rows(SQL, [5, 0, 5]) == [(2, "x%"), (4, "x%")]
    assert _server_has("generate_series(1, $1)") == 1


@pytest.mark.django_db
def test_a_connection_keeps_at_most_its_limit_the_least_recently_run_deallocated(monkeypatch):
    monkeypatch.setattr(prepared, "MAX_PER_CONNECTION", 2)
    texts = [f"SELECT n + {i} FROM generate_series(1, %s) AS n" for i in range(3)]  # noqa: S608 - constants
    for text in texts:
        assert _rows(text, [1]) == [(1 + texts.index(text),)]
    assert _server_has("SELECT n + 0 ") == 0  # the first, deallocated
    assert _server_has("SELECT n + 2 ") == 1
    assert _rows(texts[0], [2]) == [(1,), (2,)]  # prepared again when run again


@pytest.mark.django_db
def test_turned_off_the_text_is_sent(settings):
    settings.DB_PREPARED_STATEMENTS = False
    text = SQL.replace("'x%%'", "'off%%'")
    with CaptureQueriesContext(connection) as queries:
        assert _rows(text, [3, 1, 1]) == [(1, "off%")]
    assert queries.captured_queries[-1]["sql"].startswith("SELECT n")
    assert _server_has("'off%") == 0
