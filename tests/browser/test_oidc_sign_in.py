"""Signing in through the company's identity provider, in Chromium: a real, certified OpenID provider (npm's
oidc-provider under node, with its own login and logout pages) gives a trainer's role through the ``groups``
claim; signing out goes through the provider's end-session endpoint, so the person is signed out of both;
the next sign-in, with the claim changed, changes the role."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from support.browser import Interface, open_menu

pytestmark = pytest.mark.browser
PROVIDER = "Test ID"


def sign_in_at_the_provider(page, live_server, t, login: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name=t("Sign in with %(provider)s", provider=PROVIDER)).click()
    page.locator("input[name=login]").fill(login)  # the provider's own (development) login page
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()


def test_sign_in_and_out_through_the_provider_with_the_role_from_a_claim(app, page, live_server, oidc_provider):
    t = Interface("ru")
    app.config.update(LMS_OIDC_NAME=PROVIDER, LMS_OIDC_ROLE_CLAIM="groups",
                      LMS_OIDC_ROLE_MAP=json.dumps({"lms-trainers": "trainer"}))
    oidc_provider.set_account("tanya", email="tanya@example.com", name="Таня Котова", groups=["lms-trainers"])
    # the provider's pages import a web font: nothing leaves the machine in a test
    page.route(re.compile(r"^https://fonts\.(googleapis|gstatic)\.com/"), lambda route: route.abort())

    sign_in_at_the_provider(page, live_server, t, "tanya")
    page.wait_for_url(f"{live_server}/training/trainer/")
    open_menu(page)
    expect(page.locator(".lms-user")).to_contain_text("Таня Котова")
    expect(page.get_by_role("link", name=t("Groups"))).to_be_visible()

    # sign out: the site ends its session, the provider asks, the provider ends its own and sends us back
    page.get_by_role("button", name=t("Sign out")).click()
    page.wait_for_url(re.compile(re.escape(oidc_provider.issuer) + r"/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server}/login")
    page.goto(f"{live_server}/training/")
    page.wait_for_url(re.compile(re.escape(live_server) + r"/login\?next="))  # signed out of the site

    # and out of the provider: it asks who we are again; this time the claim no longer names the trainers
    oidc_provider.set_account("tanya", email="tanya@example.com", name="Таня Котова", groups=["sales"])
    sign_in_at_the_provider(page, live_server, t, "tanya")
    page.wait_for_url(f"{live_server}/training/")
    open_menu(page)
    expect(page.get_by_role("link", name=t("Groups"))).to_have_count(0)
    assert page.goto(f"{live_server}/training/trainer/").status == 403


def test_with_passwords_turned_off_only_the_provider_is_offered(app, page, live_server, oidc_provider):
    t = Interface("ru")
    app.config.update(LMS_PASSWORD_LOGIN=False)
    page.goto(f"{live_server}/login")
    expect(page.get_by_role("link", name=t("Sign in with your company account"))).to_be_visible()
    expect(page.locator("input[type=password]")).to_have_count(0)
    expect(page.get_by_role("link", name=t("Forgot your password?"))).to_have_count(0)
