"""Who may use the trainer's workspace: every endpoint tried as every kind of user."""
import pytest
from sqlalchemy import select

from lms.models import Assignment
from lms.state import db_session

from support import csrf_from
from support.trainer import TRAINER, add_members, assign_to_group, create_group

ROLES = ("anonymous", "learner", "hr", "other_trainer", "trainer", "admin")


def endpoints(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every route of the trainer blueprint."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("lms.trainer."):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, rule.rule))
    return sorted(found)


@pytest.fixture
def world(client, auth, app, sample_course):
    """Trainer A's group with a learner and an assignment; trainer B's own group."""
    learner = auth.create("learner@example.com", "Learner")
    auth.create("hr@example.com", "Hr", ("hr",))
    auth.create("admin@example.com", "Admin", ("admin",))
    auth.create("other@example.com", "Other", ("trainer",))
    auth.as_role("trainer")
    group_id = create_group(client, "Команда А")
    add_members(client, group_id, "learner@example.com")
    assign_to_group(client, group_id, due="2031-01-01")
    auth.logout()
    auth.login("other@example.com")
    create_group(client, "Команда Б")
    auth.logout()
    with app.app_context():
        assignment = db_session().scalar(select(Assignment.id).where(Assignment.group_id == group_id))
    return {"group_id": group_id, "user_id": learner, "assignment_id": assignment}


def sign_in(auth, role: str) -> None:
    emails = {"learner": "learner@example.com", "hr": "hr@example.com", "admin": "admin@example.com",
              "other_trainer": "other@example.com", "trainer": "trainer@example.com"}
    if role != "anonymous":
        assert auth.login(emails[role]).status_code == 302


def test_every_endpoint_is_listed(app):
    names = {endpoint for endpoint, _method, _rule in endpoints(app)}
    assert names == {"lms.trainer.groups", "lms.trainer.create_group", "lms.trainer.group", "lms.trainer.members",
                     "lms.trainer.add_members", "lms.trainer.remove_member", "lms.trainer.courses",
                     "lms.trainer.assign_group", "lms.trainer.assign_learner", "lms.trainer.unassign",
                     "lms.trainer.learner"}


@pytest.mark.parametrize("role", ROLES)
def test_every_trainer_endpoint_as_each_role(client, auth, app, world, role):
    sign_in(auth, role)
    token = csrf_from(client.get("/login" if role == "anonymous" else "/training/").get_data(as_text=True))
    for endpoint, method, rule in endpoints(app):
        url = rule.replace("<int:group_id>", str(world["group_id"])).replace(
            "<int:user_id>", str(world["user_id"])).replace("<int:assignment_id>", str(world["assignment_id"]))
        url = "/training" + url if not url.startswith("/training") else url
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        scoped = "<" in rule  # about one group, person or assignment
        if role == "anonymous":
            assert response.status_code == 302, (endpoint, method)
            assert response.headers["Location"].startswith("/login?next=/training/trainer/"), endpoint
        elif role in ("learner", "hr"):
            assert response.status_code == 403, (role, endpoint, method, response.status_code)
        elif role == "other_trainer" and scoped:
            assert response.status_code == 404, (endpoint, method, response.status_code)
        elif method == "GET":
            assert response.status_code == 200, (role, endpoint, response.status_code)
        else:
            assert response.status_code == 302, (role, endpoint, response.status_code)


def test_a_trainer_sees_only_their_own_groups_and_learners(client, auth, app, world):
    auth.login("other@example.com")
    listing = client.get(TRAINER + "/").get_data(as_text=True)
    assert "Команда Б" in listing and "Команда А" not in listing
    assert client.get(f"{TRAINER}/learners/{world['user_id']}").status_code == 404
    auth.logout()
    auth.login("admin@example.com")
    listing = client.get(TRAINER + "/").get_data(as_text=True)
    assert "Команда А" in listing and "Команда Б" in listing
    assert client.get(f"{TRAINER}/learners/{world['user_id']}").status_code == 200


def test_the_navigation_shows_groups_to_trainers_and_admins_only(client, auth, world):
    for role, shown in (("learner", False), ("hr", False), ("trainer", True), ("admin", True)):
        sign_in(auth, role)
        assert ('href="/training/trainer/"' in client.get("/training/").get_data(as_text=True)) is shown, role
        auth.logout()
