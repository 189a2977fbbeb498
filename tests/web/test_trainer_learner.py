"""A learner's page for the trainer: lessons read, quiz answers, role-play paths and time, content versions."""
import re
import shutil

from sqlalchemy import select, update

from lms.models import ScenarioChoice
from lms.state import db_session

from support import SAMPLE_COURSES, csrf_from
from support.trainer import SAMPLE, TRAINER, add_members, assign_to_group, create_group, read_lesson

QUIZ = f"{SAMPLE}/02-practice/03-quiz"
CALL = f"{SAMPLE}/02-practice/02-call"


def take_quiz(client):
    """Start the sample quiz, answer two questions (one right, one wrong), submit."""
    html = client.get(QUIZ).get_data(as_text=True)
    client.post(QUIZ + "/quiz/start", data={"csrf_token": csrf_from(html)})
    html = client.get(QUIZ).get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="(\d+)"', html).group(1)
    block = html[html.index('id="question-promise"'):]
    false = re.search(r'value="([^"]+)"[^>]*> <span>Неверно<', block).group(1)  # the page names options by token
    client.post(QUIZ + "/quiz/save", data={"csrf_token": csrf_from(html), "attempt": attempt,
                                           "question": ["speed", "promise"], "q-speed": "15",
                                           "q-promise": false, "action": "finish"})
    client.post(QUIZ + "/quiz/submit", data={"csrf_token": csrf_from(html), "attempt": attempt})


def play(client, replies):
    html = client.get(CALL).get_data(as_text=True)
    client.post(CALL + "/run", data={"csrf_token": csrf_from(html)})
    for reply in replies:
        html = client.get(CALL).get_data(as_text=True)
        client.post(CALL + "/reply", data={
            "csrf_token": csrf_from(html), "run": re.search(r'name="run" value="(\d+)"', html).group(1),
            "step": re.search(r'name="step" value="([^"]+)"', html).group(1), "reply": reply})


def test_the_learner_page_shows_everything_done_pinned_to_its_version(client, auth, app, runner, sample_course,
                                                                       tmp_path):
    anna = auth.create("anna@example.com", "Anna")
    auth.as_role("trainer")
    group_id = create_group(client)
    add_members(client, group_id, "anna@example.com")
    assign_to_group(client, group_id)

    auth.logout()
    auth.login("anna@example.com")
    read_lesson(client, "01-basics", "01-welcome")
    take_quiz(client)
    play(client, ["1", "1"])
    with app.app_context():
        db_session().execute(update(ScenarioChoice).values(seconds=45))
        db_session().commit()

    # a new version of the course: what follows is pinned to version 2
    shutil.copytree(SAMPLE_COURSES, tmp_path / "courses")
    lesson = tmp_path / "courses" / "sample" / "01-basics" / "02-speed.md"
    lesson.write_text(lesson.read_text() + "\nНовый абзац.\n")
    assert runner.invoke(args=["lms", "courses", "import", str(tmp_path / "courses")]).exit_code == 0
    read_lesson(client, "01-basics", "02-speed")

    auth.logout()
    auth.login("trainer@example.com")
    response = client.get(f"{TRAINER}/learners/{anna}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "anna@example.com" in html
    lessons = re.findall(r'<tr class="lesson-row status-completed"><th scope="row" lang="ru">([^<]+?) <span.*?'
                         r'<td class="num version">(\d+)</td>', html, re.S)
    assert lessons == [("Улыбка в голосе", "1"), ("Скорость ответа", "2")]
    attempt = re.search(r'<details class="attempt.*?</details>', html, re.S).group(0)
    assert "Проверка знаний" in attempt
    assert re.findall(r"\d+", re.search(r'<span class="version">([^<]+)</span>', attempt).group(1)) == ["1"]
    assert "Сколько минут на ответ?" in attempt and ">15</td>" in attempt  # the answer as given
    assert "Неверно" in attempt and 'class="is-wrong"' in attempt
    percent = re.search(r'<span class="attempt-score">(\d+)%</span>', attempt).group(1)
    assert 0 < int(percent) < 100
    run = re.search(r'<details class="run is-passed">.*?</details>', html, re.S).group(0)
    assert re.findall(r"<li>([^<]+)</li>", run) == ["Звонок", "На следующий день", "Слово сдержано"]
    assert 'data-seconds="90"' in run and "1:30" in run
    assert "Постоянный клиент" in run
    assert re.findall(r"\d+", re.search(r'<span class="version">([^<]+)</span>', run).group(1)) == ["1"]


def test_a_learner_without_activity_has_an_empty_page(client, auth, app, sample_course):
    anna = auth.create("anna@example.com", "Anna")
    auth.as_role("trainer")
    group_id = create_group(client)
    add_members(client, group_id, "anna@example.com")
    html = client.get(f"{TRAINER}/learners/{anna}").get_data(as_text=True)
    assert "learner-course" not in html and f'href="/training/trainer/groups/{group_id}"' in html
    with app.app_context():
        assert db_session().scalar(select(ScenarioChoice.id)) is None
