"""The review queue through the test client: marking, releasing, applying results, what learners see."""
import re

from sqlalchemy import event, select

from lms.models import ActivityProgress, Enrollment, QuizAttempt, Review, ScenarioRun, User
from lms.services import reviews
from lms.state import db_session

from support import csrf_from
from support.review import (
    LETTER,
    QUEUE,
    import_course,
    pending_ids,
    release,
    take_quiz,
    team_up,
    write_letter,
)


def progress(app, key: str) -> ActivityProgress:
    with app.app_context():
        return db_session().scalar(select(ActivityProgress).where(ActivityProgress.activity_key == key))


def badge(html: str) -> str | None:
    match = re.search(r'href="/training/review/"[^>]*>[^<]*<span class="nav-badge"[^>]*>(\d+)</span>', html)
    return match.group(1) if match else None


def test_a_written_letter_is_queued_marked_released_and_passes_the_role_play(client, auth, app, runner):
    import_course(runner)
    team_up(app, auth)
    auth.login("learner@example.com")
    ending = write_letter(client, checks=("0", "1"))
    assert "badge-in_progress" in ending and "released-review" not in ending  # awaiting review
    assert progress(app, "01-practice/01-letter").result["passed"] is False

    auth.login("trainer@example.com")
    queue = client.get(QUEUE).get_data(as_text=True)
    [review_id] = pending_ids(app)
    assert badge(queue) == "1"
    assert "Лена Учащаяся" in queue and "Курс с проверкой" in queue and "Письмо клиенту" in queue
    assert "Напишите письмо клиенту" in queue and "Простите! Заказ будет сегодня в 15:00." in queue
    assert queue.count('class="is-met"') == 2  # the learner's self-check, both items
    assert f'href="/training/review/{review_id}"' in queue

    response = release(client, review_id, marks=[1], comment="Хорошо, но извинитесь явно.")
    assert response.status_code == 302 and response.headers["Location"] == QUEUE
    assert badge(client.get(QUEUE).get_data(as_text=True)) is None
    with app.app_context():
        session = db_session()
        review = session.get(Review, review_id)
        trainer = session.scalar(select(User).where(User.email == "trainer@example.com"))
        assert (review.status, review.marks, review.points, review.reviewer_id) == ("released", [1], 2, trainer.id)
        assert review.reviewed_at is not None and review.comment == "Хорошо, но извинитесь явно."
        run = session.scalar(select(ScenarioRun))
        assert (run.points, run.passed) == (3, True)  # one point for the apology reply plus two from the rubric
    done = progress(app, "01-practice/01-letter")
    assert done.result["passed"] is True and done.result["awaiting_review"] == [] and done.score == 3

    auth.login("learner@example.com")
    ending = client.get(LETTER).get_data(as_text=True)
    assert "badge-completed" in ending and f'data-review="{review_id}"' in ending
    released = ending[ending.index('class="released-review"'):]
    assert "Хорошо, но извинитесь явно." in released and "/ 3" in released
    assert re.findall(r'<li class="(is-met|is-missed)"', released) == ["is-missed", "is-met"]
    assert re.search(r'<link rel="stylesheet" href="/training/static/lms/review.css[?"]', ending)


def test_an_open_quiz_answer_is_released_with_adjusted_points_and_completes_the_course(client, auth, app, runner):
    import_course(runner)
    team_up(app, auth)
    auth.login("learner@example.com")
    write_letter(client)
    result_url = take_quiz(client)
    with app.app_context():
        attempt = db_session().scalar(select(QuizAttempt))
        assert (attempt.status, attempt.passed, attempt.percent) == ("awaiting_review", None, 40)

    auth.login("trainer@example.com")
    letter, apology = pending_ids(app)
    release(client, letter, marks=[0, 1])
    # both rubric items ticked would give 3 points; the trainer lowers it, typed with a decimal comma
    release(client, apology, marks=[0, 1], points="1,5", comment="Срок назван, но без извинения.")
    with app.app_context():
        session = db_session()
        attempt = session.scalar(select(QuizAttempt))
        assert (attempt.status, attempt.passed, attempt.percent) == ("submitted", True, 70)
        assert attempt.result["pending"] == [] and attempt.result["points"] == 3.5
        assert session.get(Review, apology).points == 1.5
        enrollment = session.scalar(select(Enrollment))
        assert enrollment.completed_at is not None  # the role-play and the quiz are both passed now
        assert enrollment.last_key == "01-practice/02-quiz"  # the trainer's work did not move "Continue"
    assert progress(app, "01-practice/02-quiz").result == {
        "passed": True, "percent": 70.0, "attempt": 1, "awaiting_review": []}

    auth.login("learner@example.com")
    page = client.get(result_url).get_data(as_text=True)
    assert re.search(r'class="score">70\s%', page)
    assert "Срок назван, но без извинения." in page and "1.5 / 3" in page
    assert page.count('class="released-review"') == 1


def test_a_low_mark_fails_the_quiz_and_the_default_points_are_the_ticked_share(client, auth, app, runner):
    import_course(runner)
    team_up(app, auth)
    auth.login("learner@example.com")
    take_quiz(client, right=False)
    auth.login("trainer@example.com")
    [apology] = pending_ids(app)
    release(client, apology, marks=[1])  # half of an unweighted checklist: 1.5 of 3
    with app.app_context():
        attempt = db_session().scalar(select(QuizAttempt))
        assert db_session().get(Review, apology).points == 1.5
        assert (attempt.status, attempt.passed, attempt.percent) == ("submitted", False, 30)
    assert progress(app, "01-practice/02-quiz").result["passed"] is False


def test_releasing_twice_changes_nothing_and_the_released_page_is_read_only(client, auth, app, runner):
    import_course(runner)
    team_up(app, auth)
    auth.login("learner@example.com")
    write_letter(client)
    auth.login("trainer@example.com")
    [review_id] = pending_ids(app)
    page = client.get(f"{QUEUE}{review_id}").get_data(as_text=True)
    token = csrf_from(page)
    assert client.post(f"{QUEUE}{review_id}", data={"csrf_token": token, "marks": ["0"]}).status_code == 302
    again = client.post(f"{QUEUE}{review_id}", data={"csrf_token": token, "marks": ["0", "1"], "points": "3",
                                                     "comment": "Передумал"})
    assert again.status_code == 302 and again.headers["Location"] == f"{QUEUE}{review_id}"
    with app.app_context():
        review = db_session().get(Review, review_id)
        assert (review.marks, review.points, review.comment) == ([0], 1, "")
        assert db_session().scalar(select(ScenarioRun)).points == 2
    shown = client.get(f"{QUEUE}{review_id}").get_data(as_text=True)
    assert 'data-status="released"' in shown and "<form class=\"review-form\"" not in shown
    assert 'name="points"' not in shown


def test_points_out_of_range_or_not_a_number_are_refused_without_changes(client, auth, app, runner):
    import_course(runner)
    team_up(app, auth)
    auth.login("learner@example.com")
    write_letter(client)
    auth.login("trainer@example.com")
    [review_id] = pending_ids(app)
    for points in ("4", "-1", "много"):
        response = release(client, review_id, marks=[0], points=points)
        assert response.status_code == 400
        assert 'class="form-error"' in response.get_data(as_text=True)
    assert release(client, review_id, marks=[7]).status_code == 400  # an item the rubric does not have
    assert pending_ids(app) == [review_id]


def test_releasing_an_earlier_run_counts_towards_the_best_result(client, auth, app, runner):
    import_course(runner)
    team_up(app, auth)
    auth.login("learner@example.com")
    write_letter(client, text="Первое письмо")
    write_letter(client, text="Второе письмо", first_reply="2")
    assert progress(app, "01-practice/01-letter").result["run"] == 2
    auth.login("trainer@example.com")
    first, second = pending_ids(app)
    release(client, first, marks=[0, 1])
    latest = progress(app, "01-practice/01-letter")
    assert latest.result["passed"] is True  # the first run passed...
    assert latest.result["run"] == 2 and latest.result["awaiting_review"] == ["letter"]  # ...the latest is shown
    release(client, second, marks=[0])
    latest = progress(app, "01-practice/01-letter")
    assert latest.result["passed"] is True and latest.result["awaiting_review"] == [] and latest.score == 1
    with app.app_context():
        assert [r.passed for r in db_session().scalars(select(ScenarioRun).order_by(ScenarioRun.number))] == [True, False]


def test_the_queue_is_oldest_first_and_shows_only_the_trainers_groups(client, auth, app, runner):
    import_course(runner)
    team_up(app, auth)
    for email, text in (("learner@example.com", "Письмо Лены 1"), ("stranger@example.com", "Письмо Семёна"),
                        ("learner@example.com", "Письмо Лены 2")):
        auth.login(email)
        write_letter(client, text=text)
    auth.login("trainer@example.com")
    mine = client.get(QUEUE).get_data(as_text=True)
    assert badge(mine) == "2" and "Письмо Семёна" not in mine
    assert mine.index("Письмо Лены 1") < mine.index("Письмо Лены 2")
    auth.login("other@example.com")
    theirs = client.get(QUEUE).get_data(as_text=True)
    assert badge(theirs) == "1" and "Письмо Семёна" in theirs and "Письмо Лены" not in theirs
    auth.as_role("admin")
    everything = client.get(QUEUE).get_data(as_text=True)
    assert badge(everything) == "3"
    assert everything.index("Письмо Лены 1") < everything.index("Письмо Семёна") < everything.index("Письмо Лены 2")


def test_the_navigation_count_is_one_query(client, auth, app, runner):
    import_course(runner)
    people = team_up(app, auth)
    auth.login("learner@example.com")
    write_letter(client)
    take_quiz(client)
    with app.app_context():
        session = db_session()
        trainer = session.get(User, people.trainer)
        statements = []
        engine = session.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            count = reviews.pending_count(session, trainer)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert count == 2 and len(statements) == 1
        assert reviews.pending_count(session, session.get(User, people.other_trainer)) == 0
        assert reviews.pending_count(session, session.get(User, people.learner)) == 0  # nobody marks their own
