"""One seeded site for the browser crawls (accessibility, no horizontal scroll, design system).

:func:`seed` makes people, a group, three courses and everything the pages show through the real
pages with the test client; :func:`seeded_site` serves it and gives a :class:`Site` whose
:meth:`Site.context` signs each role in once, in its own browser context.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from support import ROOT, csrf_from, empty_tables, make_editor
from support.review import LETTER, import_course, pending_ids, release, take_quiz, write_letter
from support.trainer import add_members, assign_to_group, create_group, post

LOCALES = {"ru": "ru-RU", "ar": "ar", "en": "en-GB"}
PHONE = {"width": 390, "height": 844}
SAMPLE = "/training/courses/sample"


@dataclass
class Site:
    """One seeded site: its address, the ids the pages need and a signed-in browser context per role."""

    base: str
    language: str
    browser: object
    ids: dict = field(default_factory=dict)
    contexts: dict = field(default_factory=dict)

    def context(self, role: str, language: str | None = None, viewport: dict | None = None):
        """The browser context of ``role`` (``anonymous`` for nobody) in ``language`` (the site's by default)."""
        language = language or self.language
        key = (role, language, tuple(sorted((viewport or PHONE).items())))
        if key not in self.contexts:
            # axe is injected as an inline <script>; the pages' CSP forbids inline script, so the
            # test contexts bypass the CSP (nothing else about the pages changes).
            context = self.browser.new_context(locale=LOCALES[language], bypass_csp=True, viewport=viewport or PHONE)
            context.set_default_timeout(10_000)
            if role != "anonymous":
                page = context.new_page()
                page.goto(f"{self.base}/login")
                page.locator('input[name="email"]').fill(f"{role}@example.com")
                page.locator('input[name="password"]').fill("password123")
                page.locator('form.stacked button[type="submit"]').click()
                page.wait_for_url(lambda url: "/login" not in url)  # each role lands on its own work
                page.close()
            self.contexts[key] = context
        return self.contexts[key]


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
    assert post(trainer, "/training/author/sample/publish", {"note": "10–20 минут"}, page="/training/author/sample/").status_code == 302
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


@contextmanager
def seeded_site(database: str, browser, instance, language: str = "ru", configure=None) -> Iterator[Site]:
    """A site seeded by :func:`seed` (the seed's own texts in ``language``), served on a free port;
    ``configure(app)``, if given, runs first (a test's own routes)."""
    from lms.site import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LMS_INSTANCE_PATH", str(instance))
        empty_tables(database)
        app = create_app({
            "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": database,
            "LMS_LOGIN_RATE_LIMIT": "1000 per minute", "LMS_VERIFY_RATE_LIMIT": "1000 per minute",
            "LMS_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "LMS_DEFAULT_LOCALE": "ru",
        })
        if configure is not None:
            configure(app)
        ids = seed(app, language)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        site = Site(f"http://127.0.0.1:{server.server_port}", language, browser, ids)
        try:
            yield site
        finally:
            for context in site.contexts.values():
                context.close()
            server.shutdown()
            thread.join(timeout=5)
            with app.app_context():
                from lms.site.models import db

                db.session.remove()
                db.engine.dispose()
