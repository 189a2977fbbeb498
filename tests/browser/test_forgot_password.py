"""A forgotten password, end to end in Chromium: the login page's link, the e-mail (sent through a real
SMTP server by the outbox, as `flask lms notify send` does), the link opened in the browser, a new
password, signed in; then the old password no longer works and the new one does."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lms.notify import outbox
from lms.site.models import SiteUser, db
from lms.site.reset import make_token
from lms.state import db_session

from support.browser import Interface, sign_in
from support.smtp import text_of

pytestmark = pytest.mark.browser
LEARNER = "learner@example.com"


@pytest.fixture
def mail_to_live_server(app, smtp, live_server):
    """The `smtp` fixture's server, with the links in the e-mails pointing at the live server."""
    app.config["LMS_PUBLIC_URL"] = live_server
    return smtp


def send_due(app) -> None:
    """What cron's `flask lms notify send` does, in the test's own thread, against the live server's app."""
    with app.app_context():
        report = outbox.send_due(db_session(), outbox.settings())
    assert report.sent == 1 and not report.errors, report


def test_a_forgotten_password_is_reset_from_the_emailed_link(app, auth, page, live_server, mail_to_live_server):
    smtp = mail_to_live_server
    t = Interface("ru")
    auth.create(LEARNER, "Анна Петрова", password="old-password-1")

    page.goto(f"{live_server}/login")
    page.get_by_role("link", name=t("Forgot your password?")).click()
    page.wait_for_url(f"{live_server}/forgot-password")
    page.get_by_label(t("E-mail")).fill(LEARNER)
    page.get_by_role("button", name=t("Send me a link")).click()
    page.wait_for_url(f"{live_server}/forgot-password/sent")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Check your e-mail"))
    assert smtp.inbox.messages == []  # the page only queued it

    send_due(app)
    [message] = smtp.inbox.to(LEARNER)
    [link] = set(re.findall(re.escape(live_server) + r"/reset-password/[A-Za-z0-9_.\-]+", text_of(message)))

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Choose a new password"))
    page.get_by_label(t("New password"), exact=True).fill("brand-new-pass")
    page.get_by_label(t("Repeat the password")).fill("brand-new-pass")
    page.get_by_role("button", name=t("Set password and sign in")).click()
    page.wait_for_url(f"{live_server}/training/")
    expect(page.locator("p.flash")).to_have_text(
        t("Your new password is set. You are signed in."))

    page.goto(link)  # once only
    expect(page.get_by_role("heading", level=1)).to_have_text(t("This link does not work"))
    expect(page.get_by_role("link", name=t("Ask for a new link"))).to_be_visible()

    page.context.clear_cookies()  # signed out
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(LEARNER)
    page.get_by_label(t("Password")).fill("old-password-1")
    page.get_by_role("button", name=t("Sign in")).click()
    expect(page.locator("p.flash")).to_have_text(t("Wrong e-mail or password. Check them and try again."))
    sign_in(page, live_server, LEARNER, "brand-new-pass")
    assert "/training/" in page.url


AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_the_pages_pass_axe_left_to_right_and_right_to_left(app, auth, browser, live_server, language):
    auth.create(LEARNER, "Анна Петрова")
    with app.app_context():
        account = db.session.scalar(db.select(SiteUser).where(SiteUser.email == LEARNER))
        token = make_token(account)
    context = browser.new_context(locale=language, bypass_csp=True, viewport={"width": 360, "height": 800})
    page = context.new_page()
    try:
        for path, status in (("/forgot-password", 200), ("/forgot-password/sent", 200),
                             (f"/reset-password/{token}", 200), ("/reset-password/not-a-token", 404)):
            response = page.goto(live_server + path)
            assert response.status == status, path
            assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
            blocking = [(v["id"], v["help"]) for v in violations if v["impact"] in ("critical", "serious")]
            assert not blocking, (language, path, blocking)
    finally:
        context.close()
