"""An LTI 1.3 launch from a real platform (lti1p3platform in the test process): the learner lands on
the linked module, framed by the platform, and the scores of their progress reach its gradebook."""
import pytest

from support import csrf_from
from support.lti import TOOL, launch, learner_plan, register, share_tool_keys
from support.lti_platform import ADMINISTRATOR, INSTRUCTOR, Platform


@pytest.fixture
def platform(app, client, sample_course):
    with Platform(TOOL) as running:
        register(app, running)
        share_tool_keys(client, running)
        yield running


def test_a_learner_lands_on_the_linked_module_in_the_embedded_layout(client, platform):
    response = launch(client, platform)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/training/courses/sample/01-basics/01-welcome"
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("lms_lti="))
    assert "SameSite=None" in cookie and "Secure" in cookie and "HttpOnly" in cookie and "Partitioned" in cookie
    assert "Path=/training/" in cookie

    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "lms-bar" not in html and "site-footer" not in html  # the platform's page has its own
    policy = page.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {platform.url}" in policy
    assert "X-Frame-Options" not in page.headers


def test_the_launching_person_becomes_an_lms_person_with_roles_from_the_claims(app, client, platform):
    launch(client, platform)
    launch(client, platform, learner_plan(user_id="teacher-1", roles=[INSTRUCTOR], name="Tom Teacher",
                                          email="tom@school.example"), hint="h2")
    launch(client, platform, learner_plan(user_id="admin-1", roles=[INSTRUCTOR, ADMINISTRATOR], name="Ada Admin",
                                          email=""), hint="h3")
    from lms.models import User
    from lms.state import db_session

    with app.app_context():
        people = {u.name: u for u in db_session().query(User)}
    assert people["Lena Learner"].roles == "learner" and people["Lena Learner"].email == "lena@school.example"
    assert people["Lena Learner"].external_id.startswith("lti:")
    assert people["Tom Teacher"].roles == "trainer"
    assert people["Ada Admin"].roles == "admin,trainer"


def test_a_launch_of_a_whole_course_opens_the_course_page(client, platform):
    response = launch(client, platform, learner_plan(custom={"lms_course": "sample"}))
    assert response.headers["Location"] == "/training/courses/sample/"
    assert client.get("/training/courses/sample/").status_code == 200


def test_the_person_stays_signed_in_inside_the_frame_without_the_sites_cookie(client, platform):
    response = launch(client, platform)
    # inside a platform's frame the browser does not send the site's SameSite=Lax session cookie
    client.delete_cookie("session")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    # and its forms work: the CSRF secret travels in the LTI cookie
    done = client.post(response.headers["Location"] + "/done", data={"csrf_token": csrf_from(page.get_data(
        as_text=True))})
    assert done.status_code == 302


def test_completing_the_module_sends_its_score_to_the_platforms_gradebook(client, platform):
    launch(client, platform)
    # the launch itself reports where the learner stands (nothing done yet)
    assert platform.scores and platform.scores[-1][1]["activityProgress"] == "Initialized"
    assert platform.scores[-1][1]["scoreGiven"] == 0
    item = platform.line_items["1"]
    assert item["resourceId"] == "sample/01-basics" and item["tag"] == "lms" and item["scoreMaximum"] == 100
    assert item["resourceLinkId"] == "link-1"

    client.delete_cookie("session")
    for activity in ("01-welcome", "02-speed"):
        url = f"/training/courses/sample/01-basics/{activity}"
        page = client.get(url)
        assert page.status_code == 200
        assert client.post(url + "/done", data={"csrf_token": csrf_from(page.get_data(as_text=True))}
                           ).status_code == 302
    line_item, score = platform.scores[-1]
    assert line_item == "1" and len(platform.line_items) == 1  # the line item is reused
    assert score["userId"] == "student-7"
    assert score["scoreGiven"] == 100 and score["scoreMaximum"] == 100
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    halfway = [s for _i, s in platform.scores if s["scoreGiven"] == 50]
    assert halfway and halfway[0]["activityProgress"] == "InProgress"


def test_a_score_the_platform_refuses_waits_in_the_outbox_and_goes_with_the_command(app, client, runner, platform):
    launch(client, platform)
    sent = len(platform.scores)
    client.delete_cookie("session")
    key_set, platform.tool_key_set = platform.tool_key_set, {"keys": []}  # the platform cannot check the tool
    url = "/training/courses/sample/01-basics/01-welcome"
    page = client.get(url)
    client.post(url + "/done", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert len(platform.scores) == sent
    from lms.lti.models import LtiScoreOutbox
    from lms.state import db_session

    with app.app_context():
        row = db_session().query(LtiScoreOutbox).one()
        assert row.attempts == 1 and row.last_error
        row.send_after = row.requested_at  # due again now
        db_session().commit()
    platform.tool_key_set = key_set
    result = runner.invoke(args=["lms", "lti", "send"])
    assert result.exit_code == 0 and "Sent 1 scores" in result.output, result.output
    assert platform.scores[-1][1]["scoreGiven"] == 50
    with app.app_context():
        assert db_session().query(LtiScoreOutbox).count() == 0
