"""A learner earns a certificate in a real browser, downloads it and checks it as a stranger would."""
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from support import ROOT
from support.browser import sign_in

pytestmark = pytest.mark.browser
SERIAL = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}")


def test_complete_download_and_verify(page, live_server, auth, runner):
    result = runner.invoke(args=["lms", "courses", "import", str(ROOT / "tests" / "data" / "cert_courses")])
    assert result.exit_code == 0, result.output
    auth.create("learner@example.com", "Мария Кузнецова")
    sign_in(page, live_server)
    page.goto(live_server + "/training/courses/cert-basics/01-intro/01-promise")
    page.get_by_role("button", name="Пройдено, дальше").click()
    expect(page).to_have_url(re.compile(r"/01-intro/02-keep$"))
    page.get_by_role("button", name="Отметить как пройденный").click()
    # the last lesson completes the course: its completion page, with the certificate just issued
    expect(page).to_have_url(re.compile(r"/courses/cert-basics/complete$"))
    expect(page.locator(".completion-certificate .certificate-status")).to_have_attribute("data-status", "valid")

    page.goto(live_server + "/training/certificates/")
    card = page.locator(".certificate-card")
    expect(card).to_have_count(1)
    with page.expect_download() as download_info:
        card.locator("a.certificate-pdf").click()
    pdf = download_info.value
    text = PdfReader(io.BytesIO(open(pdf.path(), "rb").read())).pages[0].extract_text()
    assert "Мария Кузнецова" in text
    serial = SERIAL.search(text).group(0)
    assert card.get_attribute("data-serial") == serial

    page.context.clear_cookies()  # a stranger who scanned the QR code
    page.goto(f"{live_server}/training/verify/{serial}")
    expect(page.locator(".verification")).to_have_class(re.compile(r"verification-valid"))
    expect(page.locator(".certificate-status")).to_have_attribute("data-status", "valid")
    expect(page.locator(".holder")).to_have_text("Мария Кузнецова")
