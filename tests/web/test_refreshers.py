"""Spaced refreshers through the test client: a question missed in a quiz comes back the next day,
after a right answer three days later, after a wrong one the next day; the trainer sees how the
group answers them."""
import datetime as dt
import re

from sqlalchemy import select

from lms.models import User
from lms.practice import service
from lms.state import db_session

from support import csrf_from
from support.practice import days_pass
from support.quiz import answers_for, option_id, save, start, submit
from support.trainer import TRAINER, add_members, assign_to_group, create_group

PRACTICE = "/training/practice"


def miss_speed_and_smile(client):
    """Take the sample quiz with every answer right but two (``speed`` and ``smile``)."""
    html = start(client)
    answers = answers_for(html, right=True)
    answers.update({"q-speed": "90", "q-smile": option_id(html, "smile", "Ничего особенного")})
    save(client, html, answers)
    assert submit(client, html).status_code == 302


def shown(client) -> dict[str, tuple[str, str]]:
    """Question id -> (ref, the item's html) of the questions in today's practice still to answer."""
    html = client.get(PRACTICE).get_data(as_text=True)
    found = {}
    for block in html.split('<li class="practice-item')[1:]:
        ref = re.search(r'name="ref" value="([^"]+)"', block)
        if ref:
            found[re.search(r'id="question-([^"]+)"', block).group(1)] = (ref.group(1), html)
    return found


def answer(client, item: tuple[str, str], fields: dict):
    ref, html = item
    response = client.post(PRACTICE + "/answer", data={"csrf_token": csrf_from(html), "ref": ref, **fields})
    assert response.status_code == 302


def right_smile(item: tuple[str, str]) -> dict:
    return {"q-smile": option_id(item[1], "smile", "Улыбку в голосе")}


def due_count(app, email: str, days_ahead: int = 0) -> int:
    with app.app_context():
        session = db_session()
        user_id = session.scalar(select(User.id).where(User.email == email))
        return service.due_refreshers(session, user_id, service.today() + dt.timedelta(days=days_ahead))


def test_missed_questions_come_back_on_the_leitner_schedule(app, client, auth, sample_course):
    email = auth.as_role("learner")
    miss_speed_and_smile(client)
    # day 0: nothing yet, the misses come back tomorrow
    page = client.get(PRACTICE).get_data(as_text=True)
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    assert shown(client) == {} and f'data-next-due="{tomorrow}"' in page
    assert due_count(app, email) == 0 and due_count(app, email, days_ahead=1) == 2

    days_pass(app, 1)   # day 1: both are due
    today = shown(client)
    assert set(today) == {"speed", "smile"} and due_count(app, email) == 2
    answer(client, today["speed"], {"q-speed": "15"})      # right: back in 3 days
    answer(client, today["smile"], {"q-smile": option_id(today["smile"][1], "smile", "Ничего особенного")})
    assert shown(client) == {} and due_count(app, email) == 0   # done for today: nothing to remind of

    days_pass(app, 1)   # day 2: the wrong one is back, the right one is not
    today = shown(client)
    assert set(today) == {"smile"}
    answer(client, today["smile"], right_smile(today["smile"]))   # right: back on day 5

    days_pass(app, 1)   # day 3: nothing due
    assert shown(client) == {} and due_count(app, email) == 0

    days_pass(app, 1)   # day 4: the question answered right on day 1 is back
    today = shown(client)
    assert set(today) == {"speed"}
    answer(client, today["speed"], {"q-speed": "15"})      # right again: back in 7 days
    page = client.get(PRACTICE).get_data(as_text=True)
    in_a_week = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)).isoformat()
    assert f'data-comes-back="{in_a_week}"' in page

    days_pass(app, 1)   # day 5: the other one is back
    assert set(shown(client)) == {"smile"}


def test_the_days_set_stays_put_when_the_quiz_is_taken_again(app, client, auth, sample_course):
    auth.as_role("learner")
    miss_speed_and_smile(client)
    days_pass(app, 1)
    before = shown(client)
    assert set(before) == {"speed", "smile"}
    # retaking the quiz today and missing again changes nothing in today's practice
    miss_speed_and_smile(client)
    assert {q: ref for q, (ref, _html) in shown(client).items()} == {q: ref for q, (ref, _html) in before.items()}


def test_the_trainer_sees_how_the_group_answers_its_refreshers(app, client, auth, sample_course):
    auth.as_role("trainer")
    group_id = create_group(client)
    auth.create("learner@example.com", "Анна")
    add_members(client, group_id, "learner@example.com")
    assign_to_group(client, group_id)
    html = client.get(f"{TRAINER}/groups/{group_id}").get_data(as_text=True)
    assert 'id="refreshers-title"' in html and "refreshers-table" not in html
    auth.logout()

    auth.login("learner@example.com")
    miss_speed_and_smile(client)
    days_pass(app, 1)
    today = shown(client)
    answer(client, today["speed"], {"q-speed": "15"})
    answer(client, today["smile"], {"q-smile": option_id(today["smile"][1], "smile", "Ничего особенного")})
    days_pass(app, 1)
    today = shown(client)
    answer(client, today["smile"], right_smile(today["smile"]))
    auth.logout()

    auth.login("trainer@example.com")
    html = client.get(f"{TRAINER}/groups/{group_id}").get_data(as_text=True)
    # the sample quiz's questions have no category: they count under the quiz's title
    row = re.search(r'<tr data-competency="Проверка знаний">(.*?)</tr>', html, re.S)
    assert row, html[html.index('id="refreshers-title"'):][:1500]
    assert 'data-answered="3"' in row.group(1) and 'data-right="67"' in row.group(1)


def test_a_learner_who_opted_in_gets_one_short_refresher_email_a_day(app, client, auth, sample_course, smtp):
    from lms.notify import outbox

    email = auth.as_role("learner")
    miss_speed_and_smile(client)
    with app.app_context():
        session = db_session()
        user_id = session.scalar(select(User.id).where(User.email == email))
        outbox.set_choice(session, user_id, "refresher", True)
        session.commit()
    days_pass(app, 1)
    for _run in range(2):  # cron every minute: one e-mail a day
        result = app.test_cli_runner().invoke(args=["lms", "notify", "send"])
        assert result.exit_code == 0, result.output
    refreshers = [m for m in smtp.inbox.to(email) if "2 минуты" in str(m["Subject"]) or "2 minutes" in str(m["Subject"])]
    assert len(refreshers) == 1
    assert "https://lms.example.com/training/practice" in refreshers[0].get_body(("plain",)).get_content()
