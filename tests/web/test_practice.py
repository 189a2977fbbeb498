"""Daily practice through the test client: questions from the learner's own mistakes, put right or not."""
import datetime as dt
import re

from sqlalchemy import func, select

from lms.practice.models import PracticeAnswer
from lms.state import db_session

from support import csrf_from
from support.practice import days_pass
from support.quiz import SECRETS, answers_for, option_id, save, select_names, select_value, start, submit

PRACTICE = "/training/practice"
#: the right answer to each question of the sample quiz, as form fields read from a practice item
RIGHT = {
    "speed": lambda block: {"q-speed": "15"},
    "smile": lambda block: {"q-smile": option_id(block, "smile", "Улыбку в голосе")},
    "parts": lambda block: {"q-parts": [option_id(block, "parts", "Срок"), option_id(block, "parts", "Имя менеджера")]},
    "promise": lambda block: {"q-promise": option_id(block, "promise", "Верно")},
    "host": lambda block: {"q-host": "хостес"},
    "channels": lambda block: {name: select_value(block, name, "10 минут" if label == "Мессенджер" else "30 минут")
                               for label, name in select_names(block, "q-channels").items()},
    "steps": lambda block: {names[label]: str(n) for n, label in enumerate(
        ["Ответить за 10–30 минут", "Уточнить потребности", "Отправить КП"], 1)
        for names in [select_names(block, "q-steps")]},
}


def fail_the_quiz(client):
    html = start(client)
    save(client, html, answers_for(html, right=False))
    assert submit(client, html).status_code == 302


def items(html: str) -> list[tuple[str, str, str]]:
    """(question id, ref, the item's html) of every question still to answer."""
    found = []
    for block in html.split('<li class="practice-item')[1:]:
        ref = re.search(r'name="ref" value="([^"]+)"', block)
        if ref:
            found.append((re.search(r'id="question-([^"]+)"', block).group(1), ref.group(1), block))
    return found


def answer(client, html: str, ref: str, fields: dict):
    return client.post(PRACTICE + "/answer", data={"csrf_token": csrf_from(html), "ref": ref, **fields})


def test_without_mistakes_there_is_nothing_to_practise(client, auth, sample_course):
    auth.as_role("learner")
    html = client.get(PRACTICE).get_data(as_text=True)
    assert "Нечего повторять" in html and "practice-form" not in html


def test_three_of_the_learners_mistakes_come_back_without_giving_the_answers_away(app, client, auth, sample_course):
    auth.as_role("learner")
    fail_the_quiz(client)
    days_pass(app, 1)
    html = client.get(PRACTICE).get_data(as_text=True)
    drawn = items(html)
    assert len(drawn) == 3 and len({ref for _q, ref, _b in drawn}) == 3
    assert "Проверка знаний" in html
    for secret in SECRETS:
        assert secret not in html, secret
    # the same three on a reload: the day's set is stable
    assert [ref for _q, ref, _b in items(client.get(PRACTICE).get_data(as_text=True))] == [r for _q, r, _b in drawn]


def test_a_right_answer_puts_a_question_right_and_starts_a_streak(app, client, auth, sample_course):
    auth.as_role("learner")
    fail_the_quiz(client)
    days_pass(app, 1)
    html = client.get(PRACTICE).get_data(as_text=True)
    (first, first_ref, block), (second, second_ref, _block) = items(html)[:2]
    response = answer(client, html, first_ref, RIGHT[first](block))
    assert response.status_code == 302 and response.headers["Location"].endswith("#item-1")
    wrong = {"q-speed": "90"} if second == "speed" else {}
    assert answer(client, html, second_ref, wrong).status_code == 302
    page = client.get(PRACTICE).get_data(as_text=True)
    # the right one comes back in three days, the wrong one tomorrow (lms.core.refresh)
    today = dt.datetime.now(dt.UTC).date()
    assert re.search(r'is-correct"[^>]*data-comes-back="([^"]+)"', page).group(1) == str(today + dt.timedelta(days=3))
    assert re.search(r'is-wrong"[^>]*data-comes-back="([^"]+)"', page).group(1) == str(today + dt.timedelta(days=1))
    assert "Правильный ответ:" in page       # the quiz lets learners see its answers after trying
    assert "Серия: 1 день" in page and 'data-streak="1"' in page
    assert len(items(page)) == 1
    # answering the same question again changes nothing
    answer(client, html, first_ref, RIGHT[first](block))
    with app.app_context():
        assert db_session().scalar(select(func.count(PracticeAnswer.id))) == 2
    # tomorrow: what was put right does not come back; what is still wrong may
    days_pass(app, 1)
    refs = [ref for _q, ref, _b in items(client.get(PRACTICE).get_data(as_text=True))]
    assert first_ref not in refs and len(refs) == 3


def test_a_tampered_or_foreign_answer_is_refused(app, client, auth, sample_course):
    auth.as_role("learner")
    fail_the_quiz(client)
    days_pass(app, 1)
    html = client.get(PRACTICE).get_data(as_text=True)
    drawn = items(html)
    question, ref, _block = next(item for item in drawn if item[0] in ("smile", "promise", "parts"))
    assert answer(client, html, ref, {f"q-{question}": "o1"}).status_code == 400   # an authored id, not a token
    assert answer(client, html, "999:02-practice/03-quiz:speed", {"q-speed": "15"}).status_code == 400
    assert client.post(PRACTICE + "/answer", data={"ref": ref}).status_code == 400  # no CSRF token


def test_the_home_page_offers_the_days_practice_and_says_when_it_is_done(app, client, auth, sample_course):
    auth.as_role("learner")
    assert "Ежедневная практика" not in client.get("/training/").get_data(as_text=True)
    fail_the_quiz(client)
    assert "Ежедневная практика" not in client.get("/training/").get_data(as_text=True)   # due tomorrow
    days_pass(app, 1)
    home = client.get("/training/").get_data(as_text=True)
    assert "3 вопроса из ваших ошибок, около двух минут." in home and "Потренироваться" in home
    html = client.get(PRACTICE).get_data(as_text=True)
    for question, ref, block in items(html):
        answer(client, html, ref, RIGHT[question](block))
    home = client.get("/training/").get_data(as_text=True)
    assert "На сегодня всё." in home and "Серия: 1 день" in home


def test_weak_competencies_of_the_latest_role_play_come_back_with_their_lesson(app, client, auth, sample_course):
    from support.scenario import reply
    from support.scenario import start as start_run

    auth.as_role("learner")
    reply(client, reply(client, start_run(client), "2"), "3")   # the customer is lost: promises not kept
    assert "Из ваших ролевых игр" not in client.get(PRACTICE).get_data(as_text=True)   # due tomorrow
    days_pass(app, 1)
    html = client.get(PRACTICE).get_data(as_text=True)
    assert "Из ваших ролевых игр: стоит повторить" in html
    assert "Выполнение обещаний" in html and "Сыграть ещё раз «Звонок клиента»" in html
    assert 'href="/training/courses/sample/02-practice/01-checklist"' in html
