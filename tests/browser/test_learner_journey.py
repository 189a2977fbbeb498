"""A learner in a real browser: sign in, read a lesson, mark it done, see progress move."""
import re

import pytest
from playwright.sync_api import expect

from support.browser import sign_in

pytestmark = pytest.mark.browser


def test_learner_completes_a_lesson_and_progress_moves(page, live_server, auth, runner, sample_course):
    auth.create("learner@example.com", "Анна Петрова")
    runner.invoke(args=["lms", "assign", "sample", "--to", "learner@example.com", "--due", "2031-06-30"])
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    sign_in(page, live_server)
    expect(page.get_by_role("heading", name="Моё обучение")).to_be_visible()
    card = page.locator(".card", has_text="Основы сервиса")
    expect(card.locator("progress")).to_have_attribute("value", "0")
    card.get_by_role("link", name="Начать").click()

    expect(page.get_by_role("heading", name="Улыбка в голосе")).to_be_visible()
    expect(page.locator(".lesson-body img")).to_have_js_property("naturalWidth", 4)
    page.get_by_role("button", name="Пройдено, дальше").click()
    expect(page.get_by_role("heading", name="Скорость ответа")).to_be_visible()

    # a reload loses nothing: the first lesson stays done, progress shows it
    page.reload()
    page.get_by_role("link", name="Основы сервиса").click()
    expect(page.locator(".course-status progress")).to_have_attribute("value", "1")
    expect(page.locator(".course-status")).to_contain_text("Выполнено 1 из 5")
    expect(page.locator(".activity.is-done")).to_have_count(1)
    page.get_by_role("link", name="Продолжить").click()
    expect(page).to_have_url(re.compile(r"/01-basics/02-speed$"))
    assert errors == [], errors


def test_arabic_interface_is_right_to_left(page, live_server, auth, sample_course):
    auth.create("learner@example.com")
    sign_in(page, live_server)
    with page.expect_navigation(url="**/training/"):  # the select submits its form (JS) and the page reloads
        page.get_by_label("Язык интерфейса").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl", timeout=10_000)
    expect(page.get_by_role("heading", name="تدريبي")).to_be_visible()
    brand = page.locator(".lms-brand").bounding_box()
    assert brand["x"] > 390 / 2, "the brand should sit on the right in a right-to-left layout"
