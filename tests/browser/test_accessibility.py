"""Every page type passes axe-core with no serious or critical violation, left to right and right to left.

axe-core is vendored in ``tests/browser/vendor/axe-core`` (a test asset, never
served by the app) and injected into each page. Each language gets one seeded
site for the whole module: Russian for the left-to-right layout, Arabic for the
right-to-left one. The people, groups, courses and their progress are made
through the real pages with the test client, then each role signs in once in its
own browser context and every test opens one page in it.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from support.review import LETTER, QUIZ
from support.site import SAMPLE, seeded_site

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
LOCALES = ("ar", "ru")
STAFF_CSV = "name,email,department\nНовый Сотрудник,new.{lang}@example.com,Склад\nБез почты,not-an-email,Склад\n"


@pytest.fixture(scope="module", params=sorted(LOCALES), ids=lambda language: language)
def site(request, database, browser, tmp_path_factory):
    with seeded_site(database, browser, tmp_path_factory.mktemp("instance"), request.param) as site:
        yield site


# -- the pages --------------------------------------------------------------------
# Each page type: the role that sees it and how to get there (an address, or steps in the browser).

def at(address, status: int = 200):
    """Go to ``address`` (a path, or a function of the seeded ids giving one) and check the answer."""
    def go(page, site):
        path = address(site.ids) if callable(address) else address
        response = page.goto(site.base + path)
        assert response.status == status, (path, response.status)
        assert page.url.startswith(site.base + path.split("#")[0]), f"{path} ended at {page.url}"
    return go


def failed_login(page, site):
    page.goto(f"{site.base}/login")
    page.locator('input[name="email"]').fill("learner@example.com")
    page.locator('input[name="password"]').fill("wrong password")
    page.locator('form.stacked button[type="submit"]').click()
    page.wait_for_selector(".flash-error")


def import_result(page, site):
    page.goto(f"{site.base}/training/people/import")
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "staff.csv", "mimeType": "text/csv",
                "buffer": STAFF_CSV.format(lang=site.language).encode()}])
    page.locator('form.stacked button[type="submit"]').click()
    page.wait_for_selector(".import-rows")


def invitation(page, site):
    page.goto(f"{site.base}/training/people/{site.ids['newcomer2']}")
    page.locator(".people-panel form button").first.click()
    page.wait_for_selector(".invitation-link")


def author_problems(page, site):
    """The list of a course's problems, after importing a zip whose course.md is broken."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as folder:
        folder.writestr("broken/course.md", "---\ntitle: [broken\n---\n")
    page.goto(f"{site.base}/training/author/")
    form = page.locator('form[action$="/import"]')
    form.locator('input[type="file"]').set_input_files(
        files=[{"name": "broken.zip", "mimeType": "application/zip", "buffer": archive.getvalue()}])
    form.locator('button[type="submit"]').click()
    page.wait_for_selector("ul.problems")


def group(suffix: str = ""):
    return at(lambda ids: f"/training/trainer/groups/{ids['group']}{suffix}")


PAGES = {
    # anyone
    "home": ("anonymous", at("/")),
    "login": ("anonymous", at("/login")),
    "login-failed": ("anonymous", failed_login),
    "invitation-accept": ("anonymous", at(lambda ids: ids["invitation"])),
    "verify": ("anonymous", at(lambda ids: f"/training/verify/{ids['serial']}")),
    "verify-unknown": ("anonymous", at("/training/verify/AAAA-AAAA-AAAA-AAAA", 404)),
    # learners
    "my-training": ("learner", at("/training/")),
    "course": ("learner", at(SAMPLE + "/")),
    "lesson": ("learner", at(SAMPLE + "/01-basics/01-welcome")),
    "quiz-start": ("learner", at(QUIZ)),
    "quiz-question": ("learner", at(SAMPLE + "/02-practice/03-quiz")),
    "quiz-result": ("learner", at(lambda ids: ids["attempt_page"])),
    "scenario-intro": ("learner2", at(SAMPLE + "/02-practice/02-call")),
    "scenario-player": ("learner", at(LETTER)),
    "scenario-ending": ("learner", at(SAMPLE + "/02-practice/02-call")),
    "scenario-ending-awaiting-review": ("learner2", at(LETTER)),
    "certificates": ("learner", at("/training/certificates/")),
    "error-404": ("learner", at("/training/courses/no-such-course/", 404)),
    "error-403": ("learner", at("/training/trainer/", 403)),
    # trainers
    "groups": ("trainer", at("/training/trainer/")),
    "group-members": ("trainer", group("/members")),
    "assign": ("trainer", group("/courses")),
    "dashboard": ("trainer", group("?course=sample")),
    "dashboard-quiz-scores": ("trainer", group("?course=reviewed")),
    "learner": ("trainer", at(lambda ids: f"/training/trainer/learners/{ids['learner']}")),
    "item-analysis": ("trainer", at("/training/review/analysis/reviewed")),
    "review-queue": ("trainer", at("/training/review/")),
    "review-form": ("trainer", at(lambda ids: f"/training/review/{ids['review']}")),
    # authoring
    "author-courses": ("trainer", at("/training/author/")),
    "author-course": ("trainer", at("/training/author/sample/")),
    "author-editor": ("trainer", at("/training/author/sample/edit?path=01-basics/01-welcome.md")),
    "author-versions": ("trainer", at("/training/author/sample/versions?a=1&b=2")),
    "author-quiz-editor": ("trainer", at("/training/author/sample/edit?path=02-practice/03-quiz.md&line=12")),
    "author-map": ("trainer", at("/training/author/sample/map?path=02-practice/02-call.md")),
    "author-play": ("trainer", at("/training/author/sample/play/ru/02-practice/03-quiz")),
    "author-new-course": ("trainer", at("/training/author/new-course/")),
    "author-problems": ("trainer", author_problems),
    "author-remove-editor": ("trainer", at(lambda ids: f"/training/author/sample/editors/{ids['trainer']}/remove")),
    # HR
    "reports": ("hr", at("/training/reports/completions")),
    "compliance": ("hr", at("/training/reports/compliance")),
    "certificates-expiring": ("hr", at("/training/certificates/expiring")),
    "certificates-person": ("hr", at(lambda ids: f"/training/certificates/people/{ids['learner']}")),
    "people": ("hr", at("/training/people/")),
    "person": ("hr", at(lambda ids: f"/training/people/{ids['learner']}")),
    "staff-import": ("hr", at("/training/people/import")),
    "staff-import-result": ("hr", import_result),
    "invitation": ("hr", invitation),
    # admins
    "api-tokens": ("admin", at("/training/people/tokens")),
}


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:8]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations(site, name):
    role, go = PAGES[name]
    page = site.context(role).new_page()
    try:
        go(page, site)
        url = page.url
        direction = "rtl" if site.language == "ar" else "ltr"
        assert page.locator("html").get_attribute("dir") == direction
        assert page.locator("html").get_attribute("lang") == site.language
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    finally:
        page.close()
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    others = [v for v in violations if v["impact"] not in BLOCKING]
    if others:
        print(f"{name} [{site.language}] has minor or moderate findings:\n{describe(others)}")
    assert not blocking, f"{name} [{site.language}] {url}:\n{describe(blocking)}"
