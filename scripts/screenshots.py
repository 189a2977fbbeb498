"""Screenshots of the key pages at a phone's and a desktop's width, in Russian and Arabic.

    make screenshots            # writes docs/screenshots/<page>-<language>-<width>.png

Builds a scratch site (a temporary SQLite database with the built-in course and the small
certificate course, a store with a trainer and 30 learners part-way through), plays the
learner's part in a real Chromium (Debian's, or ``LMS_CHROMIUM``) and photographs: the course
outline, a quiz question, quiz results, the role-play mid-dialogue and its debrief, the
completion screen, the daily practice, the trainer's dashboard and the HR report.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "screens-password"
WIDTHS = {"phone": (360, 780), "desktop": (1280, 860)}
LANGUAGES = ("ru", "ar")
COURSE = "/training/courses/service-excellence"
CERT = "/training/courses/cert-basics"


def build_site(work: Path):
    from bench.seed import seed_group
    from lms.services.users import sync_identity
    from lms.site import SiteUserStore, create_app
    from lms.site.models import db

    os.environ["LMS_INSTANCE_PATH"] = str(work / "instance")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'site.sqlite'}", "SECRET_KEY": "screens",
                      "LMS_PUBLIC_URL": "https://academy.example.com", "LMS_LOGIN_RATE_LIMIT": "1000 per minute"})
    runner = app.test_cli_runner()
    for args in (["lms", "init"], ["lms", "courses", "import", str(ROOT / "courses")],
                 ["lms", "courses", "import", str(ROOT / "tests" / "data" / "cert_courses")]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{result.output}")
    with app.app_context():
        store = SiteUserStore()
        people = {}
        for email, name, roles in (("learner@example.com", "Мария Кузнецова", ("learner",)),
                                   ("trainer@example.com", "Анна Петрова", ("trainer",)),
                                   ("hr@example.com", "Ольга Смирнова", ("hr",))):
            people[email] = sync_identity(db.session, store.create(email, name, roles, PASSWORD))
        db.session.flush()
        group = seed_group(db.session, "service-excellence", 30, name="Магазин на Тверской",
                           trainer_id=people["trainer@example.com"].id, seed=3)
        from lms.services.users import add_member

        add_member(db.session, group, people["learner@example.com"], "member")
        db.session.commit()
    for slug in ("service-excellence", "cert-basics"):
        runner.invoke(args=["lms", "assign", slug, "--to", "learner@example.com", "--due", "2031-06-30"])
    return app


def serve(app) -> tuple[str, callable]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}", server.shutdown


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator('input[name="password"]').press("Enter")


def set_language(page, base: str, language: str) -> None:
    page.goto(f"{base}/training/")
    select = page.locator('select[name="language"]').first
    with page.expect_navigation():
        select.select_option(language)


def play_learner(page, base: str) -> None:
    """The learner's part, once: lessons read, the first quiz failed, a role-play finished, the
    certificate course completed (which makes the practice, the results and the completion screen)."""
    page.goto(f"{base}{COURSE}/")
    page.locator(".course-status a.button").click()
    for _ in range(3):  # the first lessons
        button = page.locator('form[action$="/done"] button')
        if not button.count():
            break
        button.first.click()
    # the first quiz: submitted with nothing answered, so it fails and its mistakes feed the practice
    page.goto(f"{base}{COURSE}/")
    page.locator(".activity-quiz a").first.click()
    page.locator('form[action$="/quiz/start"] button').click()
    page.goto(page.url.split("?")[0] + "?summary=1")
    # submitted as it stands (nothing answered): form.submit() skips the page's "are you sure?"
    with page.expect_navigation():
        page.evaluate("document.querySelector('form[action$=\"/quiz/submit\"]').submit()")
    # the certificate course: its lessons marked done
    for lesson in ("01-promise", "02-keep"):
        page.goto(f"{base}{CERT}/01-intro/{lesson}")
        page.locator('form[action$="/done"] button').first.click()


def roleplay(page, base: str, replies: int | None) -> None:
    """Open the first role-play and reply ``replies`` times (None: to its ending)."""
    page.goto(f"{base}{COURSE}/")
    page.locator(".activity-scenario a").first.click()
    again = page.locator('.scenario-ending form[action$="/run"] button')
    if again.count():  # a finished run from before: play again from the start
        again.first.click()
    start = page.locator('form[action$="/run"] button.button-large')
    if start.count():
        start.click()
    count = 0
    while replies is None or count < replies:
        text = page.locator("textarea[name=text]")
        choice = page.locator(".reply-button")
        if text.count():
            text.fill("Понимаю вас. Я проверю заказ и перезвоню сегодня до 17:00 с точным сроком доставки.")
            page.locator(".turn-text button[type=submit]").click()
        elif choice.count():
            choice.first.click()
        else:
            break
        page.wait_for_load_state()
        count += 1
        if count > 40:
            break


def main() -> None:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("LMS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    work = Path(tempfile.mkdtemp(prefix="lms-screens-"))
    app = build_site(work)
    base, stop = serve(app)
    OUT.mkdir(parents=True, exist_ok=True)
    shots = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            setup = browser.new_page(viewport={"width": 1280, "height": 860})
            sign_in(setup, base, "learner@example.com")
            play_learner(setup, base)
            setup.close()
            for language in LANGUAGES:
                for width_name, (width, height) in WIDTHS.items():
                    def shoot(name: str, page, language=language, width_name=width_name) -> None:
                        path = OUT / f"{name}-{language}-{width_name}.png"
                        page.screenshot(path=str(path), full_page=False)
                        shots.append(path)

                    for email, pages in (
                        ("learner@example.com", [
                            ("home", "/training/"), ("course", f"{COURSE}/"), ("practice", "/training/practice"),
                            ("completion", f"{CERT}/complete"), ("results", None), ("quiz", None),
                            ("roleplay", None), ("debrief", None)]),
                        ("trainer@example.com", [("dashboard", None)]),
                        ("hr@example.com", [("report", "/training/reports/")]),
                    ):
                        context = browser.new_context(viewport={"width": width, "height": height},
                                                      locale="ru-RU")
                        page = context.new_page()
                        page.set_default_timeout(15_000)
                        sign_in(page, base, email)
                        set_language(page, base, language)
                        for name, url in pages:
                            if url:
                                page.goto(base + url)
                            elif name == "results":
                                page.goto(f"{base}{COURSE}/")
                                page.locator(".activity-quiz a").first.click()
                                link = page.locator('a[href*="/attempts/"]')
                                if link.count():
                                    link.first.click()
                            elif name == "quiz":
                                page.goto(f"{base}{COURSE}/")
                                page.locator(".activity-quiz a").nth(1).click()
                                start = page.locator('form[action$="/quiz/start"] button')
                                if start.count():
                                    start.click()
                            elif name == "roleplay":
                                roleplay(page, base, 2)
                            elif name == "debrief":
                                roleplay(page, base, None)
                            elif name == "dashboard":
                                page.goto(f"{base}/training/trainer/")
                                link = page.locator('a[href*="/trainer/groups/"]')
                                if link.count():
                                    link.first.click()
                            shoot(name, page)
                        context.close()
            browser.close()
    finally:
        stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(shots)} screenshots in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
