"""The group dashboard is cached per worker until the group's data changes: a trainer never sees
a learner's work late, whichever worker (or host) served the learner and whichever the trainer."""
import os
import pickle
import re
import secrets

import pytest
from sqlalchemy import insert, select, update

from lms.models import Enrollment, GroupMember, QuizAttempt, User
from lms.site import create_app
from lms.state import db_session

from support import csrf_from
from support.queries import statements_for
from support.trainer import (
    TRAINER,
    add_members,
    assign_to_group,
    cells_of,
    create_group,
    read_lesson,
    row_users,
)

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def counts(html: str) -> dict[str, int]:
    return {s: int(n) for s, n in re.findall(r'<span class="summary-number" data-status="(\w+)">(\d+)</span>', html)}


def without_tokens(html: str) -> str:
    return re.sub(r'(csrf[-_]token"? (?:content|value)=)"[^"]*"', r"\1", html)


def as_user(app, _auth, email: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": email, "password": "password123", "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    return client


def world(app, auth):
    """A trainer's group of two learners with the sample course assigned; their clients."""
    for name in ("anna", "boris"):
        auth.create(f"{name}@example.com", name.title())
    auth.create("trainer@example.com", "Trainer", ("trainer",))
    trainer = as_user(app, auth, "trainer@example.com")
    group_id = create_group(trainer)
    add_members(trainer, group_id, "anna@example.com boris@example.com")
    assign_to_group(trainer, group_id)
    trainer.get(TRAINER + "/")  # shows the flashed messages
    return trainer, as_user(app, auth, "anna@example.com"), group_id


def user_id(app, email: str) -> int:
    with app.app_context():
        return db_session().scalar(select(User.id).where(User.email == email))


@pytest.fixture
def cached_app(app):
    app.config["LMS_DASHBOARD_CACHE"] = "memory"
    return app


def test_a_learner_s_progress_shows_at_once_and_an_unchanged_group_is_served_from_the_cache(cached_app, auth,
                                                                                           sample_course):
    app = cached_app
    trainer, anna, group_id = world(app, auth)
    page = f"{TRAINER}/groups/{group_id}"
    built_count, built = statements_for(trainer, app, page, warm_up=False)
    again_count, again = statements_for(trainer, app, page, warm_up=False)
    # nothing changed: the same page, from the cache
    assert without_tokens(again) == without_tokens(built) and again_count < built_count
    first = built
    anna_id = user_id(app, "anna@example.com")
    assert cells_of(first, anna_id)[0] == "not_started"

    read_lesson(anna, "01-basics", "01-welcome")
    html = trainer.get(page).get_data(as_text=True)
    assert cells_of(html, anna_id)[0] == "in_progress"
    assert counts(html)["in_progress"] == 1


def test_members_names_and_bulk_writes_show_at_once(cached_app, auth, sample_course):
    app = cached_app
    trainer, _anna, group_id = world(app, auth)
    page = f"{TRAINER}/groups/{group_id}"
    assert len(row_users(trainer.get(page).get_data(as_text=True))) == 2

    auth.create("vera@example.com", "Vera")
    add_members(trainer, group_id, "vera@example.com")
    assert len(row_users(trainer.get(page).get_data(as_text=True))) == 3

    with app.app_context():  # a statement of its own, not an object of the session
        db_session().execute(update(User).where(User.email == "vera@example.com").values(name="Вера Павловна"))
        db_session().commit()
    assert "Вера Павловна" in trainer.get(page).get_data(as_text=True)

    with app.app_context():
        db_session().execute(GroupMember.__table__.delete().where(GroupMember.group_id == group_id,
                                                                  GroupMember.role == "member"))
        db_session().commit()
    assert row_users(trainer.get(page).get_data(as_text=True)) == []


def test_a_quiz_result_shows_at_once(cached_app, auth, sample_course):
    app = cached_app
    trainer, anna, group_id = world(app, auth)
    page = f"{TRAINER}/groups/{group_id}"
    assert 'data-score="' not in trainer.get(page).get_data(as_text=True)
    read_lesson(anna, "01-basics", "01-welcome")  # enrolls Anna
    anna_id = user_id(app, "anna@example.com")
    assert 'data-score="' not in trainer.get(page).get_data(as_text=True)
    with app.app_context():
        session = db_session()
        enrollment = session.scalar(select(Enrollment).where(Enrollment.user_id == anna_id))
        session.add(QuizAttempt(enrollment_id=enrollment.id, user_id=anna_id, activity_key="02-practice/03-quiz",
                                version_id=enrollment.version_id, number=1, seed=1,
                                plan={"seed": 1, "question_ids": []}, answers={}, status="submitted", percent=85.0,
                                passed=True))
        session.commit()
    assert 'data-score="85"' in trainer.get(page).get_data(as_text=True)


def test_two_workers_sharing_redis_never_show_each_other_stale_pages(app, auth, sample_course, request):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = "test-" + secrets.token_hex(4)
    request.addfinalizer(lambda: [store.delete(name) for name in store.scan_iter(f"{prefix}:*")])
    store = redis.Redis.from_url(REDIS_URL)
    app.config.update(LMS_REDIS_URL=REDIS_URL, LMS_RATELIMIT_KEY_PREFIX=prefix)
    trainer, anna, group_id = world(app, auth)
    # a second worker: another app on the same database and Redis, with a cache of its own
    other = create_app({**{k: v for k, v in app.config.items() if k.startswith(("LMS_", "SQLALCHEMY_", "SECRET"))},
                        "TESTING": True})
    trainer_there = as_user(other, auth, "trainer@example.com")
    page = f"{TRAINER}/groups/{group_id}"
    anna_id = user_id(app, "anna@example.com")
    for client in (trainer, trainer_there, trainer_there):  # both workers cache the page
        assert cells_of(client.get(page).get_data(as_text=True), anna_id)[0] == "not_started"

    read_lesson(anna, "01-basics", "01-welcome")  # served by the first worker
    for client in (trainer_there, trainer):
        assert cells_of(client.get(page).get_data(as_text=True), anna_id)[0] == "in_progress"

    with app.app_context():  # the mirror of Vera's account the plugin makes when she first signs in
        vera = User(email="vera@example.com", name="Vera", external_id="vera")
        db_session().add(vera)
        db_session().commit()
        vera_id = vera.id
    with other.app_context():  # a bulk statement on the second worker
        db_session().execute(insert(GroupMember).values(group_id=group_id, user_id=vera_id, role="member"))
        db_session().commit()
    assert len(row_users(trainer.get(page).get_data(as_text=True))) == 3

    # what the workers share is signed with the app's secret key: anything else in Redis is ignored
    for name in store.scan_iter(f"{prefix}:dashboard:*ent*"):
        store.set(name, b"x" * 32 + pickle.dumps("not a dashboard"))
    third = create_app({**{k: v for k, v in app.config.items() if k.startswith(("LMS_", "SQLALCHEMY_", "SECRET"))},
                        "TESTING": True})
    assert len(row_users(as_user(third, auth, "trainer@example.com").get(page).get_data(as_text=True))) == 3
