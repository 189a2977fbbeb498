"""A new trainer makes a course from the studio alone, in a real browser: a module with a lesson, a quiz, a
role-play and a task from their templates, the draft role-play played, its map read, published with a note,
renamed, published again and the two versions compared by title. In Russian at 1280 px and in Arabic at 1024 px
(the editor shows source and preview side by side from 1024 px)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lms.activities import kinds

from support.browser import Interface, sign_in

pytestmark = pytest.mark.browser


def kind_label(name: str, t: Interface) -> str:
    return t({"lesson": "Lesson", "quiz": "Quiz", "scenario": "Role-play", "task": "Task"}[name])


@pytest.mark.parametrize(("language", "width"), [("ru", 1280), ("ru", 1024), ("ar", 1280), ("ar", 1024)])
def test_a_new_trainer_builds_plays_maps_publishes_and_compares_a_course(browser, live_server, auth, language,
                                                                          width):
    t = Interface(language)
    auth.create("trainer@example.com", "Тимур Тренер", ("trainer",))
    context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, "trainer@example.com")
        page.goto(f"{live_server}/training/author/")
        page.get_by_label("Язык интерфейса").select_option(language)
        page.wait_for_load_state()

        # a new course, in the interface's language
        page.locator('input[name="slug"]').fill("objections")
        page.locator('input[name="title"]').fill("Возражения" if language == "ru" else "الاعتراضات")
        page.locator('form[action$="/author/new"] select[name="language"]').select_option(language)
        page.locator('form[action$="/author/new"] button[type="submit"]').click()
        expect(page.get_by_role("heading", name=t("Outline"))).to_be_visible()
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")

        # a module, then one activity of each kind from its template; the editor opens on each
        page.get_by_label(t("New module")).fill("Цена" if language == "ru" else "السعر")
        page.get_by_role("button", name=t("Add module")).click()
        module = page.locator(".outline-module").last
        expect(module.get_by_role("heading", level=3)).to_contain_text("Цена" if language == "ru" else "السعر")
        titles = {"lesson": "Цена и ценность", "quiz": "Проверка", "scenario": "Дорого!", "task": "На смене"} \
            if language == "ru" else {"lesson": "السعر والقيمة", "quiz": "اختبار", "scenario": "غالٍ جدًا!",
                                      "task": "في المناوبة"}
        for kind in kinds():
            module = page.locator(".outline-module").last
            module.locator("details.add-activity > summary").click()
            module.get_by_label(kind_label(kind.name, t), exact=True).check()
            module.locator('details.add-activity input[name="title"]').fill(titles[kind.name])
            module.get_by_role("button", name=t("Add and edit")).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(titles[kind.name])
            # source and preview side by side, the problems beside them, nothing wrong with a template
            source = page.locator("textarea.editor-text").bounding_box()
            preview = page.locator(".editor-preview").bounding_box()
            assert abs(source["y"] - preview["y"]) < 120 and (preview["x"] > source["x"] + source["width"] - 1
                                                               or source["x"] > preview["x"] + preview["width"] - 1)
            expect(page.locator(".editor-problems li.ok")).to_be_visible()
            page.get_by_role("link", name=t("Back to the outline")).click()

        # the outline lists them by title, not by file name
        outline = page.locator(".outline-module").last
        for title in titles.values():
            expect(outline.get_by_role("link", name=title)).to_be_visible()
        expect(page.locator(".outline")).not_to_contain_text(".md")

        # play the draft role-play to an ending: nothing is recorded, the banner says so
        role_play = outline.locator(".outline-activity").filter(has_text=titles["scenario"])
        role_play.get_by_role("link", name=t("Play the draft")).click()
        expect(page.locator(".draft-play-banner")).to_be_visible()
        page.get_by_role("button", name=t("Start the conversation")).click()
        for _ in range(10):
            if page.locator("#ending-title").count():
                break
            page.locator(".reply-button").first.click()
        expect(page.locator("#ending-title")).to_be_visible()

        # the map of the role-play: an SVG whose steps open the editor at their line
        page.goto(f"{live_server}/training/author/objections/")
        outline = page.locator(".outline-module").last
        outline.locator(".outline-activity").filter(has_text=titles["scenario"]).get_by_role(
            "link", name=t("Map")).click()
        svg = page.locator("svg").filter(has=page.locator("a")).first
        expect(svg).to_be_visible()
        svg.locator("a").first.click()
        expect(page).to_have_url(re.compile(r"/edit\?path=.*&line=\d+|/edit\?line=\d+&path="))

        # publish with a one-line note
        page.goto(f"{live_server}/training/author/objections/")
        page.get_by_label(t("What changed in this version?")).fill("Первая версия" if language == "ru"
                                                                    else "النسخة الأولى")
        page.get_by_role("button", name=t("Publish"), exact=True).click()
        expect(page.locator(".flashes")).to_be_visible()

        # rename the lesson and publish again, then compare the versions by title
        lesson = page.locator(".outline-activity").filter(has_text=titles["lesson"])
        lesson.locator("details.rename > summary").click()
        renamed = "Цена и польза" if language == "ru" else "السعر والفائدة"
        lesson.get_by_label(t("New title")).fill(renamed)
        lesson.get_by_role("button", name=t("Save"), exact=True).click()
        expect(page.get_by_role("link", name=renamed)).to_be_visible()
        page.get_by_label(t("What changed in this version?")).fill("Новое название урока" if language == "ru"
                                                                    else "عنوان جديد للدرس")
        page.get_by_role("button", name=t("Publish"), exact=True).click()
        page.get_by_role("link", name=t("Versions and differences")).click()
        expect(page.get_by_text("Новое название урока" if language == "ru" else "عنوان جديد للدرس")).to_be_visible()
        page.get_by_role("link", name=re.compile(re.escape(t("What changed")))).first.click()
        changes = page.locator(".versions-page")
        expect(changes).to_contain_text(renamed)
        expect(changes.locator("ins").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
