"""Every page type passes axe-core with no serious or critical violation, left to right and right to left.

axe-core is vendored in ``tests/browser/vendor/axe-core`` (a test asset, never
served by the app) and injected into each page. Each language gets one seeded
site for the whole module: Russian for the left-to-right layout, Arabic for the
right-to-left one. The people, groups, courses and their progress are made
through the real pages with the test client, then each role signs in once in its
own browser context and every test opens one page in it.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import sys
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from support import ROOT, csrf_from, empty_tables, make_editor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from review_support import LETTER, QUIZ, import_course, pending_ids, release, take_quiz, write_letter  # noqa: E402
from trainer_support import add_members, assign_to_group, create_group, post  # noqa: E402

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
LOCALES = {"ru": "ru-RU", "ar": "ar"}
VIEWPORT = {"width": 390, "height": 844}  # a phone, as in conftest.py: wide tables must scroll, by keyboard too
SAMPLE = "/training/courses/sample"
STAFF_CSV = "name,email,department\nНовый Сотрудник,new.{lang}@example.com,Склад\nБез почты,not-an-email,Склад\n"


@dataclass
class Site:
    """One seeded site: its address, the ids the pages need and a signed-in browser context per role."""

    base: str
    language: str
    browser: object
    ids: dict = field(default_factory=dict)
    contexts: dict = field(default_factory=dict)

    def context(self, role: str):
        if role not in self.contexts:
            # axe is injected as an inline <script>; the pages' CSP forbids inline script, so the
            # test contexts bypass the CSP (nothing else about the pages changes).
            context = self.browser.new_context(locale=LOCALES[self.language], bypass_csp=True,
                                               viewport=VIEWPORT)
            context.set_default_timeout(10_000)
            if role != "anonymous":
                page = context.new_page()
                page.goto(f"{self.base}/login")
                page.locator('input[name="email"]').fill(f"{role}@example.com")
                page.locator('input[name="password"]').fill("password123")
                page.locator('form.stacked button[type="submit"]').click()
                page.wait_for_url(f"{self.base}/training/")
                page.close()
            self.contexts[role] = context
        return self.contexts[role]


def signed_in(app, email: str, language: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    html = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": email, "password": "password123", "csrf_token": csrf_from(html)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def create_user(app, email: str, name: str, role: str, password: str | None = "password123") -> int:
    from lms.services.users import sync_identity
    from lms.site import SiteUserStore
    from lms.site.models import db

    with app.app_context():
        user = sync_identity(db.session, SiteUserStore().create(email, name, (role,), password))
        db.session.commit()
        return user.id


def reply(client, url: str, choose) -> None:
    """Press one of the scenario's reply buttons: ``choose`` picks from their values."""
    body = client.get(url).get_data(as_text=True)
    run = re.search(r'name="run" value="(\d+)"', body).group(1)
    step = re.search(r'name="step" value="([^"]+)"', body).group(1)
    replies = re.findall(r'name="reply" value="([^"]+)"', body)
    assert replies, body
    response = client.post(url + "/reply", data={"csrf_token": csrf_from(body), "run": run, "step": step,
                                                 "reply": choose(replies)})
    assert response.status_code == 302


def seed(app, language: str) -> dict:
    """People, a group, three courses and everything the pages show; returns the ids the addresses need."""
    from lms.models import Certificate
    from lms.state import db_session

    runner = app.test_cli_runner()
    for folder in ("courses", "cert_courses"):
        result = runner.invoke(args=["lms", "courses", "import", str(ROOT / "tests" / "data" / folder)])
        assert result.exit_code == 0, result.output
    import_course(runner)
    ids = {
        "learner": create_user(app, "learner@example.com", "Анна Петрова", "learner"),
        "learner2": create_user(app, "learner2@example.com", "Борис Смирнов", "learner"),
        "trainer": create_user(app, "trainer@example.com", "Тимур Тренер", "trainer"),
        "hr": create_user(app, "hr@example.com", "Хельга Кадрова", "hr"),
        "admin": create_user(app, "admin@example.com", "Адам Админ", "admin"),
        # invitations are for people without a password yet: one link made here, one in the browser
        "newcomer": create_user(app, "newcomer@example.com", "Нина Новикова", "learner", password=None),
        "newcomer2": create_user(app, "newcomer2@example.com", "Олег Новиков", "learner", password=None),
    }

    make_editor(app, "sample", "trainer@example.com")
    trainer = signed_in(app, "trainer@example.com", language)
    # authoring: a second version of the sample course (for the diff) and a new course with a draft
    edit = "/training/author/sample/edit?path=01-basics/02-speed.md"
    lesson = (ROOT / "tests/data/courses/sample/01-basics/02-speed.md").read_text(encoding="utf-8")
    markdown = lesson.replace("10–30 минут", "10–20 минут")
    assert markdown != lesson
    assert post(trainer, edit, {"text": markdown, "action": "save"}, page=edit).status_code == 302
    assert post(trainer, "/training/author/sample/publish", page="/training/author/sample/").status_code == 302
    assert post(trainer, "/training/author/new", {"slug": "new-course", "title": "Новый курс", "language": language},
                page="/training/author/").status_code == 302
    # a group of two learners with three courses, one of them overdue
    ids["group"] = create_group(trainer)
    add_members(trainer, ids["group"], "learner@example.com\nlearner2@example.com")
    assert assign_to_group(trainer, ids["group"], due="2031-06-30").status_code == 302
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    assert assign_to_group(trainer, ids["group"], due=yesterday, slug="reviewed").status_code == 302
    assert assign_to_group(trainer, ids["group"], slug="cert-basics").status_code == 302

    learner = signed_in(app, "learner@example.com", language)
    welcome = SAMPLE + "/01-basics/01-welcome"
    assert post(learner, welcome + "/done", page=welcome).status_code == 302
    quiz = SAMPLE + "/02-practice/03-quiz"
    assert post(learner, quiz + "/quiz/start", page=quiz).status_code == 302  # left open: the question page
    call = SAMPLE + "/02-practice/02-call"
    assert post(learner, call + "/run", page=call).status_code == 302
    reply(learner, call, lambda values: values[-1])
    reply(learner, call, lambda values: values[-1])  # a lost customer: an ending with weak spots to revisit
    assert post(learner, LETTER + "/run", page=LETTER).status_code == 302
    reply(learner, LETTER, lambda values: values[0])  # stops at the written reply
    ids["attempt_page"] = take_quiz(learner)
    for activity in ("01-promise", "02-keep"):
        url = f"/training/courses/cert-basics/01-intro/{activity}"
        assert post(learner, url + "/done", page=url).status_code == 302

    other = signed_in(app, "learner2@example.com", language)  # the reviews still waiting in the queue
    write_letter(other)
    take_quiz(other, right=False)
    (learner_quiz, *waiting) = pending_ids(app)  # in order: the first learner's quiz, then the other's letter
    assert release(trainer, learner_quiz, marks=[0, 1], comment="Хорошо: и извинение, и срок.").status_code == 302
    ids["review"] = waiting[0]

    with app.app_context():
        ids["serial"] = db_session().scalar(select(Certificate.serial).where(Certificate.user_id == ids["learner"]))
    assert ids["serial"], "the learner should hold a certificate"

    hr = signed_in(app, "hr@example.com", language)
    response = post(hr, f"/training/people/{ids['newcomer']}/invitation", page=f"/training/people/{ids['newcomer']}")
    ids["invitation"] = re.search(r'/invite/[^<"\s]+', response.get_data(as_text=True)).group(0)
    return ids


@pytest.fixture(scope="module", params=sorted(LOCALES), ids=lambda language: language)
def site(request, database, browser, tmp_path_factory):
    from lms.site import create_app

    language = request.param
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LMS_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
        empty_tables(database)
        app = create_app({
            "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": database,
            "LMS_LOGIN_RATE_LIMIT": "1000 per minute", "LMS_VERIFY_RATE_LIMIT": "1000 per minute",
            "LMS_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "LMS_DEFAULT_LOCALE": "ru",
        })
        ids = seed(app, language)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        site = Site(f"http://127.0.0.1:{server.server_port}", language, browser, ids)
        yield site
        for context in site.contexts.values():
            context.close()
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            from lms.site.models import db

            db.session.remove()
            db.engine.dispose()


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
