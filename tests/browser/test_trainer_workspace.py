"""The trainer's workspace in a real browser, one test per flow a trainer relies on.

A trainer and a learner work side by side, each in their own browser context
(their own cookies), against the same live server.
"""
import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from lms.core.quiz import parse_quiz

from support import SAMPLE_COURSES, make_editor
from support.browser import open_menu, sign_in
from support.quiz_page import pair, put_in_order

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from support.review import QUIZ as OPEN_QUIZ  # noqa: E402
from support.review import import_course, team_up  # noqa: E402
from support.trainer import add_members, assign_to_group, create_group  # noqa: E402

pytestmark = pytest.mark.browser

COURSE = "/training/courses/sample"
QUIZ_FILE = SAMPLE_COURSES / "sample" / "02-practice" / "03-quiz.md"


@pytest.fixture
def learner_page(browser):
    """A second person's browser, next to the trainer's ``page``."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def flash(page):
    return page.locator(".flashes")


def card_of(page, title: str):
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=title))


# -- a. assigning ------------------------------------------------------------------

def test_trainer_assigns_a_course_to_a_group_with_a_due_date_and_the_learner_sees_it(
        page, learner_page, live_server, auth, sample_course):
    auth.create("trainer@example.com", "Тимур Тренер", ("trainer",))
    auth.create("learner@example.com", "Анна Петрова")
    auth.create("boris@example.com", "Борис Сидоров")
    sign_in(page, live_server, "trainer@example.com")

    open_menu(page)
    page.get_by_role("link", name="Группы").click()
    expect(page.get_by_role("heading", name="Группы", level=1)).to_be_visible()
    page.get_by_label("Название группы").fill("Магазин на Арбате")
    page.get_by_label("Тип").select_option(label="Магазин")
    page.get_by_role("button", name="Создать группу").click()
    expect(flash(page)).to_contain_text("Группа «Магазин на Арбате» создана. Теперь добавьте участников.")
    expect(page.get_by_role("heading", name="Магазин на Арбате")).to_be_visible()

    # a list pasted from a spreadsheet: one a line, commas, an address nobody has
    page.get_by_label("E-mail", exact=True).fill("learner@example.com\nboris@example.com, nobody@example.com")
    page.get_by_role("button", name="Добавить", exact=True).click()
    expect(flash(page)).to_contain_text("Добавлено 2 человека: learner@example.com, boris@example.com")
    expect(flash(page)).to_contain_text("nobody@example.com")
    members = page.get_by_role("region", name="Участники")
    expect(members.get_by_role("row", name=re.compile("Анна Петрова"))).to_be_visible()
    expect(members.get_by_role("row", name=re.compile("Борис Сидоров"))).to_be_visible()

    due = dt.date.today() + dt.timedelta(days=30)
    page.get_by_role("navigation", name="Группа").get_by_role("link", name="Курсы").click()
    page.get_by_label("Курс", exact=True).select_option(label="Основы сервиса")
    page.get_by_label("Срок (необязательно)").fill(due.isoformat())
    page.get_by_role("button", name="Назначить").click()
    expect(flash(page)).to_contain_text("Курс «Основы сервиса» назначен.")
    shown_due = f"Срок: {format_date(due, locale='ru')}"
    expect(page.locator(".assignment-list")).to_contain_text(shown_due)

    sign_in(learner_page, live_server, "learner@example.com")
    expect(learner_page.get_by_role("heading", name="Моё обучение")).to_be_visible()
    card = card_of(learner_page, "Основы сервиса")
    expect(card).to_contain_text(shown_due)
    expect(card).to_contain_text("Не начат")
    expect(card).not_to_contain_text("Просрочен")

    # the trainer moves the due date into the past: the learner's card says it is overdue
    late = dt.date.today() - dt.timedelta(days=2)
    page.get_by_label("Курс", exact=True).select_option(label="Основы сервиса")
    page.get_by_label("Срок (необязательно)").fill(late.isoformat())
    page.get_by_role("button", name="Назначить").click()
    expect(flash(page)).to_contain_text("Курс «Основы сервиса» уже был назначен; срок обновлён.")

    learner_page.reload()
    expect(card).to_contain_text(f"Срок: {format_date(late, locale='ru')}")
    expect(card).to_contain_text("Просрочен")


# -- b. the dashboard --------------------------------------------------------------

def answer_correctly(page, quiz) -> None:
    """Fill in every question of an all-on-one-page quiz with its right answer, as the quiz file says."""
    for question in quiz.graded_questions:
        box = page.locator(f"#question-{question.id}")
        name = f"q-{question.id}"
        if question.type in ("single", "true_false", "multiple"):
            for option in question.options:
                if option.fraction > 0:
                    box.get_by_label(option.text, exact=True).check()
        elif question.type == "numeric":
            box.locator(f'[name="{name}"]').fill(str(question.numeric[0].low))
        elif question.type == "short":
            best = max(question.answers, key=lambda answer: answer.fraction)
            box.locator(f'[name="{name}"]').fill(best.text)
        elif question.type == "matching":  # tap an item, then its match
            for match in question.pairs:
                pair(box, match.left, match.right)
        elif question.type == "ordering":  # the items are stored in the right order
            put_in_order(box, [item.text for item in question.items])
        else:
            raise AssertionError(f"no way to answer a {question.type} question")


def test_the_group_dashboard_shows_the_module_a_learner_completed_with_the_quiz_score(
        page, learner_page, live_server, auth, client, sample_course):
    auth.create("learner@example.com", "Анна Петрова")
    auth.as_role("trainer", "trainer@example.com", "Тимур Тренер")
    group = create_group(client, "Магазин на Арбате")
    add_members(client, group, "learner@example.com")
    assign_to_group(client, group, due=(dt.date.today() + dt.timedelta(days=30)).isoformat())
    quiz, problems = parse_quiz(QUIZ_FILE.read_text(encoding="utf-8"), str(QUIZ_FILE))
    assert problems == []

    sign_in(page, live_server, "trainer@example.com")
    open_menu(page)
    page.get_by_role("link", name="Группы").click()
    page.get_by_role("link", name="Магазин на Арбате").click()
    expect(page.get_by_role("heading", name="Основы сервиса")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Анна Петрова"))
    practice = row.locator("td.cell").nth(1)
    expect(page.get_by_role("columnheader").nth(4)).to_have_text("Практика")
    expect(practice).to_have_text("Не начат 0/3")

    # the learner does the practice module in the browser: the checklist, the role-play, the quiz
    sign_in(learner_page, live_server)
    learner_page.goto(f"{live_server}{COURSE}/02-practice/01-checklist")
    learner_page.get_by_role("button", name="Пройдено, дальше").click()
    learner_page.get_by_role("button", name="Начать разговор").click()
    learner_page.get_by_role("button", name="Завтра к 12:00, обещаю.").click()
    learner_page.get_by_role("button", name="Отправить заказ вовремя.").click()
    expect(learner_page.locator(".scenario-ending")).to_contain_text("Постоянный клиент")
    learner_page.goto(f"{live_server}{COURSE}/02-practice/03-quiz")
    learner_page.get_by_role("button", name="Начать тест").click()
    answer_correctly(learner_page, quiz)
    learner_page.get_by_role("button", name="Сохранить ответы").click()
    learner_page.get_by_role("button", name="Сдать тест").click()
    expect(learner_page.locator(".score-card")).to_contain_text("Сдано. Отлично!")

    page.reload()
    expect(practice).to_have_text("Завершено 3/3 100%")
    expect(row.locator("td.cell").first).to_have_text("Не начат 0/2")
    expect(row.get_by_role("cell").nth(0)).to_have_text("В процессе")
    expect(page.get_by_role("heading", name="Лучшие результаты в тесте «Проверка знаний»")).to_be_visible()


# -- c. the review queue -----------------------------------------------------------

def test_trainer_reviews_a_written_answer_and_the_learner_sees_the_marks(
        page, learner_page, live_server, app, auth, runner):
    import_course(runner)
    team_up(app, auth)
    sign_in(learner_page, live_server)
    learner_page.goto(live_server + OPEN_QUIZ)
    learner_page.get_by_role("button", name="Начать тест").click()
    learner_page.get_by_label("Ваш ответ (число)").fill("4")
    learner_page.get_by_label("Извините за ожидание").check()
    learner_page.get_by_label("Ваш ответ", exact=True).fill("Простите! Привезём сегодня к 15:00.")
    learner_page.get_by_role("button", name="Сохранить ответы").click()
    learner_page.get_by_role("button", name="Сдать тест").click()
    expect(learner_page.locator(".score-card")).to_contain_text("Некоторые ответы ждут проверки тренером.")

    sign_in(page, live_server, "trainer@example.com")
    open_menu(page)
    reviews = page.get_by_role("link", name=re.compile(r"^Проверка"))
    expect(reviews.locator(".nav-badge")).to_have_text("1")
    reviews.click()
    expect(page.get_by_role("heading", name="Ответы на проверку")).to_be_visible()
    expect(page.get_by_text("1 ответ ждёт проверки, сначала самые старые.")).to_be_visible()
    card = page.locator(".review-card", has_text="Лена Учащаяся")
    expect(card).to_contain_text("Простите! Привезём сегодня к 15:00.")
    expect(card.locator(".badge")).to_have_text("Тест")
    card.get_by_role("link", name="Проверить ответ").click()

    expect(page.get_by_role("heading", name="Напишите извинение клиенту")).to_be_visible()
    rubric = page.get_by_role("group", name="Отметьте, что есть в ответе")
    rubric.get_by_label("Извинение").check()
    rubric.get_by_label("Точный срок").check()
    page.get_by_label("Баллы").fill("2,5")
    page.get_by_label("Комментарий для ученика").fill("Хорошо: и извинение, и срок. Добавьте имя.")
    page.get_by_role("button", name="Опубликовать результат").click()
    expect(flash(page)).to_contain_text("Результат опубликован. Ученик уже видит его.")
    expect(page.get_by_text("Проверять нечего. Отличная работа!")).to_be_visible()
    expect(page.locator(".nav-badge")).to_have_count(0)

    learner_page.reload()
    expect(learner_page.locator(".score-card")).to_contain_text("Сдано. Отлично!")
    released = learner_page.locator(".released-review")
    expect(released.get_by_role("heading", name="Проверка тренера")).to_be_visible()
    expect(released).to_contain_text("Баллы: 2.5 / 3")
    expect(released.get_by_role("listitem").filter(has_text="Точный срок")).to_contain_text("Выполнено:")
    expect(released).to_contain_text("Хорошо: и извинение, и срок. Добавьте имя.")


# -- d. authoring ------------------------------------------------------------------

def test_trainer_edits_a_lesson_with_live_preview_and_the_learner_reads_the_new_version(
        page, learner_page, live_server, auth, sample_course):
    auth.create("trainer@example.com", "Тимур Тренер", ("trainer",))
    make_editor(auth.app, "sample", "trainer@example.com")
    auth.create("learner@example.com", "Анна Петрова")
    sign_in(learner_page, live_server)
    learner_page.goto(f"{live_server}{COURSE}/01-basics/02-speed")
    expect(learner_page.get_by_role("heading", name="Скорость ответа")).to_be_visible()
    lesson = learner_page.locator(".lesson-body")
    expect(lesson).to_contain_text("Отвечайте на заявку за 10–30 минут.")

    sign_in(page, live_server, "trainer@example.com")
    open_menu(page)
    page.get_by_role("navigation", name="Главное меню").get_by_role("link", name="Курсы").click()
    page.get_by_role("link", name="Основы сервиса").click()
    page.locator(".outline").get_by_role("link", name="Скорость ответа").click()  # by its title, not its file
    expect(page.get_by_role("heading", name="Скорость ответа")).to_be_visible()
    editor = page.get_by_label("Исходный текст (Markdown)")
    preview = page.locator(".editor-preview")
    problems = page.locator(".editor-problems")
    expect(problems).to_have_text("Проблем нет")

    previews = []
    page.on("request", lambda request: previews.append(request) if "/preview" in request.url else None)
    rule = "\n\nПерезвоните клиенту **в течение часа**."
    editor.press("Control+End")
    editor.press_sequentially(rule)
    expect(preview.locator("strong")).to_have_text("в течение часа")
    assert 0 < len(previews) < len(rule) // 2, f"{len(previews)} preview requests for {len(rule)} keys: not debounced"

    editor.press_sequentially(" См. [урок](99-missing.md)")
    lines = editor.input_value().split("\n")
    line = next(number for number, text in enumerate(lines, start=1) if "99-missing.md" in text)
    problem = problems.get_by_role("listitem")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text(f"строка {line}")
    expect(problem).to_contain_text("99-missing.md")

    for _key in "99-missing.md)":
        editor.press("Backspace")
    editor.press_sequentially("01-welcome.md)")
    expect(problems).to_have_text("Проблем нет")
    expect(preview.get_by_role("link", name="урок")).to_have_attribute("href", re.compile(r"/01-basics/01-welcome$"))

    page.get_by_role("button", name="Сохранить черновик").click()
    expect(flash(page)).to_contain_text("Черновик сохранён. Ученики увидят его после публикации.")
    page.get_by_role("navigation", name="Навигационная цепочка").get_by_role("link", name="sample").click()
    expect(page.get_by_role("heading", name="1 неопубликованное изменение")).to_be_visible()
    page.get_by_label("Что изменилось в этой версии?").fill("Правило о звонке в течение часа")
    page.get_by_role("button", name="Опубликовать").click()
    expect(flash(page)).to_contain_text("Опубликована версия 2. Теперь её видят ученики.")

    learner_page.reload()
    expect(lesson.locator("strong")).to_have_text("в течение часа")
    expect(lesson.get_by_role("link", name="урок")).to_be_visible()
