"""Who is signed in is read once per request: the site's account and the plugin's row in one query.

The site hands the plugin its row's id (``Identity.user_id``); the plugin takes it only when the row
belongs to that identity, so a wrong hint can never sign someone in as another person.
"""
from __future__ import annotations

from sqlalchemy import event

from lms.identity import Identity
from lms.models import User
from lms.services.users import sync_identity
from lms.site.models import db


def statements_of(client, url: str) -> list[str]:
    with client.application.app_context():
        engine = db.engine
    seen: list[str] = []

    def note(_connection, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def test_a_signed_in_page_reads_the_account_and_the_plugins_row_in_one_query(client, auth):
    auth.create("learner@example.com", "Anna")
    auth.login("learner@example.com")
    client.get("/training/certificates/")  # the first page may mirror the identity
    seen = statements_of(client, "/training/certificates/")
    accounts = [s for s in seen if "FROM site_users" in s or "FROM lms_users" in s]
    assert len(accounts) == 1, accounts
    assert "LEFT OUTER JOIN lms_users" in accounts[0]


def test_a_hint_naming_another_persons_row_is_ignored(app, auth):
    anna = auth.create("anna@example.com", "Anna")
    boris = auth.create("boris@example.com", "Boris")
    with app.app_context():
        anna_row = db.session.get(User, anna)
        identity = Identity(id=anna_row.external_id, name="Anna", email="anna@example.com", user_id=boris)
        assert sync_identity(db.session, identity).id == anna
        stranger = Identity(id="site:999999", name="New", email="new@example.com", user_id=boris)
        found = sync_identity(db.session, stranger)
        assert found.id not in (anna, boris) and found.external_id == "site:999999"
