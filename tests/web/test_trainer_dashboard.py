"""The group dashboard: learners × modules, counts, sorting, filters and charts without inline script or style."""
import datetime as dt
import re

from sqlalchemy import insert, select

from lms.models import Enrollment, QuizAttempt
from lms.state import db_session

from support import csrf_from
from support.trainer import (
    SAMPLE,
    TRAINER,
    add_members,
    assign_to_group,
    cells_of,
    create_group,
    read_lesson,
    row_users,
    seed_group,
)

CALL = f"{SAMPLE}/02-practice/02-call"


def switch(client, auth, email: str):
    auth.logout()
    auth.login(email)


def play_the_promise_kept(client):
    """The sample role-play's best run: promise, then keep it (promises +3)."""
    html = client.get(CALL).get_data(as_text=True)
    client.post(CALL + "/run", data={"csrf_token": csrf_from(html)})
    for _ in range(2):
        html = client.get(CALL).get_data(as_text=True)
        client.post(CALL + "/reply", data={
            "csrf_token": csrf_from(html), "run": re.search(r'name="run" value="(\d+)"', html).group(1),
            "step": re.search(r'name="step" value="([^"]+)"', html).group(1), "reply": "1"})


def quiz_attempt(app, user_id: int, percent: float):
    with app.app_context():
        session = db_session()
        enrollment = session.scalar(select(Enrollment).where(Enrollment.user_id == user_id))
        session.execute(insert(QuizAttempt), [{
            "enrollment_id": enrollment.id, "user_id": user_id, "activity_key": "02-practice/03-quiz",
            "version_id": enrollment.version_id, "number": 1, "seed": 1, "plan": {"seed": 1, "question_ids": []},
            "answers": {}, "status": "submitted", "percent": percent, "passed": percent >= 70, "revision": 1}])
        session.commit()


def build(client, auth, app, due: str = "2031-12-01"):
    """Anna read module 1, played the role-play and scored 85 %; Boris read one lesson; Vera nothing."""
    ids = {name: auth.create(f"{name}@example.com", name.title()) for name in ("vera", "anna", "boris")}
    auth.as_role("trainer")
    group_id = create_group(client)
    add_members(client, group_id, "anna@example.com boris@example.com vera@example.com")
    assign_to_group(client, group_id, due=due)
    switch(client, auth, "anna@example.com")
    read_lesson(client, "01-basics", "01-welcome")
    read_lesson(client, "01-basics", "02-speed")
    play_the_promise_kept(client)
    switch(client, auth, "boris@example.com")
    read_lesson(client, "01-basics", "01-welcome")
    quiz_attempt(app, ids["anna"], 85.0)
    switch(client, auth, "trainer@example.com")
    return group_id, ids


def test_the_matrix_shows_each_learner_in_each_module_with_counts(client, auth, app, sample_course):
    group_id, ids = build(client, auth, app)
    response = client.get(f"{TRAINER}/groups/{group_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert row_users(html) == [ids["anna"], ids["boris"], ids["vera"]]  # by name
    assert cells_of(html, ids["anna"]) == ["completed", "in_progress"]
    assert cells_of(html, ids["boris"]) == ["in_progress", "not_started"]
    assert cells_of(html, ids["vera"]) == ["not_started", "not_started"]
    anna_row = re.search(rf'data-user="{ids["anna"]}">(.*?)</tr>', html, re.S).group(1)
    assert 'data-score="85"' in anna_row and 'data-percent="60"' in anna_row  # 3 of 5 activities done
    totals = dict(re.findall(r'<tr class="totals totals-(\w+)">(.*?)</tr>', html, re.S))
    assert re.findall(r'data-count="(\d+)"', totals["completed"]) == ["1", "0"]
    assert re.findall(r'data-count="(\d+)"', totals["in_progress"]) == ["1", "1"]
    assert re.findall(r'data-count="(\d+)"', totals["not_started"]) == ["1", "2"]
    assert '<span class="summary-number" data-status="in_progress">2</span>' in html
    # the learner's name leads to their page
    assert f'href="/training/trainer/learners/{ids["anna"]}"' in html


def test_sorting_and_filtering_by_query_parameters(client, auth, app, sample_course):
    group_id, ids = build(client, auth, app)
    url = f"{TRAINER}/groups/{group_id}"
    by_progress = client.get(url + "?sort=progress&dir=desc").get_data(as_text=True)
    assert row_users(by_progress) == [ids["anna"], ids["boris"], ids["vera"]]
    by_progress_up = client.get(url + "?sort=progress").get_data(as_text=True)
    assert row_users(by_progress_up) == [ids["vera"], ids["boris"], ids["anna"]]
    by_name_down = client.get(url + "?sort=name&dir=desc").get_data(as_text=True)
    assert row_users(by_name_down) == [ids["vera"], ids["boris"], ids["anna"]]
    by_status = client.get(url + "?sort=status").get_data(as_text=True)
    assert row_users(by_status) == [ids["vera"], ids["anna"], ids["boris"]]  # not started first
    assert row_users(client.get(url + "?status=not_started").get_data(as_text=True)) == [ids["vera"]]
    assert row_users(client.get(url + "?status=completed").get_data(as_text=True)) == []
    # unknown values fall back to defaults instead of failing
    assert row_users(client.get(url + "?sort=evil&status=nope&page=-3").get_data(as_text=True)) == \
        [ids["anna"], ids["boris"], ids["vera"]]


def test_after_the_due_date_unfinished_modules_are_overdue(client, auth, app, sample_course):
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    group_id, ids = build(client, auth, app, due=past)
    html = client.get(f"{TRAINER}/groups/{group_id}").get_data(as_text=True)
    assert cells_of(html, ids["anna"]) == ["completed", "overdue"]
    assert cells_of(html, ids["vera"]) == ["overdue", "overdue"]
    assert '<span class="summary-number" data-status="overdue">3</span>' in html
    assert row_users(client.get(f"{TRAINER}/groups/{group_id}?status=overdue").get_data(as_text=True)) == \
        [ids["anna"], ids["boris"], ids["vera"]]


def test_charts_are_inline_svg_with_text_alternatives_and_no_inline_script_or_style(client, auth, app, sample_course):
    group_id, ids = build(client, auth, app)
    response = client.get(f"{TRAINER}/groups/{group_id}")
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "style=" not in html
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", html))
    assert 'href="/training/static/lms/trainer.css' in html
    svgs = re.findall(r'<svg (?!class="icon).*?</svg>', html, re.S)  # the charts, not the interface's icons
    assert len(svgs) == 2  # nobody completed the course yet: the quiz histogram and the competencies
    for svg in svgs:
        chart_id = re.search(r'id="([^"]+)"', svg).group(1)
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in svg and 'role="img"' in svg
        assert f'<title id="{chart_id}-title">' in svg and f'<desc id="{chart_id}-desc">' in svg
    # the histogram's data table: one learner's best score in the 80-89 band
    quiz_table = re.search(r'id="chart-quiz-0".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', quiz_table) == ["0"] * 8 + ["1", "0"]
    # the competency profile: Anna kept her promise for 3 points of the best 3
    assert re.search(r'<tr data-tag="promises"><td>[^<]+</td><td class="num">3.0</td><td class="num">3</td>'
                     r'<td class="num">1</td></tr>', html)


def test_completions_over_time_are_drawn_once_someone_finishes(client, auth, app, sample_course):
    group_id, ids = build(client, auth, app)
    with app.app_context():
        session = db_session()
        enrollment = session.scalar(select(Enrollment).where(Enrollment.user_id == ids["anna"]))
        enrollment.completed_at = dt.datetime(2030, 5, 4, 10, tzinfo=dt.UTC)
        session.commit()
    html = client.get(f"{TRAINER}/groups/{group_id}").get_data(as_text=True)
    assert 'id="chart-completions"' in html
    assert re.search(r"<tbody><tr><td>[^<]*2030[^<]*</td><td class=\"num\">1</td></tr></tbody>", html)


def test_a_group_with_nothing_assigned_says_so(client, auth, app, sample_course):
    auth.as_role("trainer")
    group_id = create_group(client)
    html = client.get(f"{TRAINER}/groups/{group_id}").get_data(as_text=True)
    assert f'href="/training/trainer/groups/{group_id}/courses"' in html and "<table" not in html


def test_a_big_group_is_shown_a_page_at_a_time(client, auth, app, sample_course):
    trainer = auth.create("trainer@example.com", "Trainer", ("trainer",))
    with app.app_context():
        group = seed_group(db_session(), "sample", 250, trainer_id=trainer)
        db_session().commit()
        group_id = group.id
    auth.login("trainer@example.com")
    first = client.get(f"{TRAINER}/groups/{group_id}").get_data(as_text=True)
    assert len(row_users(first)) == 100 and "?course=sample&amp;sort=name&amp;page=2" in first
    last = client.get(f"{TRAINER}/groups/{group_id}?course=sample&sort=name&page=3").get_data(as_text=True)
    assert len(row_users(last)) == 50
    assert set(row_users(first)).isdisjoint(row_users(last))
    counts = re.findall(r'<span class="summary-number" data-status="\w+">(\d+)</span>', first)
    assert sum(map(int, counts)) == 250
