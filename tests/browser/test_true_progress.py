"""The course outline tells the truth: a failed quiz and a lost role-play are not shown as done."""
import re

import pytest
from playwright.sync_api import expect

from support import csrf_from
from support.browser import sign_in
from support.quiz import answers_for, save, start, submit
from support.scenario import reply
from support.scenario import start as start_run

pytestmark = pytest.mark.browser
COURSE = "/training/courses/sample/"


def test_failed_and_lost_activities_show_their_true_state_and_continue_goes_back_to_them(
        page, live_server, auth, client, sample_course):
    auth.as_role("learner", "learner@example.com")
    # the first lesson read; the quiz failed; the role-play lost (through the same pages, by the test client)
    url = COURSE + "01-basics/01-welcome"
    client.post(url + "/done", data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True))})
    html = start(client)
    save(client, html, answers_for(html, right=False))
    assert submit(client, html).status_code == 302
    html = reply(client, start_run(client), "2")
    reply(client, html, "3")

    sign_in(page, live_server)
    page.goto(live_server + COURSE)
    quiz = page.locator('.activity[data-status]', has_text="Проверка знаний")
    call = page.locator('.activity-scenario')
    expect(quiz).to_have_attribute("data-status", "failed")
    expect(quiz.locator(".activity-check")).to_have_text("✗")
    expect(quiz).to_contain_text("Не сдано")
    expect(quiz.locator(".activity-score")).to_have_text(re.compile(r"лучший результат 0\s%, проходной балл 70\s%"))
    expect(call).to_have_attribute("data-status", "failed")
    expect(call.locator(".activity-check")).to_have_text("✗")
    # the counter counts what is met, the marks agree with it, and nothing failed looks done
    expect(page.locator(".course-status")).to_contain_text("Выполнено 1 из 5")
    expect(page.locator(".activity.is-done")).to_have_count(1)
    expect(page.locator(".status-failed.is-done")).to_have_count(0)
    # what is left is said in minutes
    expect(page.locator(".time-left")).to_contain_text("мин")
    # Continue leads to the first requirement not met: the second lesson, then (once read) the role-play
    page.get_by_role("link", name="Продолжить").click()
    expect(page).to_have_url(re.compile(r"/01-basics/02-speed$"))
    page.get_by_role("button", name="Пройдено, дальше").click()
    page.goto(live_server + COURSE)
    expect(page.locator(".course-status")).to_contain_text("Выполнено 2 из 5")
    page.get_by_role("link", name="Продолжить").click()
    expect(page).to_have_url(re.compile(r"/02-practice/01-checklist$"))
    page.get_by_role("button", name="Пройдено, дальше").click()
    page.goto(live_server + COURSE)
    page.get_by_role("link", name="Продолжить").click()
    expect(page).to_have_url(re.compile(r"/02-practice/02-call$"))


def test_content_follows_the_interface_language_and_the_course_names_its_languages(
        page, live_server, auth, sample_course):
    auth.create("learner@example.com")
    sign_in(page, live_server)
    page.goto(live_server + COURSE)
    expect(page.locator(".course-languages")).to_contain_text("English")
    expect(page.locator(".course-languages")).to_contain_text("العربية")
    page.get_by_role("link", name="Начать").click()   # enrols in the Russian edition
    expect(page.locator("h1")).to_have_text("Улыбка в голосе")
    with page.expect_navigation():
        page.get_by_label("Язык интерфейса").select_option("en")
    page.goto(live_server + COURSE + "01-basics/01-welcome")
    expect(page.locator("h1")).to_have_text("A smile in your voice")
    # an activity shown in a fallback language is marked as such, so its punctuation stays put
    page.goto(live_server + COURSE)
    expect(page.locator('.activity-title[lang="ru"]').first).to_be_visible()


def test_activity_pages_say_where_the_learner_is_in_the_module(page, live_server, auth, sample_course):
    auth.create("learner@example.com")
    sign_in(page, live_server)
    page.goto(live_server + COURSE + "01-basics/02-speed")
    expect(page.locator(".step-of")).to_have_text("(2 из 2 в этом модуле)")
