"""Deep linking (an instructor places a module), rosters (Names and Role Provisioning Services),
the tool's key set and configuration, registering platforms (page and command)."""
import json

import pytest

from support import csrf_from
from support.lti import TOOL, launch, learner_plan, register, share_tool_keys
from support.lti_platform import INSTRUCTOR, LEARNER, Platform


@pytest.fixture
def platform(app, client, sample_course):
    with Platform(TOOL) as running:
        register(app, running)
        share_tool_keys(client, running)
        yield running


def instructor(**changes):
    return learner_plan(user_id="teacher-1", roles=[INSTRUCTOR], name="Tom Teacher", email="tom@school.example",
                        **changes)


def test_an_instructor_deep_links_a_module_and_the_platform_accepts_the_signed_answer(client, platform):
    response = launch(client, platform, instructor(deep_link=True, custom={}))
    assert response.status_code == 302, response.get_data(as_text=True)
    picker = client.get(response.headers["Location"])
    html = picker.get_data(as_text=True)
    assert picker.status_code == 200 and 'value="sample/01-basics"' in html
    answer = client.post(response.headers["Location"], data={"csrf_token": csrf_from(html),
                                                            "target": "sample/01-basics"})
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert f'action="{platform.url}/deep-link-return"' in page
    assert f"form-action 'self' {platform.url}" in answer.headers["Content-Security-Policy"]
    token = page.split('name="JWT" value="')[1].split('"')[0]

    import requests

    accepted = requests.post(f"{platform.url}/deep-link-return", data={"JWT": token}, timeout=10)
    assert accepted.status_code == 200
    item = platform.deep_linked[-1]
    assert item["type"] == "ltiResourceLink" and item["url"] == "http://localhost/training/lti/launch"
    assert item["custom"] == {"lms_course": "sample", "lms_module": "01-basics"}
    assert item["lineItem"]["scoreMaximum"] == 100 and item["lineItem"]["resourceId"] == "sample/01-basics"

    # a learner launching the placed link lands on that module
    learner = learner_plan(custom=item["custom"], resource_link_id="placed-1")
    from flask.testing import FlaskClient  # noqa: F401

    landed = launch(client, platform, learner, hint="learner")
    assert landed.headers["Location"] == "/training/courses/sample/01-basics/01-welcome"


def test_a_learner_cannot_deep_link(client, platform):
    response = launch(client, platform, learner_plan(deep_link=True, custom={}))
    assert response.status_code == 403 and 'data-reason="role"' in response.get_data(as_text=True)


def test_a_roster_import_creates_a_group_with_the_platform_courses_members(app, client, platform):
    platform.members = [
        {"user_id": "teacher-1", "name": "Tom Teacher", "email": "tom@school.example", "roles": [INSTRUCTOR]},
        {"user_id": "student-7", "name": "Lena Learner", "email": "lena@school.example", "roles": [LEARNER]},
        {"user_id": "student-8", "name": "Max Learner", "email": "max@school.example", "roles": [LEARNER]},
        {"user_id": "student-9", "name": "Gone Learner", "roles": [LEARNER], "status": "Inactive"},
    ]
    launch(client, platform, instructor())
    client.delete_cookie("session")
    page = client.get("/training/lti/courses")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Customer service 101" in html
    from lms.lti.models import LtiContext
    from lms.models import Group, GroupMember, User
    from lms.state import db_session

    with app.app_context():
        context_id = db_session().query(LtiContext).one().id
    imported = client.post(f"/training/lti/courses/{context_id}/roster", data={"csrf_token": csrf_from(html)})
    assert imported.status_code == 302
    with app.app_context():
        session = db_session()
        group = session.query(Group).one()
        members = {m.user.name: m.role for m in session.query(GroupMember).filter_by(group_id=group.id)}
        assert group.name == "Customer service 101 (Test platform)"
        assert members == {"Tom Teacher": "trainer", "Lena Learner": "member", "Max Learner": "member"}
        assert session.query(User).filter_by(email="max@school.example").one().external_id.startswith("lti:")
    # the trainer's own group: they see its learners
    again = client.post(f"/training/lti/courses/{context_id}/roster", data={"csrf_token": csrf_from(html)})
    assert again.status_code == 302
    with app.app_context():
        assert db_session().query(Group).count() == 1


def test_a_learner_cannot_import_a_roster(app, client, platform):
    launch(client, platform)
    assert client.get("/training/lti/courses").status_code == 403


def test_the_tool_publishes_its_key_set_and_a_configuration_to_paste(client, platform):
    keys = client.get("/training/lti/jwks.json").get_json()["keys"]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"] and "d" not in keys[0]
    config = client.get("/training/lti/config").get_json()
    assert config["oidc_initiation_url"] == "http://localhost/training/lti/login"
    assert config["target_link_uri"] == "http://localhost/training/lti/launch"
    assert config["public_jwk_url"] == "http://localhost/training/lti/jwks.json"
    assert config["moodle"]["Initiate login URL"] == "http://localhost/training/lti/login"


def test_an_admin_registers_a_platform_on_the_page(client, auth, sample_course):
    auth.as_role("admin")
    page = client.get("/training/lti/platforms")
    html = page.get_data(as_text=True)
    assert "http://localhost/training/lti/jwks.json" in html
    values = {"csrf_token": csrf_from(html), "name": "Moodle", "issuer": "https://moodle.example.com",
              "client_id": "abc123", "deployment_ids": "1\n2", "auth_login_url": "https://moodle.example.com/mod/lti/auth.php",
              "auth_token_url": "https://moodle.example.com/mod/lti/token.php",
              "key_set_url": "https://moodle.example.com/mod/lti/certs.php"}
    assert client.post("/training/lti/platforms", data=values).status_code == 302
    listed = client.get("/training/lti/platforms").get_data(as_text=True)
    assert "https://moodle.example.com" in listed and "1, 2" in listed
    again = client.post("/training/lti/platforms", data=values)
    assert again.status_code == 200  # the same issuer and client id: refused, said on the page


def test_the_command_registers_a_platform(runner, app):
    result = runner.invoke(args=["lms", "lti", "add-platform", "--issuer", "https://canvas.instructure.com",
                                 "--client-id", "10000000000001", "--deployment-id", "7:abc",
                                 "--auth-login-url", "https://sso.canvaslms.com/api/lti/authorize_redirect",
                                 "--auth-token-url", "https://sso.canvaslms.com/login/oauth2/token",
                                 "--key-set-url", "https://sso.canvaslms.com/api/lti/security/jwks"])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(args=["lms", "lti", "platforms", "--json"])
    rows = json.loads(listed.output)
    assert rows[0]["deployment_ids"] == ["7:abc"] and rows[0]["name"] == "canvas.instructure.com"
    bad = runner.invoke(args=["lms", "lti", "add-platform", "--issuer", "x", "--client-id", "y",
                              "--deployment-id", "1", "--auth-login-url", "ftp://x", "--auth-token-url", "ftp://x",
                              "--key-set-url", "ftp://x"])
    assert bad.exit_code == 1 and "https://" in bad.output
