"""Assigning courses to a group or a person: due dates and overdue for learners, late joiners, unassigning."""
import datetime as dt

from sqlalchemy import func, select

from lms.models import ActivityProgress, Assignment, User
from lms.state import db_session

from support.trainer import (
    TRAINER,
    add_members,
    assign_to_group,
    course_id,
    create_group,
    flashes,
    post,
    read_lesson,
)

PAST = (dt.date.today() - dt.timedelta(days=3)).isoformat()
FUTURE = "2031-12-01"


def active(app, **where) -> list[Assignment]:
    with app.app_context():
        query = select(Assignment).where(Assignment.removed_at.is_(None))
        for name, value in where.items():
            query = query.where(getattr(Assignment, name) == value)
        return list(db_session().scalars(query))


def as_learner(client, auth, email: str):
    auth.logout()
    auth.login(email)


def test_a_group_assignment_with_a_past_due_date_shows_overdue_to_its_members(client, auth, app, sample_course):
    auth.create("anna@example.com", "Anna")
    auth.as_role("trainer")
    group_id = create_group(client)
    add_members(client, group_id, "anna@example.com")
    response = assign_to_group(client, group_id, due=PAST)
    assert response.status_code == 302
    assert [c for c, _ in flashes(client.get(response.headers["Location"]).get_data(as_text=True))] == ["success"]
    [assignment] = active(app, group_id=group_id)
    assert assignment.due_date.isoformat() == PAST
    courses = client.get(f"{TRAINER}/groups/{group_id}/courses").get_data(as_text=True)
    assert 'data-course="sample"' in courses

    as_learner(client, auth, "anna@example.com")
    home = client.get("/training/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Service basics" in home and "card-overdue" in home and "badge-overdue" in home
    due = dt.date.fromisoformat(PAST)
    assert f"{due:%b} {due.day}, {due.year}" in home


def test_assigning_again_changes_the_due_date_instead_of_adding_another(client, auth, app, sample_course):
    auth.as_role("trainer")
    group_id = create_group(client)
    assign_to_group(client, group_id, due=PAST)
    assign_to_group(client, group_id, due=FUTURE)
    [assignment] = active(app, group_id=group_id)
    assert assignment.due_date.isoformat() == FUTURE


def test_someone_who_joins_later_gets_the_groups_assignments(client, auth, app, sample_course):
    auth.create("late@example.com", "Late")
    auth.as_role("trainer")
    group_id = create_group(client)
    assign_to_group(client, group_id, due=FUTURE)
    add_members(client, group_id, "late@example.com")
    as_learner(client, auth, "late@example.com")
    home = client.get("/training/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Service basics" in home and "Dec 1, 2031" in home
    from lms.services.learning import due_dates

    with app.app_context():
        user = db_session().scalar(select(User).where(User.email == "late@example.com"))
        assert list(due_dates(db_session(), user).values()) == [dt.date(2031, 12, 1)]


def test_unassigning_keeps_the_record_and_what_the_learner_did(client, auth, app, sample_course):
    anna = auth.create("anna@example.com", "Anna")
    auth.as_role("trainer")
    group_id = create_group(client)
    add_members(client, group_id, "anna@example.com")
    assign_to_group(client, group_id, due=FUTURE)
    [assignment] = active(app, group_id=group_id)

    as_learner(client, auth, "anna@example.com")
    read_lesson(client, "01-basics", "01-welcome")
    as_learner(client, auth, "trainer@example.com")
    response = post(client, f"{TRAINER}/assignments/{assignment.id}/remove", page=f"{TRAINER}/groups/{group_id}/courses")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/groups/{group_id}/courses")
    assert active(app, group_id=group_id) == []
    with app.app_context():
        kept = db_session().get(Assignment, assignment.id)
        assert kept.removed_at is not None
        assert db_session().scalar(select(func.count()).select_from(ActivityProgress)) == 1
    # the learner page still shows the lesson read; the course is no longer assigned
    page = client.get(f"{TRAINER}/learners/{anna}").get_data(as_text=True)
    assert 'class="lesson-row status-completed"' in page
    assert 'class="assignment" data-course="sample"' not in page
    # a second removal of the same assignment finds nothing to end
    assert post(client, f"{TRAINER}/assignments/{assignment.id}/remove").status_code == 404
    as_learner(client, auth, "anna@example.com")
    home = client.get("/training/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Dec 1, 2031" not in home


def test_a_course_assigned_to_one_person_from_their_page(client, auth, app, sample_course):
    anna = auth.create("anna@example.com", "Anna")
    auth.as_role("trainer")
    group_id = create_group(client)
    add_members(client, group_id, "anna@example.com")
    page = f"{TRAINER}/learners/{anna}"
    response = post(client, f"{TRAINER}/learners/{anna}/courses",
                    {"course": course_id(client, group_id), "due_date": PAST}, page=page)
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    [assignment] = active(app, user_id=anna)
    assert assignment.group_id is None and assignment.due_date.isoformat() == PAST
    html = client.get(page).get_data(as_text=True)
    assert 'class="assignment direct-assignment" data-course="sample"' in html and "badge-overdue" in html
    response = post(client, f"{TRAINER}/assignments/{assignment.id}/remove", page=page)
    assert response.headers["Location"].endswith(page)
    assert active(app, user_id=anna) == []


def test_an_unknown_course_or_a_bad_date_is_refused_with_a_message(client, auth, app, sample_course):
    auth.as_role("trainer")
    group_id = create_group(client)
    page = f"{TRAINER}/groups/{group_id}/courses"
    sample = course_id(client, group_id)
    for data in ({"course": "9999", "due_date": ""}, {"course": sample, "due_date": "1st of May"}):
        post(client, page, data, page=page)
        assert [c for c, _ in flashes(client.get(page).get_data(as_text=True))] == ["error"]
    assert active(app, group_id=group_id) == []
