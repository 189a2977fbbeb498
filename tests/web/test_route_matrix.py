"""Every registered route, tried as each role: a new route cannot escape this test."""
import pytest

from support.routes import ARGS

PUBLIC = {
    "site.home", "site.login", "site.invite", "site.forgot_password", "site.reset_link_sent", "site.reset_password",
    "site.oidc_login", "site.oidc_callback", "site.oidc_logged_out",  # signing in through the OpenID provider
    "static", "lms.static", "lms.set_language",
    "lms.certificates.verify", "lms.certificates.verify_json", "lms.certificates.issuer",
    "lms.certificates.issuer_jwk", "lms.certificates.issuer_rsa_jwk", "lms.certificates.jwks",
    "lms.certificates.status", "lms.api.openapi_json", "lms.notify.unsubscribe",
    # the LTI tool's key set and configuration, and what platforms call: login initiation and launch
    "lms.lti.jwks", "lms.lti.config", "lms.lti.login", "lms.lti.launch",
}
# a mail client's one-click unsubscribe (RFC 8058) POSTs with no session and no CSRF token: the signed
# token in the address is the proof, and a forged one is 404
CSRF_EXEMPT = {"lms.notify.unsubscribe"}
# a platform's cross-site POSTs (OIDC login initiation, the launch): the signed id token is the proof;
# without one they answer with a refusal page (4xx)
CSRF_EXEMPT |= {"lms.lti.login", "lms.lti.launch"}
TOKEN_AUTH = {"lms.api.certificates", "lms.api.completions", "lms.api.groups", "lms.api.users"}
# Which roles may use each area (admins may use everything).
AREAS = {
    "site.": {"learner", "trainer", "hr"},
    # (the completion pages, lms.learn.course_complete and module_complete, show the signed-in person's own
    # enrollment: 404 when not enrolled, a redirect to the course until it or the module is complete)
    "lms.learn.": {"learner", "trainer", "hr"},
    "lms.practice.": {"learner", "trainer", "hr"},
    "lms.notify.": {"learner", "trainer", "hr"},
    # each activity kind's own forms and pages (lms.activities): the learner's side
    "lms.lesson.": {"learner", "trainer", "hr"},
    "lms.quiz.": {"learner", "trainer", "hr"},
    "lms.scenario.": {"learner", "trainer", "hr"},
    "lms.task.": {"learner", "trainer", "hr"},
    "lms.certificates.": {"learner", "trainer", "hr"},
    "lms.trainer.": {"trainer"},
    "lms.review.": {"trainer"},
    "lms.author.": {"trainer"},
    "lms.reports.": {"trainer", "hr"},
    "lms.people.": {"hr"},
    "lms.api.": set(),
    # the LTI tool: an instructor's deep linking picker (their own launch, else 404) and roster import
    "lms.lti.": {"trainer"},
}
RESTRICTED_IN_AREA = {  # endpoints stricter than their area
    "lms.certificates.expiring": {"trainer", "hr"},
    "lms.certificates.person": {"trainer", "hr"},
    "lms.certificates.revoke": {"hr"},
    "lms.notify.admin": set(),
    "lms.lti.platforms": set(),
    "lms.lti.platform": set(),
    "lms.lti.delete_platform": set(),
    "lms.people.tokens": set(),
    "lms.people.revoke_token": set(),
    # a course's pages in the studio are for its editors (and admins); the sample course,
    # imported from the command line, has none, so the test trainer is refused
    "lms.author.course": set(),
    "lms.author.edit": set(),
    "lms.author.versions": set(),
    "lms.author.export_zip": set(),
    "lms.author.remove_editor": set(),
    "lms.author.scenario_map": set(),
    "lms.author.play": set(),
    "lms.author.play_activity": set(),
    "lms.author.play_action": set(),
}


def routes(app):
    for rule in app.url_map.iter_rules():
        values = {name: ARGS.get(name, 1) for name in rule.arguments}
        if rule.endpoint == "static":
            values["filename"] = "brand.css"
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def area(endpoint):
    return next((roles for prefix, roles in AREAS.items() if endpoint.startswith(prefix)), None)


def test_every_route_belongs_to_a_known_area(app):
    unknown = sorted({e for e, _m, _u in routes(app) if e not in PUBLIC and area(e) is None})
    assert not unknown, f"classify these routes in tests/web/test_route_matrix.py: {unknown}"


def test_anonymous_users_reach_only_public_routes(client, app, sample_course):
    for endpoint, method, url in routes(app):
        if method != "GET" or endpoint in PUBLIC:
            continue
        response = client.get(url)
        if endpoint in TOKEN_AUTH:
            assert response.status_code == 401, url
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (url, response.status_code)


@pytest.mark.parametrize("role", ["learner", "trainer", "hr", "admin"])
def test_each_role_gets_what_its_area_allows_and_never_a_server_error(client, auth, app, sample_course, role):
    auth.as_role(role)
    for endpoint, method, url in routes(app):
        if method != "GET" or endpoint in PUBLIC or endpoint in TOKEN_AUTH or endpoint == "site.logout":
            continue
        response = client.get(url)
        allowed = RESTRICTED_IN_AREA.get(endpoint, area(endpoint))
        assert response.status_code < 500, (role, url)
        if role == "admin" or role in allowed:
            assert response.status_code in (200, 302, 404), (role, url, response.status_code)
        else:
            assert response.status_code in (403, 404), (role, url, response.status_code)


def test_every_state_changing_route_refuses_a_request_without_csrf_token(client, auth, app, sample_course):
    auth.as_role("admin")
    for endpoint, method, url in routes(app):
        if method == "GET" or endpoint in TOKEN_AUTH or endpoint in CSRF_EXEMPT:
            continue
        response = client.post(url, data={"language": "en", "text": "x", "reply": "1"})
        assert response.status_code == 400, (endpoint, url, response.status_code)
