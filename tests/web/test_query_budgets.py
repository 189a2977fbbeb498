"""Query discipline: every page type stays within its budget of SQL statements, and
the count does not grow with the data (no N+1).

The same pages are measured twice: on a small world (a group of 5 learners, one
quiz attempt, one role-play begun) and after it has grown (a second group of 60,
more attempts and runs, more lessons read, more groups for the trainer). A page
that loads rows one by one in a loop shows up as a count that changed.
"""
import re

from sqlalchemy import insert

from lms.models import GroupMember
from lms.state import db_session

from support import csrf_from, make_editor
from support.queries import statements_for
from support.quiz import URL as QUIZ
from support.quiz import answers_for, save, submit
from support.quiz import start as start_quiz
from support.scenario import URL as SCENARIO
from support.scenario import offered, reply
from support.scenario import start as start_run
from support.trainer import read_lesson, row_users, seed_group

COURSE = "/training/courses/sample"
# page type -> (who opens it, path, the most statements it may run)
PAGES = {
    "my training": ("learner", "/training/", 9),  # 3 for the daily practice: mistakes, put right, streak
    "course": ("learner", f"{COURSE}/", 7),
    "lesson": ("learner", f"{COURSE}/01-basics/01-welcome", 4),
    "quiz": ("learner", QUIZ, 4),
    "quiz result": ("learner", QUIZ + "/attempts/{attempt}", 5),
    "role-play": ("learner", SCENARIO, 5),
    "my certificates": ("learner", "/training/certificates/", 4),
    "trainer: groups": ("trainer", "/training/trainer/", 7),
    "trainer: dashboard": ("trainer", "/training/trainer/groups/{group}", 14),
    "trainer: members": ("trainer", "/training/trainer/groups/{group}/members", 5),
    "trainer: courses of a group": ("trainer", "/training/trainer/groups/{group}/courses", 6),
    # each activity kind reads its own part of the record (lessons, attempts, runs, tasks) and the
    # course statuses come from the one status expression (lms.services.status)
    "trainer: learner's record": ("trainer", "/training/trainer/learners/{learner}", 21),
    "review queue": ("trainer", "/training/review/", 6),
    "item analysis": ("trainer", "/training/review/analysis/sample", 8),
    "authoring: courses": ("trainer", "/training/author/", 6),
    "authoring: course": ("trainer", "/training/author/sample/", 11),
    "authoring: editor": ("trainer", "/training/author/sample/edit?path=01-basics/01-welcome.md", 10),
    "authoring: versions": ("trainer", "/training/author/sample/versions", 7),
    "HR: completion report": ("hr", "/training/reports/completions", 6),
    "HR: compliance matrix": ("hr", "/training/reports/compliance", 7),
    "HR: people": ("hr", "/training/people/", 4),
    "HR: a person": ("hr", "/training/people/{learner}", 8),
    "HR: expiring certificates": ("hr", "/training/certificates/expiring", 4),
}


def signed_in(app, auth, email: str, role: str):
    auth.create(email, role.title(), (role,))
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": email, "password": "password123", "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    return client


def measure(app, clients, world: dict) -> dict[str, int]:
    return {name: statements_for(clients[role], app, path.format(**world))[0]
            for name, (role, path, _budget) in PAGES.items()}


def join(app, user_id: int, group_id: int) -> None:
    with app.app_context():
        db_session().execute(insert(GroupMember).values(group_id=group_id, user_id=user_id, role="member"))
        db_session().commit()


def grow(app, trainer_id: int, learners: int, name: str, seed: int) -> int:
    with app.app_context():
        group = seed_group(db_session(), "sample", learners, trainer_id=trainer_id, name=name, seed=seed)
        db_session().commit()
        return group.id


def take_quiz(client, right: bool) -> int:
    html = start_quiz(client)
    save(client, html, answers_for(html, right=right))
    submit(client, html)
    return int(re.search(r"/attempts/(\d+)", client.get(QUIZ).get_data(as_text=True)).group(1))


def test_every_page_type_keeps_to_its_query_budget_as_the_data_grows(app, auth, sample_course):
    clients = {role: signed_in(app, auth, f"{role}@example.com", role) for role in ("learner", "trainer", "hr")}
    make_editor(app, "sample", "trainer@example.com")
    with app.app_context():
        from lms.models import User

        ids = {u.email: u.id for u in db_session().query(User)}
    learner, trainer = ids["learner@example.com"], ids["trainer@example.com"]

    small = grow(app, trainer, 5, "Small", seed=1)
    join(app, learner, small)
    you = clients["learner"]
    read_lesson(you, "01-basics", "01-welcome")
    first = take_quiz(you, right=False)
    start_run(you)
    before = measure(app, clients, {"group": small, "learner": learner, "attempt": first})

    large = grow(app, trainer, 60, "Large", seed=2)
    join(app, learner, large)
    for _group in range(3):
        grow(app, trainer, 2, f"Extra {_group}", seed=10 + _group)
    read_lesson(you, "01-basics", "02-speed")
    second = take_quiz(you, right=True)
    html = start_run(you)
    while offered(html):
        html = reply(you, html, offered(html)[0])
    start_run(you)
    after = measure(app, clients, {"group": large, "learner": learner, "attempt": second})
    dashboard = clients["trainer"].get(f"/training/trainer/groups/{large}").get_data(as_text=True)
    assert len(row_users(dashboard)) == 61  # the grown world is what the pages showed

    over = {name: (count, PAGES[name][2]) for name, count in after.items() if count > PAGES[name][2]}
    assert not over, f"pages over their query budget (count, budget): {over}"
    grew = {name: (before[name], after[name]) for name in PAGES if after[name] != before[name]}
    assert not grew, f"query counts that grew with the data (before, after): {grew}"
