"""Counting the SQL statements a page reads."""
from sqlalchemy import event

from lms.state import state


def statements_for(client, app, url: str, warm_up: bool = True) -> tuple[int, str]:
    """The statements of one request to ``url`` and its page; ``warm_up`` first sends one that is not
    counted (the first request may sync the signed-in identity, or fill a cache)."""
    if warm_up:
        client.get(url)
    with app.app_context():
        engine = state().engine
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen), response.get_data(as_text=True)
