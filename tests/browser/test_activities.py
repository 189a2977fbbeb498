"""Quizzes and role-play scenarios in a real browser."""
import pytest
from playwright.sync_api import expect

from support.browser import sign_in
from support.quiz_page import pair, put_in_order

pytestmark = pytest.mark.browser
QUIZ = "/training/courses/sample/02-practice/03-quiz"
SCENARIO = "/training/courses/sample/02-practice/02-call"


def fill_quiz(page, right: bool):
    page.locator('input[name="q-speed"]').fill("15" if right else "90")
    page.get_by_label("Улыбку в голосе" if right else "Ничего особенного").check()
    for label in (["Срок", "Имя менеджера"] if right else ["Весь прайс-лист"]):
        page.get_by_label(label, exact=True).check()
    page.get_by_label("Верно", exact=True).check() if right else page.get_by_label("Неверно", exact=True).check()
    page.locator('input[name="q-host"]').fill("администратор" if right else "официант")
    pair(page.locator("#question-channels"), "Мессенджер", "10 минут" if right else "30 минут")
    pair(page.locator("#question-channels"), "Почта", "30 минут" if right else "10 минут")
    order = ["Ответить за 10–30 минут", "Уточнить потребности", "Отправить КП"]
    put_in_order(page.locator("#question-steps"), order if right else list(reversed(order)))
    page.get_by_role("button", name="Сохранить ответы").click()
    page.get_by_role("button", name="Сдать тест").click()


def test_quiz_with_every_answer_type_fail_then_pass(page, live_server, auth, sample_course):
    auth.create("learner@example.com")
    sign_in(page, live_server)
    page.goto(live_server + QUIZ)
    page.get_by_role("button", name="Начать тест").click()
    expect(page.locator(".quiz-status progress")).to_have_attribute("max", "7")
    fill_quiz(page, right=False)
    expect(page.locator(".score-card")).to_contain_text("Не сдано: нужно 70%.")
    expect(page.locator(".result-list")).to_contain_text("Клиент слышит интонацию, даже не видя вас.")
    expect(page.locator(".result-list")).to_contain_text("Отвечайте на заявку за 10–30 минут.")
    page.get_by_role("link", name="Попробовать ещё раз").click()
    page.get_by_role("button", name="Попробовать ещё раз").click()
    fill_quiz(page, right=True)
    expect(page.locator(".score-card")).to_contain_text("Сдано. Отлично!")
    expect(page.locator(".score")).to_have_text("100\u00a0%")


def test_role_play_through_a_conditional_branch_to_the_ending(page, live_server, auth, sample_course):
    auth.create("learner@example.com")
    sign_in(page, live_server)
    page.goto(live_server + SCENARIO)
    page.get_by_role("button", name="Начать разговор").click()
    expect(page.locator(".chat")).to_contain_text("Когда будет готов мой заказ?")
    page.get_by_role("button", name="Завтра к 12:00, обещаю.").click()
    expect(page.locator(".mood-value")).to_have_text("−1")  # a real minus sign (U+2212)
    page.reload()  # the run survives a reload mid-dialogue
    expect(page.locator(".bubble-learner p")).to_have_text("Завтра к 12:00, обещаю.")
    page.get_by_role("button", name="Отправить заказ вовремя.").click()
    ending = page.locator(".scenario-ending")
    expect(ending).to_contain_text("Постоянный клиент")
    expect(ending).to_contain_text("Вы пообещали и сделали.")
    expect(ending.locator(".competencies")).to_contain_text("Выполнение обещаний")
    expect(page.locator(".mood-value")).to_have_text("+1")


def test_role_play_free_text_turn_is_pending_review(page, live_server, auth, sample_course):
    auth.create("learner@example.com")
    sign_in(page, live_server)
    page.goto(live_server + SCENARIO)
    page.get_by_role("button", name="Начать разговор").click()
    page.get_by_role("button", name="Завтра к 12:00, обещаю.").click()
    page.get_by_role("button", name="Извиниться и объяснить задержку письмом.").click()
    page.get_by_label("Напишите письмо клиенту").fill("Простите за задержку! Заказ будет у вас сегодня в 15:00.")
    page.get_by_label("назвали точное время").check()
    page.get_by_role("button", name="Отправить ответ").click()
    expect(page.locator(".chat")).to_contain_text("Заказ будет у вас сегодня в 15:00.")
    expect(page.locator(".scenario-ending")).to_contain_text("Ваш письменный ответ отправлен тренеру")
