"""Playing a draft in the studio: a trainer takes a draft quiz or role-play as a learner would, and
nothing is recorded (no attempt, run, progress, review or learning record)."""
import re

import pytest
from sqlalchemy import func, select

from lms.activities.draft import SESSION_KEY
from lms.models import Base, Course, User
from lms.services import authoring
from lms.state import db_session

from support import csrf_from, make_editor
from support.browser import Interface
from support.quiz import SECRETS, answers_for, option_id

STUDIO = "/training/author/sample"
QUIZ_FILE = "02-practice/03-quiz.md"
CALL_FILE = "02-practice/02-call.md"
QUIZ = f"{STUDIO}/play/ru/02-practice/03-quiz"
CALL = f"{STUDIO}/play/ru/02-practice/02-call"
QUESTIONS = ["speed", "smile", "parts", "promise", "host", "channels", "steps"]


def row_counts(app) -> dict[str, int]:
    """Rows in every table of the plugin."""
    with app.app_context():
        session = db_session()
        return {table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def save_draft(app, path: str, change: tuple[str, str]) -> None:
    """An unpublished change of one file of the sample course, saved as the trainer's draft."""
    with app.app_context():
        session = db_session()
        course = session.scalar(select(Course).where(Course.slug == "sample"))
        trainer = session.scalar(select(User).where(User.email == "trainer@example.com"))
        text = authoring.working_files(session, course)[path].decode()
        assert change[0] in text
        authoring.save_draft(session, course, path, text.replace(*change).encode(), trainer)
        session.commit()


@pytest.fixture
def editor(app, auth, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    return "trainer@example.com"


def start_quiz(client) -> str:
    intro = client.get(QUIZ).get_data(as_text=True)
    assert client.post(QUIZ + "/quiz/start", data={"csrf_token": csrf_from(intro)}).status_code == 302
    return client.get(QUIZ).get_data(as_text=True)


def attempt_of(html: str) -> str:
    return re.search(r'name="attempt" value="(\d+)"', html).group(1)


def take_quiz(client, right: bool) -> str:
    html = start_quiz(client)
    saved = client.post(QUIZ + "/quiz/save", data={
        "csrf_token": csrf_from(html), "attempt": attempt_of(html), "question": QUESTIONS, "action": "finish",
        **answers_for(html, right=right)})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/03-quiz?summary=1")
    submitted = client.post(QUIZ + "/quiz/submit", data={"csrf_token": csrf_from(html), "attempt": attempt_of(html)})
    assert submitted.status_code == 302 and submitted.headers["Location"].endswith("/03-quiz/attempts/1")
    return client.get(QUIZ + "/attempts/1").get_data(as_text=True)


def reply(client, html: str, reply_id: str, **extra) -> str:
    run = re.search(r'name="run" value="(\d+)"', html).group(1)
    step = re.search(r'name="step" value="([^"]+)"', html).group(1)
    response = client.post(CALL + "/reply", data={"csrf_token": csrf_from(html), "run": run, "step": step,
                                                   "reply": reply_id, **extra})
    assert response.status_code == 302 and response.headers["Location"].endswith("#latest")
    return client.get(CALL).get_data(as_text=True)


def start_call(client) -> str:
    intro = client.get(CALL).get_data(as_text=True)
    assert "Клиент звонит узнать про заказ." in intro
    assert client.post(CALL + "/run", data={"csrf_token": csrf_from(intro)}).status_code == 302
    return client.get(CALL).get_data(as_text=True)


# -- the quiz ---------------------------------------------------------------------------------

def test_the_outline_link_leads_to_the_play_of_the_draft(client, editor):
    response = client.get(f"{STUDIO}/play?path={QUIZ_FILE}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/play/ru/02-practice/03-quiz")
    translated = client.get(f"{STUDIO}/play?path=01-basics/01-welcome.ar.md")
    assert translated.status_code == 302 and translated.headers["Location"].endswith("/play/ar/01-basics/01-welcome")
    assert client.get(f"{STUDIO}/play?path=02-practice/99-none.md").status_code == 404
    assert client.get(f"{STUDIO}/play?path=../course.md").status_code == 404


def test_an_editor_plays_the_draft_quiz_right_and_wrong_and_nothing_is_recorded(client, app, editor):
    save_draft(app, QUIZ_FILE, ("Сколько минут на ответ?", "Сколько минут на ответ в черновике?"))
    before = row_counts(app)
    intro = client.get(QUIZ).get_data(as_text=True)
    assert "draft-play-banner" in intro and "breadcrumbs" not in intro
    assert f'href="{STUDIO}/edit?path=02-practice/03-quiz.md"' in intro  # back to the editor
    assert f'action="{QUIZ}/restart"' in intro
    html = start_quiz(client)
    assert "Сколько минут на ответ в черновике?" in html  # the draft, not the published quiz
    # the page has the learner's choices as tokens: no answer, feedback or authored id before submission
    assert not [secret for secret in SECRETS if secret in html]
    assert not re.search(r'name="q-smile" value="[ab]"', html)
    assert f'data-save="{QUIZ}/quiz/save"' in html
    right = take_quiz(client, right=True)
    assert "score-card is-passed" in right and "100" in right
    assert "Сколько минут на ответ в черновике?" in right
    assert "Отвечайте на заявку за 10–30 минут." in right  # the explanations, once submitted
    client.post(QUIZ + "/restart", data={"csrf_token": csrf_from(right)})
    wrong = take_quiz(client, right=False)
    assert "score-card is-failed" in wrong and "Клиент слышит интонацию" in wrong  # per-question feedback
    percent = re.search(r'<p class="score">([^<]+)</p>', wrong).group(1)
    assert not percent.startswith("100")
    assert row_counts(app) == before


def test_the_quiz_play_keeps_answers_and_marks_between_pages(client, app, editor):
    html = start_quiz(client)
    token = csrf_from(html)
    answers = answers_for(html, right=True)
    response = client.post(QUIZ + "/quiz/save", data={
        "csrf_token": token, "attempt": attempt_of(html), "question": ["smile", "host"], "flag": ["host"],
        "q-smile": answers["q-smile"], "q-host": "хостес"}, headers={"X-Requested-With": "fetch"})
    assert response.get_json() == {"saved": 2, "errors": {}}
    again = client.get(QUIZ).get_data(as_text=True)
    assert re.search(r'value="' + answers["q-smile"] + '" checked', again) and 'value="хостес"' in again
    summary = client.get(QUIZ + "?summary=1").get_data(as_text=True)
    assert "Кто встречает гостей у входа в ресторан?" in summary.split('id="summary-flagged"')[1]


def test_a_quiz_one_question_a_page_with_feedback_after_each_plays_as_for_a_learner(client, app, editor):
    save_draft(app, QUIZ_FILE, ("layout: all_on_one_page", "layout: one_per_page\ntime_limit: 10"))
    save_draft(app, QUIZ_FILE, ("feedback: after_submit", "feedback: immediate"))
    html = start_quiz(client)
    assert html.count('class="question question-') == 1 and 'class="countdown"' in html
    first = re.search(r'id="question-(\w+)"', html).group(1)
    assert first == "speed"
    response = client.post(QUIZ + "/quiz/save", data={"csrf_token": csrf_from(html), "attempt": attempt_of(html),
                                                      "question": ["speed"], "q-speed": "90", "index": "1",
                                                      "action": "next"})
    assert response.headers["Location"].endswith("/03-quiz?q=2")
    back = client.get(QUIZ + "?q=1").get_data(as_text=True)
    assert "feedback is-wrong" in back and "Отвечайте на заявку за 10–30 минут." in back  # the feedback, at once
    second = client.get(QUIZ + "?q=2").get_data(as_text=True)
    assert 'id="question-smile"' in second and "feedback" not in second.split('id="question-smile"')[1][:2000]
    client.post(QUIZ + "/quiz/save", data={"csrf_token": csrf_from(html), "attempt": attempt_of(html),
                                           "question": ["smile"], "q-smile": option_id(second, "smile", "Улыбку в голосе"),
                                           "index": "2", "action": "next"})
    assert "Улыбка слышна по голосу." in client.get(QUIZ + "?q=2").get_data(as_text=True)
    # the time runs out: the next page submits the play with what was saved, as for a learner
    with client.session_transaction() as session:
        plays = session[SESSION_KEY]
        (key, entry), = plays.items()
        entry["state"]["deadline"] -= 11 * 60
        session[SESSION_KEY] = {key: entry}
    expired = client.get(QUIZ)
    assert expired.status_code == 302 and expired.headers["Location"].endswith("/03-quiz/attempts/1")
    result = client.get(QUIZ + "/attempts/1").get_data(as_text=True)
    assert "score-card is-failed" in result and "Улыбку в голосе" in result


def test_the_result_of_a_play_opens_only_once_submitted(client, editor):
    assert client.get(QUIZ + "/attempts/1").status_code == 404
    start_quiz(client)
    assert client.get(QUIZ + "/attempts/1").headers["Location"].endswith("/03-quiz")
    assert client.get(QUIZ + "/attempts/2").status_code == 404
    assert client.get(QUIZ + "/nothing").status_code == 404


# -- the role-play ----------------------------------------------------------------------------

def test_an_editor_plays_the_draft_role_play_to_an_ending_and_nothing_is_recorded(client, app, editor):
    save_draft(app, CALL_FILE, ("Спасибо, всё пришло вовремя!", "Спасибо, черновик работает!"))
    before = row_counts(app)
    html = start_call(client)
    assert "draft-play-banner" in html and "Когда будет готов мой заказ?" in html
    assert f'action="{CALL}/reply"' in html
    html = reply(client, html, "1")  # promise: tomorrow at noon
    assert "Наступает полдень." in html
    html = reply(client, html, "1")  # keep the promise
    assert "Спасибо, черновик работает!" in html  # the draft, not the published text
    assert "Постоянный клиент" in html and "badge-completed" in html  # the outcome, and passed
    assert "Вы пообещали и сделали." in html  # the debrief
    assert "Выполнение обещаний" in html  # the competency profile
    assert row_counts(app) == before


def test_a_written_reply_shows_in_the_play_and_the_run_ends_awaiting_nothing_recorded(client, app, editor):
    before = row_counts(app)
    html = start_call(client)
    html = reply(client, html, "1")
    html = reply(client, html, "2")  # apologise by letter: a written reply
    assert 'name="mode" value="text"' in html
    run = re.search(r'name="run" value="(\d+)"', html).group(1)
    refused = client.post(CALL + "/reply", data={"csrf_token": csrf_from(html), "run": run, "step": "letter",
                                                 "mode": "text", "text": "   "})
    assert refused.status_code == 302 and not refused.headers["Location"].endswith("#latest")
    assert 'name="mode" value="text"' in client.get(CALL).get_data(as_text=True)  # refused: the step stays
    html = reply(client, html, "", mode="text", text="Извините, заказ будет завтра в 10:00.", check="0")
    assert "Извините, заказ будет завтра в 10:00." in html and "Ждёт письма" in html
    assert row_counts(app) == before


def test_play_again_starts_a_new_run_and_an_old_page_is_refused(client, editor):
    html = start_call(client)
    old = html
    html = reply(client, html, "2")
    again = client.post(CALL + "/run", data={"csrf_token": csrf_from(html)})
    assert again.status_code == 302
    fresh = client.get(CALL).get_data(as_text=True)
    assert "Не знаю, позвоните позже." in fresh and "Наступает полдень." not in fresh
    moved_on = client.post(CALL + "/reply", data={"csrf_token": csrf_from(old), "step": "call", "reply": "1",
                                                  "run": re.search(r'name="run" value="(\d+)"', old).group(1)})
    assert moved_on.status_code == 302
    assert "Наступает полдень." not in client.get(CALL).get_data(as_text=True)


# -- who may play, and what the state may be -------------------------------------------------

def test_only_the_course_editors_may_play_its_drafts(client, app, auth, sample_course):
    auth.as_role("trainer", "other@example.com")
    assert client.get(f"{STUDIO}/play?path={QUIZ_FILE}").status_code == 403
    assert client.get(QUIZ).status_code == 403
    token = auth.csrf()
    assert client.post(QUIZ + "/quiz/start", data={"csrf_token": token}).status_code == 403
    assert client.post(CALL + "/run", data={"csrf_token": token}).status_code == 403
    assert SESSION_KEY not in client.get_cookie("session").value  # nothing was started
    auth.logout()
    auth.as_role("learner")
    assert client.get(QUIZ).status_code == 403
    assert client.get(f"{STUDIO}/play?path={CALL_FILE}").status_code == 403


def test_a_form_without_a_csrf_token_is_refused(client, editor):
    assert client.post(QUIZ + "/quiz/start", data={}).status_code == 400


def test_a_tampered_state_is_refused_not_trusted(client, app, editor):
    html = start_quiz(client)
    token = csrf_from(html)
    # a choice the page never offered (the file's own id), another play's id: refused
    assert client.post(QUIZ + "/quiz/save", data={"csrf_token": token, "attempt": attempt_of(html),
                                                  "question": ["smile"], "q-smile": "a"}).status_code == 400
    assert client.post(QUIZ + "/quiz/submit", data={"csrf_token": token, "attempt": "12345"}).status_code == 400
    # the saved play changed by hand (a status it cannot have, answers that are no tokens): refused
    with client.session_transaction() as session:
        plays = session[SESSION_KEY]
        (key, entry), = plays.items()
        entry["state"]["status"] = "passed"
        session[SESSION_KEY] = {key: entry}
    refused = client.get(QUIZ)
    assert refused.status_code == 400 and "draft-play-banner" not in refused.get_data(as_text=True)
    assert client.get(QUIZ).status_code == 200  # the unreadable play was dropped
    html = start_quiz(client)
    with client.session_transaction() as session:
        plays = session[SESSION_KEY]
        (key, entry), = plays.items()
        entry["state"]["answers"] = {"smile": "a"}
        session[SESSION_KEY] = {key: entry}
    assert client.get(QUIZ).status_code == 400
    # a session cookie changed outside the server is not read at all: no play, and no form goes through
    start_quiz(client)
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value[:-3] + ("AAA" if not cookie.value.endswith("AAA") else "BBB"),
                      domain=cookie.domain, path=cookie.path)
    assert client.post(QUIZ + "/quiz/submit", data={"csrf_token": token, "attempt": attempt_of(html)}
                       ).status_code == 400
    assert 'name="attempt"' not in client.get(QUIZ).get_data(as_text=True)


def test_a_tampered_role_play_state_is_refused(client, editor):
    start_call(client)
    with client.session_transaction() as session:
        plays = session[SESSION_KEY]
        (key, entry), = plays.items()
        entry["state"]["run"]["variables"] = {"promised": "yes"}
        session[SESSION_KEY] = {key: entry}
    assert client.get(CALL).status_code == 400
    start_call(client)
    with client.session_transaction() as session:
        plays = session[SESSION_KEY]
        (key, entry), = plays.items()
        entry["state"]["run"]["step_id"] = "kept"  # a step of the draft, but not one this run reached
        entry["state"]["run"]["finished"] = "yes"
        session[SESSION_KEY] = {key: entry}
    assert client.get(CALL).status_code == 400


def test_a_draft_changed_during_a_play_starts_it_again(client, app, editor):
    html = start_call(client)
    reply(client, html, "1")
    save_draft(app, CALL_FILE, ("Наступает полдень.", "Наступает полдень черновика."))
    page = client.get(CALL).get_data(as_text=True)
    assert "Клиент звонит узнать про заказ." in page and 'name="run"' not in page  # back to the intro
    assert Interface("ru")("The draft changed since you started playing it, so the preview starts again.") in page


def test_a_draft_with_errors_lists_them_instead_of_playing(client, app, editor):
    save_draft(app, CALL_FILE, ("-> #lost if mood < 0", "-> #nowhere if mood < 0"))
    response = client.get(CALL)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "sample/02-practice/02-call.md" in page and f"{STUDIO}/edit?path=02-practice/02-call.md" in page


def test_a_lesson_has_nothing_to_play_and_goes_to_the_editor(client, editor):
    response = client.get(f"{STUDIO}/play/ru/01-basics/01-welcome")
    assert response.status_code == 302 and "/edit?path=01-basics/01-welcome.md" in response.headers["Location"]
    assert client.get(f"{STUDIO}/play/xx/01-basics/01-welcome").status_code == 404
    assert client.get(f"{STUDIO}/play/ru/01-basics/99-none").status_code == 404


def test_the_learners_pages_are_unchanged_by_a_play(client, app, auth, editor):
    save_draft(app, QUIZ_FILE, ("Сколько минут на ответ?", "Сколько минут на ответ в черновике?"))
    take_quiz(client, right=True)
    auth.logout()
    auth.as_role("learner")
    page = client.get("/training/courses/sample/02-practice/03-quiz").get_data(as_text=True)
    assert "draft-play-banner" not in page and "breadcrumbs" in page and "Ваши попытки" not in page



OPEN_QUESTION = """
## Гость жалуется на долгое ожидание. Что вы скажете? {#complaint}

Type: open
Points: 5
Rubric:
- Извиняется
- Называет срок
"""


def test_a_long_written_answer_is_refused_with_its_reason_and_the_rest_is_kept(client, app, editor):
    """The play lives in the session cookie: an answer too long for it is given back with a reason
    (the choices of the same page are kept), and the quiz still ends with the open answer awaiting review."""
    save_draft(app, QUIZ_FILE, ("3. Отправить КП", "3. Отправить КП\n" + OPEN_QUESTION))
    html = start_quiz(client)
    assert "Гость жалуется на долгое ожидание." in html
    answers = answers_for(html, right=True)
    random = __import__("random").Random(7)
    essay = "".join(random.choice("абвгдеёжзийклмнопрстуфхцчшщъыьэюя ,.") for _ in range(4000))
    response = client.post(QUIZ + "/quiz/save", data={
        "csrf_token": csrf_from(html), "attempt": attempt_of(html), "question": ["smile", "complaint"],
        "q-smile": answers["q-smile"], "q-complaint": essay}, headers={"X-Requested-With": "fetch"})
    body = response.get_json()
    assert body["saved"] == 1 and list(body["errors"]) == ["complaint"]
    assert len(client.get_cookie("session").value) < 3500
    again = client.get(QUIZ).get_data(as_text=True)
    assert re.search(r'value="' + answers["q-smile"] + '" checked', again) and essay[:50] not in again
    client.post(QUIZ + "/quiz/save", data={
        "csrf_token": csrf_from(html), "attempt": attempt_of(html), "question": ["complaint"],
        "q-complaint": "Извините, через 5 минут всё будет."}, headers={"X-Requested-With": "fetch"})
    client.post(QUIZ + "/quiz/submit", data={"csrf_token": csrf_from(html), "attempt": attempt_of(html)})
    result = client.get(QUIZ + "/attempts/1").get_data(as_text=True)
    assert "score-card is-pending" in result and "Извините, через 5 минут всё будет." in result
