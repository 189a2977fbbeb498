"""Shared set-up of the review tests: a course with written answers, people and groups, playing it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from lms.models import Assignment, Course, Group, GroupMember, Review
from lms.state import db_session

from support import ROOT, csrf_from

REVIEW_COURSES = ROOT / "tests" / "data" / "review_courses"
COURSE = "/training/courses/reviewed"
LETTER = COURSE + "/01-practice/01-letter"
QUIZ = COURSE + "/01-practice/02-quiz"
QUEUE = "/training/review/"


@dataclass
class People:
    learner: int
    trainer: int
    other_trainer: int
    stranger: int


def import_course(runner) -> None:
    result = runner.invoke(args=["lms", "courses", "import", str(REVIEW_COURSES)])
    assert result.exit_code == 0, result.output


def team_up(app, auth) -> People:
    """A learner trained by ``trainer@`` (team A); ``other@`` trains team B, where ``stranger@`` learns.
    The imported course ``reviewed`` is assigned to both teams: a trainer reviews only
    answers in courses assigned through the groups they train."""
    people = People(
        learner=auth.create("learner@example.com", "Лена Учащаяся", ("learner",)),
        trainer=auth.create("trainer@example.com", "Тимур Тренер", ("trainer",)),
        other_trainer=auth.create("other@example.com", "Ольга Другая", ("trainer",)),
        stranger=auth.create("stranger@example.com", "Семён Чужой", ("learner",)),
    )
    with app.app_context():
        session = db_session()
        team_a, team_b = Group(name="Команда А"), Group(name="Команда Б")
        session.add_all([team_a, team_b])
        session.flush()
        session.add_all([
            GroupMember(group_id=team_a.id, user_id=people.learner, role="member"),
            GroupMember(group_id=team_a.id, user_id=people.trainer, role="trainer"),
            GroupMember(group_id=team_b.id, user_id=people.stranger, role="member"),
            GroupMember(group_id=team_b.id, user_id=people.other_trainer, role="trainer"),
        ])
        course_id = session.scalar(select(Course.id).where(Course.slug == "reviewed"))
        if course_id is not None:
            session.add_all([Assignment(course_id=course_id, group_id=team.id) for team in (team_a, team_b)])
        session.commit()
    return people


def write_letter(client, text: str = "Простите! Заказ будет сегодня в 15:00.", first_reply: str = "1",
                 checks: tuple[str, ...] = ("0",)) -> str:
    """Play the letter scenario to its end as the signed-in learner; returns the ending page."""
    html = client.get(LETTER).get_data(as_text=True)
    client.post(LETTER + "/run", data={"csrf_token": csrf_from(html)})
    for data in ({"reply": first_reply}, {"mode": "text", "text": text, "check": list(checks)}):
        html = client.get(LETTER).get_data(as_text=True)
        run = re.search(r'name="run" value="(\d+)"', html).group(1)
        step = re.search(r'name="step" value="([^"]+)"', html).group(1)
        response = client.post(LETTER + "/reply", data={"csrf_token": csrf_from(html), "run": run, "step": step,
                                                         **data})
        assert response.status_code == 302
    return client.get(LETTER).get_data(as_text=True)


def take_quiz(client, apology: str = "Извините, привезём сегодня к 15:00.", right: bool = True) -> str:
    """Answer and submit the quiz as the signed-in learner; returns the results page's address."""
    html = client.get(QUIZ).get_data(as_text=True)
    client.post(QUIZ + "/quiz/start", data={"csrf_token": csrf_from(html)})
    html = client.get(QUIZ).get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="(\d+)"', html).group(1)
    say = "Извините за ожидание" if right else "Это не мы виноваты"
    block = html[html.index('id="question-say"'):]
    option = re.search(r'value="([^"]+)"[^>]*> <span>' + re.escape(say), block).group(1)
    client.post(QUIZ + "/quiz/save", data={
        "csrf_token": csrf_from(html), "attempt": attempt, "question": ["sum", "say", "apology"],
        "q-sum": "4" if right else "5", "q-say": option, "q-apology": apology, "action": "finish"})
    response = client.post(QUIZ + "/quiz/submit", data={"csrf_token": csrf_from(html), "attempt": attempt})
    assert response.status_code == 302
    return response.headers["Location"]


def pending_ids(app) -> list[int]:
    with app.app_context():
        return list(db_session().scalars(select(Review.id).where(Review.status == "pending").order_by(Review.id)))


def release(client, review_id: int, **data):
    """Post the marking form of a review; ``marks`` is a list of rubric indices."""
    page = client.get(f"{QUEUE}{review_id}").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "comment": "", "points": ""}
    form.update({k: [str(m) for m in v] if k == "marks" else v for k, v in data.items()})
    return client.post(f"{QUEUE}{review_id}", data=form)
