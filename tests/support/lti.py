"""Helpers of the LTI tests: register the test platform with the tool, run a launch through the
test client as a browser would (login initiation, the platform's answer, the launch POST)."""
from __future__ import annotations

import typing as t

from .lti_platform import LEARNER, LaunchPlan, Platform

TOOL = "http://localhost/training"


def register(app: t.Any, platform: Platform, **changes: t.Any) -> int:
    """Register ``platform`` in the tool as an administrator would; its id."""
    from lms.lti import service
    from lms.state import db_session

    with app.app_context():
        found = service.save_platform(db_session(), {**platform.registration_values(), **changes})
        db_session().commit()
        return found.id


def share_tool_keys(client: t.Any, platform: Platform) -> None:
    """The platform reads the tool's public key set at its published URL."""
    response = client.get("/training/lti/jwks.json")
    assert response.status_code == 200
    platform.tool_key_set = response.get_json()


def start(client: t.Any, platform: Platform, plan: LaunchPlan, hint: str = "hint-1") -> dict[str, t.Any]:
    """The login initiation and the platform's answer: the form the platform posts to the tool."""
    login = client.get(platform.login_url(hint, plan))
    assert login.status_code == 302, login.get_data(as_text=True)
    assert login.headers["Location"].startswith(platform.url + "/auth?")
    return platform.launch_form(login.headers["Location"])


def post(client: t.Any, form: dict[str, t.Any]) -> t.Any:
    return client.post(form["launch_url"], data={"id_token": form["id_token"], "state": form["state"]})


def launch(client: t.Any, platform: Platform, plan: LaunchPlan | None = None, hint: str = "hint-1") -> t.Any:
    """A whole launch; the tool's response to the launch POST."""
    return post(client, start(client, platform, plan or learner_plan(), hint))


def learner_plan(**changes: t.Any) -> LaunchPlan:
    values: dict[str, t.Any] = {"user_id": "student-7", "roles": [LEARNER], "name": "Lena Learner",
                                "email": "lena@school.example", "custom": {"lms_course": "sample",
                                                                          "lms_module": "01-basics"}}
    values.update(changes)
    return LaunchPlan(**values)
