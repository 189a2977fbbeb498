"""Comparing two versions in the studio, in a real browser: at 1280 px and 1024 px, in Russian and in
Arabic (right to left), the changed activity is found by its title, its two versions stand side by
side with the changed words marked, and the page does not scroll sideways."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import expect

from lms.i18n import TRANSLATIONS

from support import SAMPLE_COURSES, csrf_from, make_editor

pytestmark = pytest.mark.browser

LOCALES = {"ru": ("ru-RU", "ltr"), "ar": ("ar", "rtl")}
#: the lesson's title as each reader's edition has it: the Arabic edition falls back to English for it
TITLES = {"ru": "Скорость ответа клиенту", "ar": "Speed of reply"}
EDITS = {
    "01-basics/02-speed.md": [("title: Скорость ответа", "title: Скорость ответа клиенту"), ("10–30", "10–20")],
    "01-basics/01-welcome.ar.md": [("حتى عبر الهاتف", "حتى عبر الهاتف وفي الرسائل")],
    "02-practice/03-quiz.md": [("Весь прайс-лист", "Весь прайс-лист целиком")],
}
#: set LMS_SCREENSHOTS to a folder to keep a picture of each page
SHOTS = os.environ.get("LMS_SCREENSHOTS")


def publish_a_second_version(app, client):
    """Drafts saved as the editor saves them, then published through the publish form's route."""
    from sqlalchemy import select

    from lms.models import Course
    from lms.services import authoring
    from lms.state import db_session

    with app.app_context():
        session = db_session()
        course = session.scalar(select(Course).where(Course.slug == "sample"))
        for path, replacements in EDITS.items():
            text = (SAMPLE_COURSES / "sample" / path).read_text(encoding="utf-8")
            for old, new in replacements:
                assert old in text, (path, old)
                text = text.replace(old, new)
            authoring.save_draft(session, course, path, text.encode(), None)
        session.commit()
    token = csrf_from(client.get("/training/author/").get_data(as_text=True))
    response = client.post("/training/author/sample/publish", data={"csrf_token": token, "note": "Сроки: 10–20 минут"})
    assert response.status_code == 302


@pytest.mark.parametrize("width", [1280, 1024])
@pytest.mark.parametrize("language", ["ru", "ar"])
def test_the_changed_activity_is_found_by_title_with_its_words_marked(language, width, browser, live_server, auth,
                                                                      client, app, sample_course):
    locale, direction = LOCALES[language]
    _ = Translations.load(str(TRANSLATIONS), [language], "lms").gettext
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    publish_a_second_version(app, client)

    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server}/login")
        page.locator('input[name="email"]').fill("trainer@example.com")
        page.locator('input[name="password"]').fill("password123")
        page.locator('form.stacked button[type="submit"]').click()
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"{live_server}/training/author/sample/versions")
        assert page.locator("html").get_attribute("dir") == direction
        expect(page.get_by_role("heading", level=2)).to_contain_text(
            _("What changed from version %(old)s to version %(new)s") % {"old": 1, "new": 2})
        expect(page.get_by_role("cell", name="Сроки: 10–20 минут")).to_be_visible()

        # the table of contents names the lesson by its title; its link leads to the lesson's changes
        contents = page.get_by_role("navigation", name=_("Contents"))
        contents.get_by_role("link", name=TITLES[language]).click()
        lesson = page.locator("article#activity-01-basics--02-speed")
        expect(lesson.get_by_role("heading", level=4)).to_have_text(TITLES[language])
        expect(lesson).to_be_in_viewport()

        # side by side: the old version on the reading side's start, the new beside it, same row
        text = lesson.locator("table.sbs").first
        old, new = text.locator("tr.sbs-change del.diff-del").first, text.locator("tr.sbs-change ins.diff-ins").last
        expect(old).to_contain_text("30")
        expect(new).to_contain_text("20")
        old_box, new_box = old.bounding_box(), new.bounding_box()
        assert old_box and new_box
        if direction == "ltr":
            assert old_box["x"] < new_box["x"]
        else:
            assert old_box["x"] > new_box["x"]
        # the source is folded away under its own toggle, and opens
        source = lesson.locator("details.change-source")
        expect(source.locator("table")).to_be_hidden()
        source.locator("summary").click()
        expect(source.locator("ins.diff-ins").filter(has_text="20")).to_be_visible()

        # Arabic content reads right to left in its own cell, whatever the page's direction
        welcome = page.locator("article#activity-01-basics--01-welcome")
        arabic = welcome.locator("tr.sbs-change td.sbs-new .sbs-line").first
        assert arabic.evaluate("cell => getComputedStyle(cell).direction") == "rtl"
        expect(arabic.locator("ins.diff-ins")).to_contain_text("وفي الرسائل")

        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth + 1")
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.goto(f"{live_server}/training/author/sample/versions")
            page.screenshot(path=f"{SHOTS}/versions-{language}-{width}.png", full_page=True)
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            page.locator("article#activity-01-basics--02-speed").screenshot(
                path=f"{SHOTS}/versions-{language}-{width}-source.png")
            page.set_viewport_size({"width": 390, "height": 844})
            page.locator("article#activity-01-basics--02-speed").screenshot(
                path=f"{SHOTS}/versions-{language}-390-source.png")
    finally:
        context.close()
