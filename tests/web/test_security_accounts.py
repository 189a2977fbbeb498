"""Accounts, sessions and the request boundary (issue 13, findings 2, 8, 9, 10, 13, 14, 16, 18).

Each test plays what an attacker or a careless operator would do against the real
site and asserts what they would notice: a refused action, a session that stops
working, a cookie flag, one secret key, a redirect that stays home, a 404.
"""
from __future__ import annotations

import io
import os
import re
import stat
import threading
import uuid

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select, text
from werkzeug.routing import IntegerConverter

from lms import migrate
from lms.core.privileges import may_manage
from lms.models import AuditEntry, Invitation, User
from lms.site import SITE_MIGRATIONS, SiteUserStore, create_app, secret_key
from lms.site.models import SiteBase, SiteUser, db
from lms.state import db_session
from lms.urls import is_local_path

from support import csrf_from, empty_tables

INVITE_RE = re.compile(r'<code class="invitation-link">http://localhost(/invite/[^<]+)</code>')


# -- helpers -------------------------------------------------------------------------
def people(app) -> dict[str, User]:
    with app.app_context():
        return {u.email: u for u in db_session().scalars(select(User))}


def audit_actions(app) -> list[tuple[str, str, dict]]:
    with app.app_context():
        return [(e.action, e.target, e.details) for e in db_session().scalars(select(AuditEntry).order_by(AuditEntry.id))]


def login(client, email: str, password: str = "password123", remember: bool = False, next_: str | None = None):
    url = "/login" + (f"?next={next_}" if next_ is not None else "")
    page = client.get("/login")
    data = {"email": email, "password": password, "csrf_token": csrf_from(page.get_data(as_text=True))}
    if remember:
        data["remember"] = "y"
    return client.post(url, data=data)


def logout(client):
    token = csrf_from(client.get("/training/").get_data(as_text=True))
    return client.post("/logout", data={"csrf_token": token})


def signed_in(client) -> bool:
    response = client.get("/training/")
    return response.status_code == 200


def upload(client, csv: str):
    token = csrf_from(client.get("/training/people/import").get_data(as_text=True))
    return client.post("/training/people/import", data={"csrf_token": token, "file": (io.BytesIO(csv.encode()), "s.csv")},
                       content_type="multipart/form-data")


def rows_of(html: str) -> dict[int, tuple[str, str]]:
    return {int(line): (action, problems) for line, action, problems in
            re.findall(r'data-line="(\d+)" data-action="(\w+)" data-problems="([^"]*)"', html)}


@pytest.fixture
def make_site(database, tmp_path, monkeypatch):
    """A site like the ``app`` fixture's, with extra configuration."""
    apps = []

    def make(**config):
        monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
        empty_tables(database)
        app = create_app({
            "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": database,
            "LMS_LOGIN_RATE_LIMIT": "1000 per minute", "LMS_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "LMS_DEFAULT_LOCALE": "ru", **config})
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# -- 2. nobody acts on an account with more privileges than their own ---------------
@pytest.mark.parametrize("actor, target, allowed", [
    ({"hr"}, {"learner"}, True), ({"hr"}, {"trainer"}, True), ({"hr"}, {"learner", "trainer"}, True),
    ({"hr"}, {"hr"}, False), ({"hr"}, {"admin"}, False), ({"hr"}, {"trainer", "admin"}, False),
    ({"admin"}, {"admin"}, True), ({"admin"}, {"hr"}, True), ({"trainer"}, {"learner"}, False),
    ({"learner"}, {"learner"}, False), ({"hr"}, {"superuser"}, False),
])
def test_the_privilege_rule(actor, target, allowed):
    assert may_manage(actor, target) is allowed


@pytest.mark.parametrize("role", ["admin", "hr"])
def test_hr_cannot_invite_delete_or_see_actions_on_an_admin_or_hr_account(app, client, auth, role):
    # No password yet, so only the privilege rule can stop the invitation.
    target_id = auth.create(f"{role}2@example.com", "Target", (role,), password=None)
    auth.as_role("hr")
    url = f"/training/people/{target_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-manageable="false"' in page
    assert "/invitation" not in page and 'name="confirm"' not in page
    token = csrf_from(page)
    assert client.post(f"{url}/invitation", data={"csrf_token": token}).status_code == 403
    assert client.post(url, data={"csrf_token": token, "confirm": "y"}).status_code == 403
    with app.app_context():
        session = db_session()
        assert session.scalar(select(Invitation).where(Invitation.user_id == target_id)) is None
        assert session.get(User, target_id).anonymized_at is None
        assert session.scalar(select(SiteUser.is_active_account).where(SiteUser.email == f"{role}2@example.com"))
    refused = [(a, t, d) for a, t, d in audit_actions(app) if a == "person.refused"]
    assert refused == [("person.refused", f"user:{target_id}", {"action": "invite"}),
                       ("person.refused", f"user:{target_id}", {"action": "delete"})]


def test_a_promotion_the_mirror_has_not_seen_still_protects_the_account(app, client, auth):
    learner_id = auth.create("boss@example.com", "Boss", ("learner",), password=None)
    with app.app_context():  # the host makes them an admin; they have not signed in since
        account = db.session.scalar(select(SiteUser).where(SiteUser.email == "boss@example.com"))
        account.roles = "admin"
        db.session.commit()
    auth.as_role("hr")
    token = auth.csrf(f"/training/people/{learner_id}")
    assert client.post(f"/training/people/{learner_id}/invitation", data={"csrf_token": token}).status_code == 403


def test_an_admin_invites_anyone_without_a_password_and_it_is_audited(app, client, auth):
    hr_id = auth.create("hr2@example.com", "HR Two", ("hr",), password=None)
    auth.as_role("admin")
    token = auth.csrf(f"/training/people/{hr_id}")
    response = client.post(f"/training/people/{hr_id}/invitation", data={"csrf_token": token})
    assert response.status_code == 200 and INVITE_RE.search(response.get_data(as_text=True))
    assert ("person.invited", f"user:{hr_id}", {"days": 7}) in audit_actions(app)


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_an_invitation_for_an_account_with_a_password_is_refused(app, client, auth, role):
    learner_id = auth.create("anna@example.com", "Анна", ("learner",))
    auth.as_role(role)
    page = client.get(f"/training/people/{learner_id}").get_data(as_text=True)
    assert 'data-has-password="true"' in page and "/invitation" not in page
    response = client.post(f"/training/people/{learner_id}/invitation", data={"csrf_token": csrf_from(page)},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert not INVITE_RE.search(html) and 'class="flash flash-error"' in html
    with app.app_context():
        assert db_session().scalar(select(Invitation).where(Invitation.user_id == learner_id)) is None


def test_a_pending_link_stops_working_once_the_account_has_a_password(app, client, auth):
    auth.as_role("hr")
    html = upload(client, "name,email,department\nАнна,anna@example.com,Продажи\n").get_data(as_text=True)
    [link] = INVITE_RE.findall(html)
    with app.app_context():  # meanwhile the operator gives the account a password (flask lms users create)
        SiteUserStore().set_password("anna@example.com", "operator-chosen-1")
        db.session.commit()
    logout(client)
    page = client.get(link)
    assert page.status_code == 404
    token = auth.csrf("/login")
    taken = client.post(link, data={"csrf_token": token, "password": "attacker-123", "confirm": "attacker-123"})
    assert taken.status_code == 404
    assert login(client, "anna@example.com", "attacker-123").status_code == 401
    assert login(client, "anna@example.com", "operator-chosen-1").status_code == 302


def test_hr_staff_import_cannot_rename_or_claim_an_admin_or_hr(app, client, auth):
    admin_id = auth.create("admin2@example.com", "Real Admin", ("admin",))
    auth.create("hr2@example.com", "Other HR", ("hr",))
    with app.app_context():
        SiteUserStore().create("hidden-admin@example.com", "Hidden", ("admin",), "password123")  # not mirrored yet
        session = db_session()
        session.get(User, admin_id).employee_id = "A1"
        session.commit()
    auth.as_role("hr")
    html = upload(client, "name,email,department,employee_id\n"
                          "Renamed,taken-over@example.com,Продажи,A1\n"
                          "Other HR renamed,hr2@example.com,Склад,\n"
                          "Hidden renamed,hidden-admin@example.com,Склад,\n"
                          "Новый,new@example.com,Склад,\n").get_data(as_text=True)
    assert rows_of(html) == {2: ("rejected", "privileged"), 3: ("rejected", "privileged"),
                             4: ("rejected", "privileged"), 5: ("created", "")}
    found = people(app)
    assert found["admin2@example.com"].name == "Real Admin" and found["hr2@example.com"].department is None
    assert "taken-over@example.com" not in found and "hidden-admin@example.com" not in found
    links = INVITE_RE.findall(html)
    assert len(links) == 1  # the new learner only
    with app.app_context():
        names = dict(db.session.execute(select(SiteUser.email, SiteUser.name)).all())
    assert names["admin2@example.com"] == "Real Admin" and names["hidden-admin@example.com"] == "Hidden"


def test_an_admin_staff_import_may_update_hr(app, client, auth):
    auth.create("hr2@example.com", "Other HR", ("hr",))
    auth.as_role("admin")
    html = upload(client, "name,email,department\nOther HR,hr2@example.com,Склад\n").get_data(as_text=True)
    assert rows_of(html) == {2: ("updated", "")}


def test_a_staff_import_cannot_move_someone_to_another_accounts_address(app, client, auth):
    learner_id = auth.create("anna@example.com", "Анна", ("learner",), password=None)
    with app.app_context():
        SiteUserStore().create("boss@example.com", "Boss", ("admin",), None)  # an account the LMS has not mirrored
        db_session().get(User, learner_id).employee_id = "E1"
        db_session().commit()
    auth.as_role("hr")
    html = upload(client, "name,email,department,employee_id\nАнна,boss@example.com,Продажи,E1\n")
    assert rows_of(html.get_data(as_text=True)) == {2: ("rejected", "email_taken")}
    assert people(app)["anna@example.com"].id == learner_id  # still Anna's address: no link can reach Boss


# -- 8. sessions can be revoked -------------------------------------------------------
def test_a_session_cookie_saved_before_logout_no_longer_works(app, client, auth):
    auth.create("anna@example.com", "Анна")
    assert login(client, "anna@example.com").status_code == 302
    saved = client.get_cookie("session").value
    logout(client)
    client.set_cookie("session", saved)
    assert not signed_in(client)


def test_a_password_change_ends_sessions_and_remember_cookies(app, auth):
    auth.create("anna@example.com", "Анна")
    laptop, phone = app.test_client(), app.test_client()
    assert login(laptop, "anna@example.com").status_code == 302
    assert login(phone, "anna@example.com", remember=True).status_code == 302
    remember = phone.get_cookie("remember_token").value
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert signed_in(fresh)  # the cookie works while nothing changed...
    with app.app_context():
        SiteUserStore().set_password("anna@example.com", "a-new-password")
        db.session.commit()
    assert not signed_in(laptop) and not signed_in(phone)
    stolen = app.test_client()
    stolen.set_cookie("remember_token", remember)
    assert not signed_in(stolen)  # ...and stops working with the old password


def test_remember_tokens_are_random_and_change_on_sign_out(app, client, auth):
    auth.create("anna@example.com", "Анна")
    with app.app_context():
        account_id = db.session.scalar(select(SiteUser.id).where(SiteUser.email == "anna@example.com"))
    login(client, "anna@example.com", remember=True)
    first = client.get_cookie("remember_token").value
    with app.test_request_context():
        assert first != encode_cookie(str(account_id))  # not derived from the id and the secret key alone
    logout(client)
    login(client, "anna@example.com", remember=True)
    assert client.get_cookie("remember_token").value != first


def test_a_session_without_the_token_is_not_accepted(app, client, auth):
    auth.create("anna@example.com", "Анна")
    with app.app_context():
        account_id = db.session.scalar(select(SiteUser.id).where(SiteUser.email == "anna@example.com"))
    login(client, "anna@example.com")
    with client.session_transaction() as session:  # what a session from before the upgrade holds
        session["_user_id"] = str(account_id)
    assert not signed_in(client)


def test_an_admin_signs_someone_out_everywhere(app, client, auth):
    learner_id = auth.create("anna@example.com", "Анна")
    anna = app.test_client()
    login(anna, "anna@example.com", remember=True)
    assert signed_in(anna)
    auth.as_role("admin")
    url = f"/training/people/{learner_id}/sessions"
    page = client.get(f"/training/people/{learner_id}").get_data(as_text=True)
    assert f'action="{url}"' in page
    unconfirmed = client.post(url, data={"csrf_token": csrf_from(page)})
    assert unconfirmed.status_code == 302 and signed_in(anna)
    done = client.post(url, data={"csrf_token": csrf_from(page), "confirm": "y"})
    assert done.status_code == 302 and not signed_in(anna)
    anna.delete_cookie("session")
    assert not signed_in(anna)  # the remember cookie is dead too
    assert ("person.sessions_ended", f"user:{learner_id}", {}) in audit_actions(app)
    assert signed_in(client)  # the admin's own session is untouched


def test_hr_cannot_sign_people_out_everywhere(app, client, auth):
    learner_id = auth.create("anna@example.com", "Анна")
    anna = app.test_client()
    login(anna, "anna@example.com")
    auth.as_role("hr")
    page = client.get(f"/training/people/{learner_id}").get_data(as_text=True)
    assert "/sessions" not in page
    response = client.post(f"/training/people/{learner_id}/sessions", data={"csrf_token": csrf_from(page),
                                                                             "confirm": "y"})
    assert response.status_code == 403 and signed_in(anna)


# -- 9. Secure cookies ----------------------------------------------------------------
@pytest.mark.parametrize("config, env, secure", [
    ({}, {}, False),
    ({"LMS_PUBLIC_URL": "https://lms.example.com"}, {}, True),
    ({"LMS_PUBLIC_URL": "http://lms.example.com"}, {}, False),
    ({}, {"LMS_SECURE_COOKIES": "true"}, True),
    ({"LMS_PUBLIC_URL": "https://lms.example.com"}, {"LMS_SECURE_COOKIES": "false"}, False),
])
def test_session_and_remember_cookies_are_secure_on_https(make_site, monkeypatch, config, env, secure):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = make_site(**config)
    with app.app_context():
        SiteUserStore().create("anna@example.com", "Анна", ["learner"], "password123")
        db.session.commit()
    response = login(app.test_client(), "anna@example.com", remember=True)
    assert response.status_code == 302
    cookies = {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}
    assert set(cookies) >= {"session", "remember_token"}
    for header in (cookies["session"], cookies["remember_token"]):
        assert ("; Secure" in header) is secure, header


# -- 10. one secret key, however many workers start at once ---------------------------
def test_workers_starting_together_share_one_secret_key(tmp_path, monkeypatch):
    import lms.site

    instance = tmp_path / "instance"
    first_waiting, second_done = threading.Event(), threading.Event()
    calls = []

    def token_hex(nbytes=32):
        calls.append(nbytes)
        if len(calls) == 1:  # the first worker is slow: the second one finishes meanwhile
            first_waiting.set()
            second_done.wait(10)
            return "a" * 64
        return "b" * 64

    monkeypatch.setattr(lms.site.secrets, "token_hex", token_hex)
    keys: dict[str, str] = {}

    def worker(name: str, done: threading.Event | None = None):
        keys[name] = secret_key(instance)
        if done is not None:
            done.set()

    slow = threading.Thread(target=worker, args=("slow",))
    slow.start()
    assert first_waiting.wait(10)
    fast = threading.Thread(target=worker, args=("fast", second_done))
    fast.start()
    fast.join(10)
    slow.join(10)
    assert keys["slow"] == keys["fast"] == (instance / "secret_key").read_text().strip()
    assert stat.S_IMODE(os.stat(instance / "secret_key").st_mode) == 0o600
    assert sorted(p.name for p in instance.iterdir()) == ["secret_key"]  # no temporary file left behind
    assert secret_key(instance) == keys["slow"]


# -- 13. open redirects -------------------------------------------------------------------
BAD_NEXT = ["/\t/evil.com", "/\\evil.com", "//evil.com", "https://evil.com", "/\r\nSet-Cookie: x=1",
            "/%09/evil.com", "/%5Cevil.com", "/\x00/evil.com", "\t//evil.com", "javascript:alert(1)",
            "/\u2028/evil.com", "", "evil.com"]


@pytest.mark.parametrize("target", BAD_NEXT)
def test_the_language_switch_never_leaves_the_site(client, target):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/training/language", data={"csrf_token": token, "language": "en", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/training/"


@pytest.mark.parametrize("target", BAD_NEXT)
def test_sign_in_never_sends_you_off_the_site(client, auth, target):
    auth.create("anna@example.com", "Анна")
    page = client.get("/login")
    response = client.post("/login", query_string={"next": target}, data={
        "email": "anna@example.com", "password": "password123", "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"] == "/training/"


def test_local_next_addresses_are_followed(client, auth):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    target = "/training/people/?q=%D0%B0%D0%BD%D0%BD%D0%B0&x=1"
    response = client.post("/training/language", data={"csrf_token": token, "language": "en", "next": target})
    assert response.headers["Location"] == target
    assert is_local_path("/training/courses/sample") and not is_local_path("/%2F/evil.com")


# -- 14. ids beyond the column range -----------------------------------------------------
def int_routes(app):
    from support.routes import ARGS

    for rule in app.url_map.iter_rules():
        numbers = [name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)]
        if numbers:
            yield rule, numbers, {name: ARGS.get(name, 1) for name in rule.arguments if name not in numbers}


@pytest.mark.parametrize("number", [2**31, 99999999999999999999])
def test_ids_beyond_the_column_range_are_not_found(app, client, auth, sample_course, number):
    auth.as_role("admin")
    token = auth.csrf()
    checked = 0
    for rule, numbers, others in int_routes(app):
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **others, **{name: number for name in numbers})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert checked >= 13


def test_the_largest_id_is_an_ordinary_not_found(app, client, auth, sample_course):
    auth.as_role("admin")
    for path in (f"/training/people/{2**31 - 1}", f"/training/trainer/groups/{2**31 - 1}"):
        assert client.get(path).status_code == 404


# -- 16. sign-in timing ---------------------------------------------------------------
def test_every_failed_sign_in_costs_one_password_hash(app, client, auth, monkeypatch):
    import lms.site.models as site_models

    auth.create("anna@example.com", "Анна")
    auth.create("invited@example.com", "Invited", password=None)
    checked: list[str] = []
    real = site_models.check_password_hash

    def counting(stored: str, password: str) -> bool:
        checked.append(stored.split("$", 1)[0])
        return real(stored, password)

    monkeypatch.setattr(site_models, "check_password_hash", counting)
    with app.app_context():
        method = db.session.scalar(select(SiteUser.password_hash).where(SiteUser.email == "anna@example.com"))
    method = method.split("$", 1)[0]
    for email in ("nobody@example.com", "anna@example.com", "invited@example.com"):
        checked.clear()
        assert login(client, email, "wrong-password").status_code == 401
        assert checked == [method], email  # one check, with the same algorithm and cost


# -- 18. behind a reverse proxy -----------------------------------------------------------
def failed_logins(app, addresses: list[str]) -> list[int]:
    codes = []
    for address in addresses:
        client = app.test_client()
        token = csrf_from(client.get("/login").get_data(as_text=True))
        codes.append(client.post("/login", data={"email": "x@example.com", "password": "wrong-password",
                                                 "csrf_token": token},
                                 headers={"X-Forwarded-For": address}).status_code)
    return codes


def test_trusted_proxies_give_each_client_its_own_rate_limit(make_site):
    app = make_site(LMS_TRUSTED_PROXIES=1, LMS_LOGIN_RATE_LIMIT="2 per minute",
                    LMS_RATELIMIT_KEY_PREFIX=f"proxy-{uuid.uuid4().hex}")
    assert failed_logins(app, ["203.0.113.1"] * 3 + ["203.0.113.2"]) == [401, 401, 429, 401]


def test_without_trusted_proxies_the_forwarded_header_is_ignored(make_site):
    app = make_site(LMS_LOGIN_RATE_LIMIT="2 per minute", LMS_RATELIMIT_KEY_PREFIX=f"direct-{uuid.uuid4().hex}")
    assert failed_logins(app, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [401, 401, 429]


# -- the site's migrations -------------------------------------------------------------


def site_upgrade(engine, revision="head"):
    migrate.upgrade(engine, SITE_MIGRATIONS, "site_alembic_version", SiteBase.metadata, revision=revision)


def test_the_site_migrations_match_the_site_models(fresh_engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    site_upgrade(fresh_engine)
    with fresh_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, SiteBase.metadata)
                       if not (d[0] == "remove_table" and d[1].name == "site_alembic_version")]
    assert differences == []


def test_existing_accounts_get_a_token_each(fresh_engine):
    site_upgrade(fresh_engine, "s0001")
    with fresh_engine.begin() as connection:
        for email in ("a@example.com", "b@example.com"):
            connection.execute(text(
                "INSERT INTO site_users (email, name, password_hash, roles, is_active_account, created_at) "
                "VALUES (:e, 'A', '', 'learner', true, CURRENT_TIMESTAMP)"), {"e": email})
    site_upgrade(fresh_engine)
    with fresh_engine.connect() as connection:
        tokens = connection.execute(text("SELECT session_token FROM site_users")).scalars().all()
    assert len(tokens) == 2 and len(set(tokens)) == 2 and all(len(t) >= 40 for t in tokens)
