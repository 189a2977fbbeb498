"""Two studio promises of issue 16 that only a real browser shows: a click on a problem in the editor puts the
cursor on its line, and dragging an activity by its handle reorders the outline (the order the server keeps)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from support import make_editor
from support.browser import sign_in

pytestmark = pytest.mark.browser

OUTLINE = "/training/author/sample/"


@pytest.fixture
def trainer_page(browser, live_server, auth, app, sample_course):
    auth.create("trainer@example.com", "Тимур Тренер", ("trainer",))
    make_editor(app, "sample", "trainer@example.com")
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "trainer@example.com")
    yield page
    context.close()


def test_a_click_on_a_problem_puts_the_cursor_on_its_line(trainer_page, live_server):
    page = trainer_page
    page.goto(f"{live_server}/training/author/sample/edit?path=01-basics/02-speed.md")
    editor = page.get_by_label("Исходный текст (Markdown)")
    problems = page.locator(".editor-problems")
    expect(problems).to_have_text("Проблем нет")

    editor.press("Control+End")
    editor.press_sequentially("\n\nСм. [урок](99-missing.md)\n\nЕщё одна строка.")
    line = next(n for n, text in enumerate(editor.input_value().split("\n"), 1) if "99-missing.md" in text)
    problem = problems.get_by_role("listitem")
    expect(problem).to_contain_text(f"строка {line}")
    assert editor.evaluate("t => t.value.slice(0, t.selectionStart).split('\\n').length") != line

    problem.click()
    expect(editor).to_be_focused()
    assert editor.evaluate("t => t.value.slice(0, t.selectionStart).split('\\n').length") == line
    assert "99-missing.md" in editor.evaluate("t => t.value.slice(t.selectionStart, t.selectionEnd)")


def test_dragging_an_activity_by_its_handle_reorders_the_outline(trainer_page, live_server):
    page = trainer_page
    page.goto(f"{live_server}{OUTLINE}")
    activities = page.locator("#module-01-basics .outline-activity")
    before = activities.evaluate_all("items => items.map(li => li.dataset.key)")
    assert len(before) >= 2, before
    last_handle = activities.nth(len(before) - 1).locator(".drag-handle")
    first = activities.first
    with page.expect_navigation():  # outline.js posts the order, then reloads the server's outline
        last_handle.drag_to(first, target_position={"x": 10, "y": 2})
    expect(page).to_have_url(re.compile(re.escape(OUTLINE) + "$"))
    after = page.locator("#module-01-basics .outline-activity").evaluate_all(
        "items => items.map(li => li.dataset.key)")
    assert after == [before[-1], *before[:-1]], (before, after)
