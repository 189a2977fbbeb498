"""Signing in through a real OpenID provider (npm's oidc-provider under node) with the test client: the
provider's own login page is driven over HTTP (``support.oidc``). The code flow with PKCE, the ID token
checked against the provider's keys, accounts matched by subject then verified e-mail, roles from the
``groups`` claim refreshed at each sign-in, refusals on a clear page, and passwords turned off."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import select

from lms.models import User
from lms.site.models import SiteUser, db
from lms.state import db_session

from support import csrf_from

TRAINER_MAP = {"LMS_OIDC_ROLE_CLAIM": "groups", "LMS_OIDC_ROLE_MAP": json.dumps({"lms-trainers": "trainer"})}


def start(client, path: str = "/login/oidc"):
    response = client.get(path)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def sign_in(client, provider, login: str, path: str = "/login/oidc", browser: requests.Session | None = None):
    """Through the provider as ``login``: the site's answer to the provider's redirect back."""
    callback = provider.sign_in(start(client, path), login, browser)
    assert callback.startswith("http://localhost/login/oidc/callback?"), callback
    return client.get(callback.removeprefix("http://localhost"))


def site_user(app, email: str) -> SiteUser | None:
    with app.app_context():
        return db.session.scalar(select(SiteUser).where(SiteUser.email == email))


def lms_roles(app, client, email: str) -> str:
    """The roles the plugin's own row holds, after a page of the plugin (which mirrors the account)."""
    client.get("/training/")
    with app.app_context():
        return db_session().scalar(select(User.roles).where(User.email == email))


def test_the_authorization_request_uses_pkce_state_and_nonce(app, client, oidc_provider):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile", "groups"}
    assert query["redirect_uri"] == ["http://localhost/login/oidc/callback"]
    with client.session_transaction() as session:  # the verifier stays here, never in the address
        [stored] = [value["data"] for key, value in session.items() if key.startswith("_state_")]
    assert stored["nonce"] == query["nonce"][0] and len(stored["code_verifier"]) >= 43


def test_a_new_person_gets_an_account_with_the_role_from_the_claim(app, client, oidc_provider):
    app.config.update(TRAINER_MAP)
    oidc_provider.set_account("t-100", email="Tanya@Example.com", name="Таня Котова", groups=["lms-trainers"])

    response = sign_in(client, oidc_provider, "t-100")
    assert response.status_code == 302 and response.headers["Location"] == "/training/trainer/"
    account = site_user(app, "tanya@example.com")
    assert (account.name, account.roles, account.oidc_issuer, account.oidc_subject, account.password_hash) == \
        ("Таня Котова", "trainer", oidc_provider.issuer, "t-100", "")
    assert client.get("/training/trainer/").status_code == 200
    assert lms_roles(app, client, "tanya@example.com") == "trainer"


def test_roles_are_refreshed_from_the_claim_at_each_sign_in(app, client, oidc_provider, auth):
    app.config.update(TRAINER_MAP)
    oidc_provider.set_account("t-101", email="boris@example.com", name="Boris", groups=["lms-trainers", "other"])
    sign_in(client, oidc_provider, "t-101")
    assert lms_roles(app, client, "boris@example.com") == "trainer"
    auth.logout()

    oidc_provider.set_account("t-101", email="boris@example.com", name="Boris B.", groups=["other"])
    response = sign_in(client, oidc_provider, "t-101")
    assert response.headers["Location"] == "/training/"
    assert site_user(app, "boris@example.com").roles == "learner"
    assert lms_roles(app, client, "boris@example.com") == "learner"
    assert client.get("/training/trainer/").status_code == 403
    with app.app_context():
        assert db_session().scalar(select(User.name).where(User.email == "boris@example.com")) == "Boris B."


def test_without_a_role_claim_the_roles_stay_the_lms_own(app, client, oidc_provider, auth):
    auth.create("hr@example.com", "Helena", roles=("hr",))
    oidc_provider.set_account("h-1", email="hr@example.com", name="Helena", groups=["lms-trainers"])
    response = sign_in(client, oidc_provider, "h-1")
    assert response.headers["Location"].startswith("/training/reports/")
    assert site_user(app, "hr@example.com").roles == "hr"


def test_a_verified_address_links_the_local_account_and_the_subject_finds_it_afterwards(
        app, client, oidc_provider, auth):
    auth.create("anna@example.com", "Anna", password="local-pass-1")
    oidc_provider.set_account("a-1", email="anna@example.com", name="Anna P.")
    sign_in(client, oidc_provider, "a-1")
    account = site_user(app, "anna@example.com")
    assert account.oidc_subject == "a-1" and account.name == "Anna P."
    auth.logout()

    # the provider's address changes: the subject still finds the account, which takes the new address
    oidc_provider.set_account("a-1", email="anna.p@example.com", name="Anna P.")
    assert sign_in(client, oidc_provider, "a-1").status_code == 302
    assert site_user(app, "anna.p@example.com").id == account.id
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(SiteUser)) == 1


def test_an_unverified_address_never_reaches_an_existing_account(app, client, oidc_provider, auth):
    auth.create("boss@example.com", "Boss", roles=("admin",))
    oidc_provider.set_account("x-1", email="boss@example.com", name="Not the boss", email_verified=False)
    response = sign_in(client, oidc_provider, "x-1")
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and 'data-oidc-error="403"' in page and "boss@example.com" in page
    assert site_user(app, "boss@example.com").oidc_subject is None
    assert client.get("/training/").status_code == 302  # not signed in


def test_an_unverified_address_may_still_open_a_new_account(app, client, oidc_provider):
    oidc_provider.set_account("n-1", email="new@example.com", name="New", email_verified=False)
    assert sign_in(client, oidc_provider, "n-1").headers["Location"] == "/training/"
    assert site_user(app, "new@example.com").oidc_subject == "n-1"


def test_a_closed_account_is_refused(app, client, oidc_provider, auth):
    auth.create("gone@example.com", "Gone")
    with app.app_context():
        db.session.scalar(select(SiteUser).where(SiteUser.email == "gone@example.com")).is_active_account = False
        db.session.commit()
    oidc_provider.set_account("g-1", email="gone@example.com", name="Gone")
    response = sign_in(client, oidc_provider, "g-1")
    assert response.status_code == 403 and "data-oidc-error" in response.get_data(as_text=True)


def test_a_tampered_state_is_refused_with_a_clear_page(app, client, oidc_provider):
    oidc_provider.set_account("s-1", email="s@example.com", name="S")
    callback = oidc_provider.sign_in(start(client), "s-1")
    query = parse_qs(urlsplit(callback).query)
    response = client.get("/login/oidc/callback", query_string={"code": query["code"][0], "state": "forged"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'data-oidc-error="400"' in page and "Traceback" not in page
    assert site_user(app, "s@example.com") is None


def test_an_id_token_with_another_nonce_is_refused(app, client, oidc_provider):
    oidc_provider.set_account("s-2", email="s2@example.com", name="S")
    authorization = start(client)
    with client.session_transaction() as session:  # the site expects another nonce than the one it sent
        for key, value in session.items():
            if key.startswith("_state_"):
                value["data"]["nonce"] = "another-nonce"
                session[key] = value
    callback = oidc_provider.sign_in(authorization, "s-2")
    response = client.get(callback.removeprefix("http://localhost"))
    assert response.status_code == 400 and 'data-oidc-error="400"' in response.get_data(as_text=True)
    assert site_user(app, "s2@example.com") is None


def test_a_code_is_used_once(app, client, oidc_provider):
    oidc_provider.set_account("s-3", email="s3@example.com", name="S")
    callback = oidc_provider.sign_in(start(client), "s-3").removeprefix("http://localhost")
    assert client.get(callback).status_code == 302
    assert client.get(callback).status_code == 400  # its state was used up with it


def test_a_refusal_by_the_provider_is_a_clear_page(app, client, oidc_provider):
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get("/login/oidc/callback", query_string={"error": "access_denied", "state": state})
    assert response.status_code == 403 and 'data-oidc-error="403"' in response.get_data(as_text=True)


def test_an_unreachable_provider_is_a_clear_page(app, client, oidc_provider):
    from support import free_port

    app.config["LMS_OIDC_ISSUER"] = f"http://127.0.0.1:{free_port()}/gone"  # nothing listens there
    response = client.get("/login/oidc")
    assert response.status_code == 502 and 'data-oidc-error="502"' in response.get_data(as_text=True)


def test_next_is_followed_only_to_this_site(app, client, oidc_provider, auth):
    oidc_provider.set_account("n-2", email="n2@example.com", name="N")
    browser = requests.Session()
    assert sign_in(client, oidc_provider, "n-2", "/login/oidc?next=/training/catalogue/",
                   browser).headers["Location"] == "/training/catalogue/"
    auth.logout()
    assert sign_in(client, oidc_provider, "n-2", "/login/oidc?next=//evil.example/",
                   browser).headers["Location"] == "/training/"


def test_the_login_page_offers_the_provider(app, client, oidc_provider):
    app.config["LMS_OIDC_NAME"] = "Keycloak"
    page = client.get("/login?next=/training/catalogue/").get_data(as_text=True)
    assert 'href="/login/oidc?next=/training/catalogue/"' in page and "Keycloak" in page
    assert 'name="password"' in page


def test_sign_out_goes_through_the_providers_end_session_endpoint(app, client, oidc_provider):
    oidc_provider.set_account("o-1", email="o@example.com", name="O")
    sign_in(client, oidc_provider, "o-1")
    with client.session_transaction() as session:
        id_token = session["lms_oidc_id_token"]
    token = csrf_from(client.get("/training/").get_data(as_text=True))
    response = client.post("/logout", data={"csrf_token": token})
    location = urlsplit(response.headers["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{oidc_provider.issuer}/session/end"
    assert query["id_token_hint"] == [id_token] and query["client_id"] == ["lms-site"]
    assert query["post_logout_redirect_uri"] == ["http://localhost/logout/oidc"] and query["state"][0]
    assert client.get("/training/").status_code == 302  # signed out here already
    back = client.get("/logout/oidc", query_string={"state": query["state"][0]})
    assert back.headers["Location"] == "/login"


def test_sign_out_without_a_valid_form_stays_signed_in(app, client, oidc_provider):
    oidc_provider.set_account("o-2", email="o2@example.com", name="O")
    sign_in(client, oidc_provider, "o-2")
    response = client.post("/logout", data={})
    assert response.status_code in (302, 400) and client.get("/training/").status_code == 200


def test_with_passwords_turned_off_the_form_is_gone_and_refused(app, client, oidc_provider, auth):
    auth.create("p@example.com", "P", password="password123")
    app.config["LMS_PASSWORD_LOGIN"] = False
    page = client.get("/login").get_data(as_text=True)
    assert 'name="password"' not in page and 'href="/login/oidc' in page and "/forgot-password" not in page
    token = csrf_from(page)
    response = client.post("/login", data={"email": "p@example.com", "password": "password123",
                                           "csrf_token": token})
    assert response.status_code == 403 and client.get("/training/").status_code == 302
    assert client.get("/forgot-password").status_code == 404
    assert client.post("/forgot-password", data={"email": "p@example.com"}).status_code in (400, 404)
    assert client.get("/reset-password/anything").status_code == 404


def test_without_a_provider_its_pages_do_not_exist(app, client):
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?code=x&state=y").status_code == 404
    assert "/login/oidc" not in client.get("/login").get_data(as_text=True)


def test_with_passwords_off_imported_staff_get_no_invitation_to_choose_one(app, client, auth, smtp):
    """People sign in through the provider (matched by their verified e-mail): an invitation to choose a
    password they could never use is neither made nor e-mailed."""
    from lms.models import Invitation
    from lms.notify import outbox
    from lms.services.people import import_staff
    from lms.site.accounts import SiteUserStore
    from lms.state import db_session

    app.config["LMS_PASSWORD_LOGIN"] = False
    with app.app_context():
        session = db_session()
        result = import_staff(session, "name,email,department\nНовый Сотрудник,new@example.com,Продажи\n".encode(), store=SiteUserStore())
        session.commit()
        assert [row.action for row in result.rows] == ["created"] and not result.invitations
        assert session.query(Invitation).count() == 0
        outbox.send_due(session, outbox.settings())
    assert smtp.inbox.messages == []
