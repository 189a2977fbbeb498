"""The role-play player through the test client: state, branches, free text, tampering."""

from sqlalchemy import func, select

from lms.models import ActivityProgress, Review, ScenarioChoice, ScenarioRun
from lms.state import db_session

from support import csrf_from
from support.scenario import URL, offered, page, reply, start


def test_keeping_the_promise_reaches_the_loyal_ending_with_debrief_and_competencies(client, auth, app, sample_course):
    auth.as_role("learner")
    html = start(client)
    assert "Когда будет готов мой заказ?" in html and offered(html) == ["1", "2"]
    html = reply(client, html, "1")
    assert "Завтра к 12:00, обещаю." in html  # the learner's own line in the transcript
    assert offered(html) == ["1", "2", "3"]  # the promise unlocked the replies that need it
    assert '<meter min="-5" max="5"' in html and 'value="-1"' in html  # expectations rose by one
    html = reply(client, html, "1")
    assert "Постоянный клиент" in html and "Вы пообещали и сделали." in html
    assert "Выполнение обещаний" in html and "Сдано" in html
    with app.app_context():
        progress = db_session().scalar(select(ActivityProgress).where(ActivityProgress.activity_key == "02-practice/02-call"))
        assert progress.status == "completed" and progress.result["passed"] is True
        assert db_session().scalar(select(func.count(ScenarioChoice.id))) == 2


def test_without_a_promise_the_conditional_replies_are_not_offered(client, auth, sample_course):
    auth.as_role("learner")
    html = reply(client, start(client), "2")
    assert offered(html) == ["3"]
    html = reply(client, html, "3")
    assert "Клиент потерян" in html and "Ещё не сдано" in html
    assert 'href="/training/courses/sample/02-practice/01-checklist"' in html  # weak spot links to its lesson


def test_tampered_and_replayed_replies_are_refused_without_changing_the_run(client, auth, app, sample_course):
    auth.as_role("learner")
    first = start(client)
    html = reply(client, first, "2")
    before = html
    after_tamper = reply(client, html, "1")  # reply 1 needs a promise: not offered here
    assert "Этот разговор уже ушёл дальше" in after_tamper
    assert offered(after_tamper) == offered(before) == ["3"]
    replay = reply(client, first, "1")  # the old page's step, sent again
    assert offered(replay) == ["3"]
    with app.app_context():
        run = db_session().scalar(select(ScenarioRun))
        assert [step for step, _ in run.state["path"]] == ["call"]


def test_free_text_turn_goes_to_review_and_the_self_check_is_kept(client, auth, app, sample_course):
    auth.as_role("learner")
    html = reply(client, reply(client, start(client), "1"), "2")
    assert "Напишите письмо клиенту" in html and "назвали точное время" in html
    empty = reply(client, html, "", mode="text", text="   ")
    assert "Напишите ответ, прежде чем отправлять его." in empty
    html = reply(client, empty, "", mode="text", text="Извините! Заказ будет сегодня в 15:00.", check=["0", "1"])
    assert "Извините! Заказ будет сегодня в 15:00." in html
    assert "Ждёт письма" in html
    with app.app_context():
        review = db_session().scalar(select(Review))
        assert (review.status, review.item_id, review.self_check, review.max_points) == ("pending", "letter", [0, 1], 3)


def test_a_reload_resumes_and_restarting_keeps_every_run(client, auth, app, sample_course):
    auth.as_role("learner")
    html = reply(client, start(client), "1")
    assert page(client).count("Завтра к 12:00, обещаю.") == 1  # same place after a reload
    client.post(URL + "/run", data={"csrf_token": csrf_from(html)})
    fresh = page(client)
    assert offered(fresh) == ["1", "2"] and "bubble-learner" not in fresh
    with app.app_context():
        assert db_session().scalar(select(func.count(ScenarioRun.id))) == 2


def test_the_page_never_shows_targets_effects_or_conditions(client, auth, sample_course):
    auth.as_role("learner")
    html = reply(client, start(client), "1")
    for secret in ("#kept", "#letter", "promised=true", "experience+2", "if promised", "points+"):
        assert secret not in html
