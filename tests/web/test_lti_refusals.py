"""Invalid launches are refused with a clear page: a forged signature, a replayed launch, an unknown
deployment or platform, an expired token, a launch that did not start here."""
import pytest

from support.lti import TOOL, learner_plan, post, register, share_tool_keys, start
from support.lti_platform import Platform, tampered


@pytest.fixture
def platform(app, client, sample_course):
    with Platform(TOOL) as running:
        register(app, running)
        share_tool_keys(client, running)
        yield running


def refused(response, reason, code=400):
    html = response.get_data(as_text=True)
    assert response.status_code == code, html
    assert f'data-reason="{reason}"' in html
    assert "lms_lti=" not in " ".join(response.headers.getlist("Set-Cookie"))  # nobody is signed in
    return html


def test_a_forged_signature_is_refused(client, platform):
    form = start(client, platform, learner_plan())
    form["id_token"] = tampered(form["id_token"], sub="someone-else")
    refused(post(client, form), "signature")


def test_a_launch_signed_with_another_key_is_refused(client, platform):
    from support.lti_platform import _pem_pair

    other, _public = _pem_pair()
    login = client.get(platform.login_url("h", learner_plan()))
    form = platform.launch_form(login.headers["Location"], private_key=other)
    refused(post(client, form), "signature")


def test_a_replayed_launch_is_refused(client, platform):
    form = start(client, platform, learner_plan())
    assert post(client, form).status_code == 302
    html = refused(post(client, form), "replay")
    assert "used already" in html or "уже" in html


def test_an_unknown_deployment_is_refused(client, platform):
    form = start(client, platform, learner_plan(deployment_id="not-registered"))
    refused(post(client, form), "deployment", 403)


def test_an_expired_token_is_refused(client, platform):
    form = start(client, platform, learner_plan(expiration=-120))
    refused(post(client, form), "expired")


def test_a_launch_that_did_not_start_here_is_refused(client, platform, app):
    form = start(client, platform, learner_plan())
    other = app.test_client()  # another browser: no state cookie
    refused(other.post(form["launch_url"], data={"id_token": form["id_token"], "state": form["state"]}), "state")


def test_an_unregistered_platform_cannot_start_a_login(client, platform):
    response = client.get("/training/lti/login?iss=https://unknown.example&login_hint=1&client_id=x"
                          "&target_link_uri=http://localhost/training/lti/launch")
    refused(response, "platform", 403)


def test_a_refusal_can_be_shown_inside_any_platforms_frame(client, platform):
    form = start(client, platform, learner_plan(expiration=-120))
    response = post(client, form)
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]


def test_a_link_to_a_course_that_is_gone_says_so(client, platform):
    form = start(client, platform, learner_plan(custom={"lms_course": "no-such-course"}))
    refused(post(client, form), "target", 404)


def test_login_initiations_are_rate_limited_per_address(app, client):
    app.config["LMS_LTI_RATE_LIMIT"] = "3 per minute"
    codes = [client.get("/training/lti/login?iss=https://nobody.example&login_hint=x").status_code for _ in range(5)]
    assert codes[:3] == [403, 403, 403] and codes[3:] == [429, 429]
