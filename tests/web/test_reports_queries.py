"""The reports read a fixed number of SQL statements, whatever the number of rows (no N+1)."""
import pytest
from sqlalchemy import event

from lms.state import state

from support.reports import CSV, MATRIX, REPORT, XLSX, seed_rows


def statements(app, client, url) -> int:
    """How many statements one request sends to the database."""
    count = 0

    def counter(conn, cursor, statement, parameters, context, executemany):
        nonlocal count
        count += 1

    with app.app_context():
        engine = state().engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        response = client.get(url)
        assert response.status_code == 200
        response.get_data()  # a streamed export runs its query while the body is read
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


@pytest.mark.parametrize("url", [REPORT, REPORT + "?sort=score&order=desc&status=completed", CSV, XLSX, MATRIX])
def test_statements_do_not_grow_with_rows(app, client, auth, url):
    seed_rows(app, 10, prefix="small")
    auth.as_role("hr")
    statements(app, client, url)  # warm up: the first request of a session may sync the identity
    with_10 = statements(app, client, url)
    seed_rows(app, 490, prefix="large")
    with_500 = statements(app, client, url)
    assert with_10 == with_500, (with_10, with_500)
    assert with_10 <= 8
