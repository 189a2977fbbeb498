"""Taking a quiz through the test client: saving, grading, limits, tampering, leaks."""
import datetime as dt
import json
import re
import threading

from sqlalchemy import func, select, update

from lms.models import ActivityProgress, QuizAttempt
from lms.state import db_session

from support import csrf_from
from support.quiz import SECRETS, URL, answers_for, option_id, save, start, submit


def test_fail_once_then_pass_with_feedback_and_explanations(client, auth, app, sample_course):
    auth.as_role("learner")
    html = start(client)
    save(client, html, answers_for(html, right=False))
    result = client.get(submit(client, html).headers["Location"]).get_data(as_text=True)
    assert "Не сдано: нужно 70%." in result and re.search(r"class=\"score\">0\s%", result)
    assert "Клиент слышит интонацию, даже не видя вас." in result  # feedback on the wrong option
    assert "Отвечайте на заявку за 10–30 минут." in result  # the explanation
    assert 'href="/training/courses/sample/01-basics/02-speed"' in result  # back to the lesson
    html = start(client)
    save(client, html, answers_for(html, right=True))
    result = client.get(submit(client, html).headers["Location"]).get_data(as_text=True)
    assert "Сдано. Отлично!" in result and re.search(r"class=\"score\">100\s%", result)
    with app.app_context():
        progress = db_session().scalar(select(ActivityProgress).where(ActivityProgress.activity_key == "02-practice/03-quiz"))
        assert progress.status == "completed" and progress.result["passed"] is True


def test_answers_are_saved_and_a_reload_resumes_the_same_attempt(client, auth, sample_course):
    auth.as_role("learner")
    html = start(client)
    smile = option_id(html, "smile", "Улыбку в голосе")
    order = re.findall(r'<span>([^<]+)</span>', html)
    response = save(client, html, {"q-smile": smile, "q-speed": "25"}, action="save",
                    )
    assert response.status_code == 302
    again = client.get(URL).get_data(as_text=True)
    assert f'value="{smile}" checked' in again and 'value="25"' in again
    assert re.findall(r'<span>([^<]+)</span>', again) == order  # same options in the same order


def test_no_answer_or_feedback_reaches_the_page_before_submission(client, auth, sample_course):
    auth.as_role("learner")
    pages = [client.get(URL).get_data(as_text=True)]
    html = start(client)
    pages.append(html)
    attempt = re.search(r'name="attempt" value="(\d+)"', html).group(1)
    autosave = client.post(URL + "/quiz/save", headers={"X-Requested-With": "fetch"},
                           data={"csrf_token": csrf_from(html), "attempt": attempt, "question": "speed",
                                 "q-speed": "20", "action": "save"})
    pages.append(json.dumps(autosave.get_json(), ensure_ascii=False))
    pages.append(client.get("/training/static/lms/lms.js").get_data(as_text=True))
    for text in pages:
        for secret in SECRETS:
            assert secret not in text, secret


def test_double_submission_grades_once(client, auth, app, sample_course):
    auth.as_role("learner")
    html = start(client)
    save(client, html, answers_for(html, right=True))
    first, second = submit(client, html), submit(client, html)
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        attempts = db_session().scalars(select(QuizAttempt)).all()
        assert len(attempts) == 1 and attempts[0].status == "submitted" and attempts[0].revision == 3


def test_tampered_answers_are_refused_and_change_nothing(client, auth, app, sample_course):
    auth.as_role("learner")
    html = start(client)
    save(client, html, {"q-speed": "20"}, action="save")
    other_question_option = option_id(html, "parts", "Весь прайс-лист")  # offered, but for another question
    bad = save(client, html, {"q-smile": other_question_option, "q-speed": "99"}, action="save")
    assert bad.status_code == 400
    stranger = client.post(URL + "/quiz/save", data={"csrf_token": csrf_from(html), "question": "nope",
                                                      "attempt": re.search(r'name="attempt" value="(\d+)"', html).group(1)})
    assert stranger.status_code == 400
    with app.app_context():
        attempt = db_session().scalar(select(QuizAttempt))
        assert attempt.answers == {"speed": "20"}
    submit(client, html)
    late = save(client, html, {"q-speed": "15"}, action="save")
    assert late.status_code == 302
    with app.app_context():
        assert db_session().scalar(select(QuizAttempt)).answers["speed"] != "15"


def test_an_attempt_past_its_deadline_is_graded_with_what_was_saved(client, auth, app, sample_course):
    auth.as_role("learner")
    html = start(client)
    save(client, html, {"q-promise": option_id(html, "promise", "Верно")}, action="save")
    with app.app_context():
        db_session().execute(update(QuizAttempt).values(deadline=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)))
        db_session().commit()
    late = save(client, html, answers_for(html, right=True))
    assert "/attempts/1" in late.headers["Location"]
    with app.app_context():
        attempt = db_session().scalar(select(QuizAttempt))
        assert attempt.status == "submitted" and list(attempt.answers) == ["promise"]
        assert round(attempt.percent, 2) == round(100 / 7, 2)


def test_parallel_starts_cannot_exceed_the_attempts_allowed(client, auth, app, sample_course):
    auth.as_role("learner")
    for _ in range(2):  # two of the three attempts used
        html = start(client)
        submit(client, html)
    cookie = client.get_cookie("session").value
    token = csrf_from(client.get(URL).get_data(as_text=True))
    results = []

    def go():
        worker = app.test_client()
        worker.set_cookie("session", cookie)
        results.append(worker.post(URL + "/quiz/start", data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=go) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [302] * 6
    with app.app_context():
        assert db_session().scalar(select(func.count(QuizAttempt.id))) == 3


def test_saves_racing_each_other_keep_every_answer(client, auth, app, sample_course):
    """The page's autosave and a click on "Next" can reach the server together: both land."""
    auth.as_role("learner")
    html = start(client)
    cookie = client.get_cookie("session").value
    answers = answers_for(html, right=True)
    attempt = re.search(r'name="attempt" value="(\d+)"', html).group(1)
    one_each = {"speed": {"q-speed": "15"}, "promise": {"q-promise": answers["q-promise"]}, "host": {"q-host": "Хостес"},
                "smile": {"q-smile": answers["q-smile"]}, "parts": {"q-parts": answers["q-parts"]}}
    results = []

    def go(question, data):
        worker = app.test_client()
        worker.set_cookie("session", cookie)
        response = worker.post(URL + "/quiz/save", data={"csrf_token": csrf_from(html), "attempt": attempt,
                                                         "question": question, "action": "next", **data})
        results.append(response.headers["Location"])

    threads = [threading.Thread(target=go, args=item) for item in one_each.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all("?q=" in location for location in results), results  # none sent back to the start
    with app.app_context():
        saved = db_session().scalar(select(QuizAttempt.answers))
    assert set(saved) == set(one_each)


def test_one_question_per_page_with_navigation_keeps_answers(client, auth, runner):
    from support import ROOT

    assert runner.invoke(args=["lms", "courses", "import", str(ROOT / "courses")]).exit_code == 0
    auth.as_role("learner")
    url = "/training/courses/service-excellence/01-formula/04-quiz"
    html = client.get(url).get_data(as_text=True)
    client.post(url + "/quiz/start", data={"csrf_token": csrf_from(html)})
    first = client.get(url).get_data(as_text=True)
    assert first.count('class="question question-') == 1 and 'name="index" value="1"' in first
    qid = re.search(r'name="question" value="([^"]+)"', first).group(1)
    field = re.search(r'name="(q-[^"]+)"', first[first.index('id="question-'):]).group(1)
    value = re.search(r'name="' + re.escape(field) + r'"[^>]*value="([^"]+)"', first)
    answer = value.group(1) if value else "1"
    attempt = re.search(r'name="attempt" value="(\d+)"', first).group(1)
    moved = client.post(url + "/quiz/save", data={"csrf_token": csrf_from(first), "attempt": attempt, "question": qid,
                                                  field: answer, "index": "1", "action": "next"})
    assert moved.headers["Location"].endswith("?q=2")
    second = client.get(url + "?q=2").get_data(as_text=True)
    assert 'name="index" value="2"' in second and f'name="question" value="{qid}"' not in second
    assert 'class="is-answered' in second  # the index marks question 1 as answered
