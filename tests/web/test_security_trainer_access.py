"""A trainer cannot pull people into a group to read their records (issue 13, finding 4).

The attack: a trainer adds ``hr@``, ``admin@`` or another trainer's learner to their
own group, then opens that person's learner page, certificates and reviews, releases
their reviews, and reads their results in courses the group never assigned.

The rules: a trainer adds only people whose one role is learner (admins add anyone);
a trainer sees a learner's results only in courses assigned through a group they
train (or assigned to the learner by this trainer); releasing a review needs the same
right. HR keeps seeing every certificate.

The matrix: every actor first tries to add the target to their own group (the attack),
then tries every way to read the target's results in one course, then to release the
target's review of it. Each cell is what the actor observes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from lms.models import Assignment, Certificate, Course, Group, GroupMember, Review, User
from lms.state import db_session

from support import csrf_from
from support.trainer import TRAINER, flashes, row_users

REVIEW = "/training/review/"
PEOPLE = "/training/certificates/people/"

#: the three courses: each has a lesson, a role-play with a written reply (a review)
#: and a certificate, and completes when the lesson is read and the role-play finished
COURSES = {"team": "Курс команды", "elsewhere": "Курс со стороны", "b-course": "Курс группы Б"}

COURSE_MD = """---
title: {title}
language: ru
summary: Курс для проверки доступа тренеров.
modules: [01-practice]
completion:
  lessons: all
  quizzes: none
  scenarios: finished
certificate:
  require: completed
  title: Сертификат
---
Курс.
"""
LESSON_MD = """---
title: Выполнимое обещание
---
Обещайте клиенту только то, что точно выполните.
"""
LETTER_MD = """---
title: Письмо клиенту
type: scenario
outcomes:
  sent: Письмо отправлено
---
Клиент жалуется на опоздавший заказ.

## Письмо {#letter}

Write your reply: Напишите письмо клиенту

- [ ] извинились (1)

-> #sent

## Письмо ушло {#sent}

**Клиент:** Спасибо за письмо.

outcome: sent
"""

EMAILS = {"trainer": "trainer@example.com", "other_trainer": "other@example.com", "admin": "admin@example.com",
          "hr": "hr@example.com", "learner": "lena@example.com"}
#: the group each actor adds people to: trainer@ trains A, other@ trains B
ACTOR_GROUP = {"trainer": "A", "other_trainer": "B", "admin": "A", "hr": "A", "learner": "A"}
#: (person, course) of each target; anna learns in group A, boris in group B
TARGETS = {
    "group_course": ("anna@example.com", "team"),        # assigned through group A
    "course_elsewhere": ("anna@example.com", "elsewhere"),  # the same learner, assigned to her by an admin
    "outside_learner": ("boris@example.com", "b-course"),   # a learner of group B only
    "hr": ("hr@example.com", "team"),                    # in no group
    "admin": ("admin@example.com", "team"),              # in no group
}

ADDED, ALREADY, REFUSED = "added", "already a member", "refused"
SHOWN, HIDDEN = "shown", "hidden"
ACTIONS = ("add", "learner_page", "certificates_page", "certificate_pdf", "review", "release", "dashboard")
#: what a trainer kept out sees: the page exists (a learner of theirs) or not, never the results
OUT_OF_SIGHT = {"learner_page": HIDDEN, "certificates_page": HIDDEN, "certificate_pdf": 404, "review": 404,
                "release": 404, "dashboard": HIDDEN}
#: what a stranger to the person sees: nothing at all
STRANGER = {"learner_page": 404, "certificates_page": 404, "certificate_pdf": 404, "review": 404, "release": 404,
            "dashboard": HIDDEN}
EVERYTHING = {"learner_page": SHOWN, "certificates_page": SHOWN, "certificate_pdf": 200, "review": 200,
              "release": 302, "dashboard": SHOWN}
#: HR: no trainer pages, no reviews; every certificate
HR_VIEW = {"add": 403, "learner_page": 403, "certificates_page": SHOWN, "certificate_pdf": 200, "review": 403,
           "release": 403, "dashboard": 403}
LEARNER_VIEW = {"add": 403, "learner_page": 403, "certificates_page": 403, "certificate_pdf": 404, "review": 403,
                "release": 403, "dashboard": 403}

EXPECTED = {
    # the group's trainer sees the group's course; nothing of the courses assigned elsewhere
    ("trainer", "group_course"): {"add": ALREADY, **EVERYTHING},
    ("trainer", "course_elsewhere"): {"add": ALREADY, **OUT_OF_SIGHT},
    # another trainer's learner may join the group, but brings none of their results along
    ("trainer", "outside_learner"): {"add": ADDED, **OUT_OF_SIGHT},
    ("trainer", "hr"): {"add": REFUSED, **STRANGER},
    ("trainer", "admin"): {"add": REFUSED, **STRANGER},
    ("other_trainer", "group_course"): {"add": ADDED, **OUT_OF_SIGHT},
    ("other_trainer", "course_elsewhere"): {"add": ADDED, **OUT_OF_SIGHT},
    ("other_trainer", "outside_learner"): {"add": ALREADY, **EVERYTHING},
    ("other_trainer", "hr"): {"add": REFUSED, **STRANGER},
    ("other_trainer", "admin"): {"add": REFUSED, **STRANGER},
    # admins add anyone and see everything; a dashboard shows only the group's own courses
    ("admin", "group_course"): {"add": ALREADY, **EVERYTHING},
    ("admin", "course_elsewhere"): {"add": ALREADY, **EVERYTHING, "dashboard": HIDDEN},
    ("admin", "outside_learner"): {"add": ADDED, **EVERYTHING, "dashboard": HIDDEN},
    ("admin", "hr"): {"add": ADDED, **EVERYTHING},
    # nobody reviews their own answers, admins neither
    ("admin", "admin"): {"add": ADDED, **EVERYTHING, "review": 404, "release": 404},
    **{("hr", target): HR_VIEW for target in TARGETS},
    **{("learner", target): LEARNER_VIEW for target in TARGETS},
}


@dataclass
class World:
    users: dict[str, int]
    groups: dict[str, int]
    courses: dict[str, int]

    def review_of(self, app, email: str, slug: str) -> int:
        with app.app_context():
            return db_session().scalar(select(Review.id).where(
                Review.user_id == self.users[email], Review.course_id == self.courses[slug]))

    def serial_of(self, app, email: str, slug: str) -> str:
        with app.app_context():
            return db_session().scalar(select(Certificate.serial).where(
                Certificate.user_id == self.users[email], Certificate.course_id == self.courses[slug]))


def write_courses(folder) -> None:
    for slug, title in COURSES.items():
        module = folder / slug / "01-practice"
        module.mkdir(parents=True)
        (folder / slug / "course.md").write_text(COURSE_MD.format(title=title), encoding="utf-8")
        (module / "module.md").write_text("---\ntitle: Практика\n---\n", encoding="utf-8")
        (module / "01-promise.md").write_text(LESSON_MD, encoding="utf-8")
        (module / "02-letter.md").write_text(LETTER_MD, encoding="utf-8")


def complete_course(client, slug: str) -> None:
    """Read the lesson and write the letter as the signed-in person: a pending review and a certificate."""
    base = f"/training/courses/{slug}/01-practice"
    html = client.get(f"{base}/01-promise").get_data(as_text=True)
    assert client.post(f"{base}/01-promise/done", data={"csrf_token": csrf_from(html)}).status_code == 302
    letter = f"{base}/02-letter"
    html = client.get(letter).get_data(as_text=True)
    assert client.post(letter + "/run", data={"csrf_token": csrf_from(html)}).status_code == 302
    html = client.get(letter).get_data(as_text=True)
    run = re.search(r'name="run" value="(\d+)"', html).group(1)
    step = re.search(r'name="step" value="([^"]+)"', html).group(1)
    response = client.post(letter + "/reply", data={"csrf_token": csrf_from(html), "run": run, "step": step,
                                                    "mode": "text", "text": "Простите, привезём сегодня.",
                                                    "check": ["0"]})
    assert response.status_code == 302


@pytest.fixture
def world(client, auth, app, runner, tmp_path) -> World:
    """Group A (trainer@, with anna and lena, course ``team``), group B (other@, with boris,
    course ``b-course``); ``elsewhere`` assigned to anna by an admin. Anna, boris, hr@ and admin@
    have each finished their courses: a certificate and a pending review apiece."""
    write_courses(tmp_path / "courses")
    result = runner.invoke(args=["lms", "courses", "import", str(tmp_path / "courses")])
    assert result.exit_code == 0, result.output
    users = {
        "anna@example.com": auth.create("anna@example.com", "Анна Учащаяся"),
        "boris@example.com": auth.create("boris@example.com", "Борис Из Группы Б"),
        "lena@example.com": auth.create("lena@example.com", "Лена Соседка"),
        "trainer@example.com": auth.create("trainer@example.com", "Тимур Тренер", ("trainer",)),
        "other@example.com": auth.create("other@example.com", "Ольга Другая", ("trainer",)),
        "hr@example.com": auth.create("hr@example.com", "Хельга Кадры", ("hr",)),
        "admin@example.com": auth.create("admin@example.com", "Адам Админ", ("admin",)),
    }
    with app.app_context():
        session = db_session()
        courses = dict(session.execute(select(Course.slug, Course.id)).all())
        team_a, team_b = Group(name="Команда А"), Group(name="Команда Б")
        session.add_all([team_a, team_b])
        session.flush()
        session.add_all([
            GroupMember(group_id=team_a.id, user_id=users["trainer@example.com"], role="trainer"),
            GroupMember(group_id=team_a.id, user_id=users["anna@example.com"]),
            GroupMember(group_id=team_a.id, user_id=users["lena@example.com"]),
            GroupMember(group_id=team_b.id, user_id=users["other@example.com"], role="trainer"),
            GroupMember(group_id=team_b.id, user_id=users["boris@example.com"]),
            Assignment(course_id=courses["team"], group_id=team_a.id),
            Assignment(course_id=courses["b-course"], group_id=team_b.id),
            Assignment(course_id=courses["elsewhere"], user_id=users["anna@example.com"],
                       assigned_by_id=users["admin@example.com"]),
        ])
        session.commit()
        groups = {"A": team_a.id, "B": team_b.id}
    for email, slug in set(TARGETS.values()):
        auth.login(email)
        complete_course(client, slug)
    auth.logout()
    world = World(users, groups, courses)
    for email, slug in TARGETS.values():
        assert world.review_of(app, email, slug) and world.serial_of(app, email, slug), (email, slug)
    return world


def members_of(app, group_id: int) -> set[int]:
    with app.app_context():
        return set(db_session().scalars(select(GroupMember.user_id).where(GroupMember.group_id == group_id)))


def observe(client, auth, app, world: World, actor: str, target: str) -> dict[str, object]:
    """Sign in as ``actor``, add the target to the actor's group, then try every read and the release."""
    email, slug = TARGETS[target]
    user_id = world.users[email]
    group_id = world.groups[ACTOR_GROUP[actor]]
    review_id = world.review_of(app, email, slug)
    serial = world.serial_of(app, email, slug)
    assert auth.login(EMAILS[actor]).status_code == 302
    seen: dict[str, object] = {}

    # 1. the attack: pull the person into one's own group
    before = members_of(app, group_id)
    token = auth.csrf("/training/")
    response = client.post(f"{TRAINER}/groups/{group_id}/members",
                           data={"csrf_token": token, "emails": email, "role": "member"})
    if response.status_code != 302:
        seen["add"] = response.status_code
    elif user_id in before:
        seen["add"] = ALREADY
    else:
        seen["add"] = ADDED if user_id in members_of(app, group_id) else REFUSED

    # 2. the learner page: does it show the course's results?
    response = client.get(f"{TRAINER}/learners/{user_id}")
    html = response.get_data(as_text=True)
    seen["learner_page"] = (response.status_code if response.status_code != 200
                            else SHOWN if f'<section class="learner-course" data-course="{slug}">' in html
                            else HIDDEN)

    # 3. the certificates page and the certificate itself
    response = client.get(f"{PEOPLE}{user_id}")
    seen["certificates_page"] = (response.status_code if response.status_code != 200
                                 else SHOWN if serial in response.get_data(as_text=True) else HIDDEN)
    seen["certificate_pdf"] = client.get(f"/training/certificates/{serial}.pdf").status_code

    # 4. the group's dashboard of the course: is the person's row there?
    response = client.get(f"{TRAINER}/groups/{group_id}?course={slug}")
    html = response.get_data(as_text=True)
    if response.status_code != 200:
        seen["dashboard"] = response.status_code
    else:
        title = re.search(r'<section class="dashboard-summary".*?<h2[^>]*>([^<]+)</h2>', html, re.S)
        seen["dashboard"] = (SHOWN if title and title.group(1) == COURSES[slug] and user_id in row_users(html)
                             else HIDDEN)

    # 5. the review, then releasing it
    seen["review"] = client.get(f"{REVIEW}{review_id}").status_code
    response = client.post(f"{REVIEW}{review_id}", data={"csrf_token": token, "marks": ["0"], "points": "",
                                                         "comment": "Хорошо"})
    seen["release"] = response.status_code
    with app.app_context():
        status = db_session().get(Review, review_id).status
    assert (status == "released") == (response.status_code == 302), (status, response.status_code)
    return seen


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("actor", ("trainer", "other_trainer", "admin", "hr", "learner"))
def test_what_each_actor_reaches_of_each_target(client, auth, app, world, actor, target):
    expected = EXPECTED[(actor, target)]
    assert set(expected) == set(ACTIONS)
    assert observe(client, auth, app, world, actor, target) == expected


def test_a_refused_person_is_named_with_the_reason_and_nothing_is_written(client, auth, app, world):
    """HR and an admin pasted among learners: the learners join, the others are listed with why."""
    auth.login("trainer@example.com")
    token = auth.csrf("/training/")
    with app.app_context():
        people_before = db_session().query(User).count()
    response = client.post(f"{TRAINER}/groups/{world.groups['A']}/members", data={
        "csrf_token": token, "emails": "hr@example.com, boris@example.com\nadmin@example.com other@example.com",
        "role": "member"}, headers={"Accept-Language": "en"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    messages = dict((text, category) for category, text in flashes(page))
    refused = next(text for text in messages if "not learners" in text)
    assert messages[refused] == "error"
    assert "ask an administrator" in refused
    assert all(email in refused for email in ("hr@example.com", "admin@example.com", "other@example.com"))
    assert "boris@example.com" not in refused
    assert members_of(app, world.groups["A"]) == {world.users[e] for e in (
        "trainer@example.com", "anna@example.com", "lena@example.com", "boris@example.com")}
    with app.app_context():
        assert db_session().query(User).count() == people_before


def test_someone_only_the_host_knows_is_refused_before_being_mirrored(client, auth, app, world):
    """An HR account of the site that never signed in to the LMS: refused, and not copied into the LMS."""
    from lms.site import SiteUserStore
    from lms.site.models import db

    with app.app_context():
        SiteUserStore().create("newhr@example.com", "Новая Кадровичка", ("hr",), "password123")
        db.session.commit()
    auth.login("trainer@example.com")
    response = client.post(f"{TRAINER}/groups/{world.groups['A']}/members", data={
        "csrf_token": auth.csrf("/training/"), "emails": "newhr@example.com", "role": "member"})
    assert response.status_code == 302
    with app.app_context():
        assert db_session().scalar(select(User.id).where(User.email == "newhr@example.com")) is None
    # an admin adds the same person: mirrored and added
    auth.login("admin@example.com")
    client.post(f"{TRAINER}/groups/{world.groups['A']}/members", data={
        "csrf_token": auth.csrf("/training/"), "emails": "newhr@example.com", "role": "member"})
    with app.app_context():
        new_id = db_session().scalar(select(User.id).where(User.email == "newhr@example.com"))
    assert new_id in members_of(app, world.groups["A"])


def test_a_co_trainer_is_not_one_of_the_groups_learners(client, auth, app, world):
    """Another trainer added as a trainer of the group shares its learners, not their own records."""
    auth.login("trainer@example.com")
    token = auth.csrf("/training/")
    client.post(f"{TRAINER}/groups/{world.groups['A']}/members",
                data={"csrf_token": token, "emails": "other@example.com", "role": "trainer"})
    other = world.users["other@example.com"]
    assert other in members_of(app, world.groups["A"])
    members = client.get(f"{TRAINER}/groups/{world.groups['A']}/members").get_data(as_text=True)
    assert f'href="{TRAINER}/learners/{other}"' not in members
    assert client.get(f"{TRAINER}/learners/{other}").status_code == 404
    assert client.get(f"{PEOPLE}{other}").status_code == 404
    # the co-trainer now sees group A's learner in group A's course
    auth.login("other@example.com")
    page = client.get(f"{TRAINER}/learners/{world.users['anna@example.com']}").get_data(as_text=True)
    assert '<section class="learner-course" data-course="team">' in page
    assert 'data-course="elsewhere"' not in page


def test_a_trainer_sees_and_ends_only_their_own_direct_assignments(client, auth, app, world):
    """The admin's assignment of ``elsewhere`` to anna is neither listed for nor ended by her trainer;
    a course the trainer assigns her themselves becomes visible to them."""
    anna = world.users["anna@example.com"]
    with app.app_context():
        admins = db_session().scalar(select(Assignment.id).where(Assignment.user_id == anna))
    auth.login("trainer@example.com")
    page = client.get(f"{TRAINER}/learners/{anna}").get_data(as_text=True)
    assert 'class="assignment direct-assignment"' not in page and 'data-course="elsewhere"' not in page
    token = auth.csrf("/training/")
    assert client.post(f"{TRAINER}/assignments/{admins}/remove", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db_session().get(Assignment, admins).removed_at is None
    # the trainer assigns b-course to anna directly: now it is theirs to see
    response = client.post(f"{TRAINER}/learners/{anna}/courses",
                           data={"csrf_token": token, "course": str(world.courses["b-course"]), "due_date": ""})
    assert response.status_code == 302
    auth.login("anna@example.com")
    complete_course(client, "b-course")
    auth.login("trainer@example.com")
    page = client.get(f"{TRAINER}/learners/{anna}").get_data(as_text=True)
    assert '<section class="learner-course" data-course="b-course">' in page
    assert 'data-course="elsewhere"' not in page
    assert client.get(f"{REVIEW}{world.review_of(app, 'anna@example.com', 'b-course')}").status_code == 200
    # the review queue lists anna's team and b-course letters, not the one of the admin's assignment
    queue = client.get(REVIEW).get_data(as_text=True)
    listed = {int(i) for i in re.findall(r'<li class="review-card" data-review="(\d+)">', queue)}
    assert listed == {world.review_of(app, "anna@example.com", slug) for slug in ("team", "b-course")}


def test_the_matrix_covers_every_actor_and_target():
    assert {(a, t) for a in EMAILS for t in TARGETS} == set(EXPECTED)

