"""The quiz loop in a real browser, as a learner on a phone lives it.

Nothing typed is lost (saved while typing, kept on the device when the connection drops,
sent before the page is left); a summary lists the questions without an answer and those
flagged to come back to before the final submission, which asks first when some are blank;
the results open with the score and what to do next, then one line per question; matching
and ordering work by tapping and with buttons, with no drop-down lists, on a 360 px screen.
Without the script the pages still work with their drop-down lists.
"""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from support import ROOT, SAMPLE_COURSES
from support.browser import Interface, sign_in
from support.quiz_page import current_order, pair, put_in_order

pytestmark = pytest.mark.browser
QUIZ = "/training/courses/sample/02-practice/03-quiz"
FORMULA = "/training/courses/service-excellence/01-formula/04-quiz"  # one question per page
STEPS = ["Ответить за 10–30 минут", "Уточнить потребности", "Отправить КП"]
t = Interface("ru")


def start_quiz(page, base: str, address: str = QUIZ, scripted: bool = True) -> None:
    page.goto(base + address)
    page.get_by_role("button", name=t("Start the quiz")).click()
    # with the page's script, wait until it listens: typing before that would not be saved as typed
    expect(page.locator('form.quiz-form[data-autosave="on"]' if scripted else "form.quiz-form")).to_be_visible()


def status(page):
    return page.locator(".save-status")


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), page.evaluate(
        "[document.scrollingElement.scrollWidth, innerWidth]")


def answer_the_rest_right(page) -> None:
    """Everything but the matching and the ordering question of the sample quiz, right."""
    page.locator('input[name="q-speed"]').fill("15")
    page.get_by_label("Улыбку в голосе").check()
    page.get_by_label("Срок", exact=True).check()
    page.get_by_label("Имя менеджера", exact=True).check()
    page.get_by_label("Верно", exact=True).check()
    page.locator('input[name="q-host"]').fill("администратор")


def to_summary(page) -> None:
    page.get_by_role("button", name=t("Save answers")).click()
    expect(page.get_by_role("heading", name=t("Check your answers"))).to_be_visible()


def submit_from_summary(page, blanks: bool) -> None:
    page.get_by_role("button", name=t("Submit the quiz")).click()
    if blanks:
        page.get_by_role("dialog").get_by_role("button", name=t("Submit anyway")).click()
    expect(page.locator(".score-card")).to_be_visible()


def copy_sample(tmp_path, runner, old: str, new: str) -> None:
    """Import the sample course with one line of its quiz changed."""
    shutil.copytree(SAMPLE_COURSES, tmp_path / "courses")
    path = tmp_path / "courses" / "sample" / "02-practice" / "03-quiz.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    result = runner.invoke(args=["lms", "courses", "import", str(tmp_path / "courses")])
    assert result.exit_code == 0, result.output


# -- 1. nothing typed is lost ------------------------------------------------------

def test_an_answer_is_saved_while_it_is_typed_and_is_there_after_a_reload(page, live_server, auth, sample_course):
    auth.create("learner@example.com")
    sign_in(page, live_server)
    start_quiz(page, live_server)
    with page.expect_response(lambda response: response.url.endswith("/quiz/save")) as saving:
        page.locator('input[name="q-host"]').press_sequentially("администратор")  # typing: no change event yet
    assert saving.value.ok
    expect(status(page)).to_have_text(t("Saved"))
    page.reload()
    expect(page.locator('input[name="q-host"]')).to_have_value("администратор")


def test_answers_wait_on_the_device_while_offline_and_are_sent_when_the_connection_is_back(
        page, live_server, auth, sample_course):
    auth.create("learner@example.com")
    sign_in(page, live_server)
    start_quiz(page, live_server)
    page.context.set_offline(True)
    page.locator('input[name="q-speed"]').fill("15")
    expect(status(page)).to_have_text(t("No connection. Your answers are kept on this device and will be sent "
                                        "when the connection is back."))
    page.context.set_offline(False)
    expect(status(page)).to_have_text(t("Saved"))
    page.reload()
    expect(page.locator('input[name="q-speed"]')).to_have_value("15")

    # the server cannot be reached: the answer stays on the device, comes back with a reload and is sent then
    page.route("**/quiz/save", lambda route: route.abort())
    page.locator('input[name="q-host"]').fill("хостес")
    expect(status(page)).to_have_text(t("Not saved yet — will retry"))
    page.reload()
    expect(page.locator('input[name="q-host"]')).to_have_value("хостес")  # from this device, not the server
    expect(status(page)).to_have_text(t("Not saved yet — will retry"))
    page.unroute("**/quiz/save")
    expect(status(page)).to_have_text(t("Saved"), timeout=15_000)  # the next retry gets through
    served = page.request.get(live_server + QUIZ).text()
    assert re.search(r'name="q-host" value="хостес"', served), "the server has the answer"


def test_leaving_for_another_question_first_sends_what_was_just_typed(page, live_server, auth, runner):
    assert runner.invoke(args=["lms", "courses", "import", str(ROOT / "courses")]).exit_code == 0
    auth.create("learner@example.com")
    sign_in(page, live_server)
    start_quiz(page, live_server, FORMULA)
    index = page.get_by_role("navigation", name=t("Questions"))
    page.locator("fieldset.question").get_by_role("textbox").fill("-8000")
    index.get_by_role("link", name="2", exact=True).click()  # at once, before any pause in typing
    expect(index.locator("[aria-current=step]")).to_have_text("2")
    index.get_by_role("link", name="1", exact=True).click()
    expect(page.locator("fieldset.question").get_by_role("textbox")).to_have_value("-8000")
    expect(index.get_by_role("link", name="1", exact=True)).to_have_class(re.compile(r"\bis-answered\b"))


def test_answers_sent_with_the_submission_are_saved_before_grading(page, live_server, auth, sample_course):
    auth.create("learner@example.com")
    sign_in(page, live_server)
    start_quiz(page, live_server)
    form = {"csrf_token": page.locator('meta[name="csrf-token"]').get_attribute("content"),
            "attempt": page.locator('form.quiz-form input[name="attempt"]').get_attribute("value"),
            "question": "speed", "q-speed": "15"}
    response = page.request.post(live_server + QUIZ + "/quiz/submit", form=form)
    assert response.ok and "/attempts/1" in response.url
    page.goto(response.url)
    first = page.locator(".result-item").first
    expect(first).to_have_class(re.compile(r"\bis-correct\b"))
    expect(first).to_contain_text("15")


# -- 2. a summary before submitting, flags that last ------------------------------

def test_flags_survive_a_reload_and_the_summary_lists_what_is_left_before_a_confirmed_submission(
        page, live_server, auth, sample_course):
    auth.create("learner@example.com")
    sign_in(page, live_server)
    start_quiz(page, live_server)
    page.locator('input[name="q-speed"]').fill("15")
    page.get_by_label("Улыбку в голосе").check()
    page.locator("#question-parts").get_by_label(t("Come back to this question later")).check()
    expect(status(page)).to_have_text(t("Saved"))
    page.reload()
    expect(page.locator("#question-parts").get_by_label(t("Come back to this question later"))).to_be_checked()
    expect(page.locator("#question-smile").get_by_label(t("Come back to this question later"))).not_to_be_checked()

    to_summary(page)
    blank = page.locator(".summary-block.is-unanswered")
    expect(blank.get_by_role("heading")).to_have_text(t.plural("%(num)s question has no answer",
                                                               "%(num)s questions have no answer", 5))
    expect(blank.get_by_role("link")).to_have_count(5)
    flagged = page.locator(".summary-block.is-flagged")
    expect(flagged.get_by_role("link")).to_have_text(["3. Что входит в хороший ответ?"])
    expect(page.locator(".quiz-status progress")).to_have_attribute("value", "2")

    blank.get_by_role("link", name="Кто встречает гостей у входа в ресторан?").click()
    expect(page).to_have_url(re.compile(r"#question-host$"))
    page.locator('input[name="q-host"]').fill("хостес")
    page.locator("#question-parts").get_by_label(t("Come back to this question later")).uncheck()
    to_summary(page)
    expect(blank.get_by_role("link")).to_have_count(4)
    expect(page.locator(".summary-block.is-flagged")).to_have_count(0)

    # four questions are still blank: the submission asks first
    page.get_by_role("button", name=t("Submit the quiz")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(t("A question without an answer gets no points. Submit the quiz anyway?"))
    dialog.get_by_role("button", name=t("Keep answering")).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", name=t("Check your answers"))).to_be_visible()
    submit_from_summary(page, blanks=True)
    expect(page.locator(".result-item.is-correct")).to_have_count(3)


# -- 3. results: the score and the next step first, then one line per question ---------

def test_results_open_with_the_score_and_the_next_steps_then_one_line_per_question(
        page, live_server, auth, runner):
    assert runner.invoke(args=["lms", "courses", "import", str(ROOT / "courses")]).exit_code == 0
    auth.create("learner@example.com")
    sign_in(page, live_server)
    start_quiz(page, live_server, FORMULA)
    page.locator("fieldset.question").get_by_role("textbox").fill("8000")  # wrong: the answer is -8000
    page.get_by_role("link", name=t("Check your answers and submit")).click()
    submit_from_summary(page, blanks=True)

    card = page.locator(".score-card")
    expect(card).to_contain_text(t("Not passed: you need %(percent)s%%.", percent=70))
    actions = page.locator(".result-actions")
    expect(actions.get_by_role("link", name=t("Try again"))).to_be_visible()
    expect(actions.get_by_role("link", name=t("Back to the course"))).to_be_visible()
    expect(actions.get_by_role("link", name=t("Next: %(title)s", title="Баннер обещал больше"))
           ).to_have_attribute("href", re.compile(r"/01-formula/05-roleplay$"))
    items = page.locator(".result-item")
    expect(items).to_have_count(10)
    assert card.bounding_box()["y"] < actions.bounding_box()["y"] < items.first.bounding_box()["y"]

    # one collapsed line each: a mark and the question; opened, the answer, the right one and why
    first = items.first
    expect(first).to_have_class(re.compile(r"\bis-wrong\b"))
    expect(first.locator("summary")).to_contain_text("Чему равна его удовлетворённость в рублях?")
    expect(first.locator(".result-solution")).to_be_hidden()
    first.locator("summary").click()
    expect(first.locator(".result-answer")).to_have_text(f"{t('Your answer')}: 8000")
    expect(first.locator(".result-solution")).to_have_text(f"{t('Correct answer')}: -8000")
    expect(first.locator(".explanation")).to_be_visible()
    expect(page.locator(".result-item details[open]")).to_have_count(1)


def test_results_never_give_the_right_answers_of_a_quiz_that_withholds_them(page, live_server, auth, runner,
                                                                             tmp_path):
    copy_sample(tmp_path, runner, "feedback: after_submit", "feedback: never")
    auth.create("learner@example.com")
    sign_in(page, live_server)
    start_quiz(page, live_server)
    page.locator('input[name="q-speed"]').fill("90")
    to_summary(page)
    submit_from_summary(page, blanks=True)
    expect(page.locator(".result-item")).to_have_count(7)
    expect(page.locator(".result-answer").first).to_contain_text("90")  # their own answers: review is on
    result = page.content()
    for secret in ("Мессенджер → 10 минут", "10–30", "Отвечайте на заявку", "Слишком долго", "result-mark"):
        assert secret not in result, secret


# -- 4. matching and ordering without drop-down lists, on a phone ------------------

@pytest.mark.parametrize("language", ["ru", "ar"])
def test_matching_by_tapping_and_ordering_with_buttons_fit_a_phone(page, live_server, auth, sample_course,
                                                                    language):
    page.set_viewport_size({"width": 360, "height": 740})
    auth.create("learner@example.com")
    sign_in(page, live_server)
    if language != "ru":
        with page.expect_navigation():
            page.get_by_label("Язык интерфейса").select_option(language)
    words = Interface(language)
    page.goto(live_server + QUIZ)
    page.get_by_role("button", name=words("Start the quiz")).click()
    expect(page.locator("form.quiz-form")).to_be_visible()  # the started quiz, not the page before it
    matching, ordering = page.locator("#question-channels"), page.locator("#question-steps")
    expect(matching.locator("select").first).to_be_hidden()  # the drop-down lists give way
    expect(ordering.locator("select").first).to_be_hidden()
    no_sideways_scroll(page)
    live = page.locator(".quiz-announce")

    # tap an item, then its match; the pair shows, and can be undone
    messenger = matching.locator(".pair-left").filter(has_text="Мессенджер")
    messenger.click()
    expect(messenger).to_have_attribute("aria-pressed", "true")
    expect(live).to_have_text(words("%(item)s: now choose its match.").replace("%(item)s", "Мессенджер"))
    matching.locator(".pair-right").filter(has_text="30 минут").click()
    expect(messenger).to_contain_text("30 минут")
    expect(live).to_have_text(words("%(left)s is matched with %(right)s.")
                              .replace("%(left)s", "Мессенджер").replace("%(right)s", "30 минут"))
    matching.get_by_role("button", name=words("Undo the match of %(item)s").replace("%(item)s", "Мессенджер")).click()
    expect(messenger).to_contain_text(words("not matched yet"))

    # the same with the keyboard: Enter on the item, Tab to the match, Enter
    messenger.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".pair-right:focus")).to_have_count(1)
    while page.evaluate("document.activeElement.textContent.trim()") != "10 минут":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(messenger).to_contain_text("10 минут")
    pair(matching, "Почта", "30 минут")
    chosen = matching.evaluate("box => [...box.querySelectorAll('select')].map(s => s.selectedOptions[0].text)")
    assert chosen == ["10 минут", "30 минут"]  # the form's own fields carry the pairs

    # ordering: the arrows move a step; the keyboard keeps its place on the moved step
    put_in_order(ordering, list(reversed(STEPS)))
    first = ordering.locator(".order-item").nth(2).locator(".order-up")
    first.focus()
    page.keyboard.press("Enter")
    expect(live).to_contain_text(STEPS[0])
    expect(page.locator(".order-up:focus")).to_have_attribute(
        "aria-label", words("Move up: %(item)s").replace("%(item)s", STEPS[0]))
    put_in_order(ordering, STEPS)
    positions = ordering.evaluate("box => [...box.querySelectorAll('.order-row')].map("
                                  "row => [row.querySelector('label').textContent, row.querySelector('select').value])")
    assert sorted(positions, key=lambda row: row[1]) == [[step, str(n)] for n, step in enumerate(STEPS, start=1)]
    no_sideways_scroll(page)

    answer_the_rest_right(page)
    expect(status(page)).to_have_text(words("Saved"))
    page.reload()  # the pairs and the order come back from the server
    expect(messenger).to_contain_text("10 минут")
    assert current_order(ordering) == STEPS
    page.get_by_role("button", name=words("Save answers")).click()
    expect(page.get_by_role("heading", name=words("Check your answers"))).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_role("button", name=words("Submit the quiz")).click()
    expect(page.locator(".score")).to_have_text(re.compile(r"100\s?%"))
    no_sideways_scroll(page)


def test_without_the_script_the_drop_down_lists_and_a_confirmation_box_still_work(browser, live_server, auth,
                                                                                   sample_course):
    auth.create("learner@example.com")
    context = browser.new_context(locale="ru-RU", viewport={"width": 360, "height": 740}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, live_server)
        start_quiz(page, live_server, scripted=False)
        page.get_by_label("Мессенджер").select_option(label="10 минут")
        page.get_by_label("Почта").select_option(label="30 минут")
        page.locator("#question-parts").get_by_label(t("Come back to this question later")).check()
        to_summary(page)
        expect(page.locator(".summary-block.is-flagged").get_by_role("link")).to_have_count(1)
        page.get_by_role("button", name=t("Submit the quiz")).click()  # refused by the browser: not confirmed
        expect(page.get_by_role("heading", name=t("Check your answers"))).to_be_visible()
        page.get_by_label(re.compile(re.escape(t.plural(
            "Submit with %(num)s question unanswered: it gets no points.",
            "Submit with %(num)s questions unanswered: they get no points.", 6)))).check()
        page.get_by_role("button", name=t("Submit the quiz")).click()
        expect(page.locator(".result-item.is-correct")).to_have_count(1)
    finally:
        context.close()
