"""The role-play on a phone, its mood in right-to-left, and the moment of finishing a module or a course."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from support import ROOT, csrf_from
from support import quiz as sample_quiz
from support.browser import Interface, sign_in
from support.certificates import CERT_COURSES

pytestmark = pytest.mark.browser
SAMPLE = "/training/courses/sample"
CALL = SAMPLE + "/02-practice/02-call"
LESSONS = ("01-basics/01-welcome", "01-basics/02-speed", "02-practice/01-checklist")
BUILTIN_ROLEPLAY = "/training/courses/service-excellence/01-formula/05-roleplay"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


def switch_to(page, language: str) -> None:
    """Pick the interface language on "My training" (the select submits its form and the page reloads)."""
    with page.expect_navigation(url="**/training/"):
        page.get_by_label("Язык интерфейса").select_option(language)
    expect(page.locator("html")).to_have_attribute("lang", language)


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    viewport = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def no_serious_accessibility_violations(page) -> None:
    """axe-core (vendored for the tests) finds nothing serious or critical on the page, opened again
    by the same person in a context that lets the test inject axe (the pages' CSP forbids it)."""
    context = page.context.browser.new_context(storage_state=page.context.storage_state(), bypass_csp=True,
                                               viewport=page.viewport_size, locale="ru-RU")
    try:
        again = context.new_page()
        again.goto(page.url)
        again.add_script_tag(path=str(AXE))
        violations = again.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    finally:
        context.close()
    blocking = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:5]]}" for v in violations
                if v["impact"] in ("critical", "serious")]
    assert not blocking, f"{page.url}: {blocking}"


def mark_done(client, key: str) -> None:
    url = f"{SAMPLE}/{key}"
    assert client.post(url + "/done", data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True))}
                       ).status_code == 302


def pass_quiz(client):
    html = sample_quiz.start(client)
    sample_quiz.save(client, html, sample_quiz.answers_for(html, right=True))
    return sample_quiz.submit(client, html)


def play_call(client, replies=("1", "1")) -> None:
    """The sample role-play through the test client: the first replies reach the loyal customer (a pass)."""
    html = client.get(CALL).get_data(as_text=True)
    client.post(CALL + "/run", data={"csrf_token": csrf_from(html)})
    for reply in replies:
        html = client.get(CALL).get_data(as_text=True)
        run = re.search(r'name="run" value="(\d+)"', html).group(1)
        step = re.search(r'name="step" value="([^"]+)"', html).group(1)
        assert client.post(CALL + "/reply", data={"csrf_token": csrf_from(html), "run": run, "step": step,
                                                  "reply": reply}).status_code == 302


# -- 1. a reply keeps the conversation in view ------------------------------------------------------------

def test_after_a_reply_the_newest_customer_line_is_in_view_on_a_phone(page, browser, live_server, auth, runner):
    assert runner.invoke(args=["lms", "courses", "import", str(ROOT / "courses")]).exit_code == 0
    auth.create("learner@example.com", "Анна Петрова")
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, live_server)
    page.goto(live_server + BUILTIN_ROLEPLAY)
    page.get_by_role("button", name="Начать разговор").click()
    for _ in range(2):
        page.locator(".replies .reply-button").first.click()
        page.wait_for_load_state()
    newest = page.locator(".chat .bubble-customer").last
    assert in_viewport(page, newest), (page.evaluate("scrollY"), newest.bounding_box())
    # not hidden behind the mood, which stays in sight at the top
    mood = page.locator(".mood").bounding_box()
    assert newest.bounding_box()["y"] >= mood["y"] + mood["height"] - 1
    assert mood["y"] >= 0 and mood["y"] + mood["height"] <= 800
    # focus moved to what the customer said: the next Tab reaches the replies
    expect(page.locator("#latest")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".replies .reply-button").first).to_be_focused()
    no_horizontal_scroll(page)

    # without JavaScript the page still works and still lands on the newest lines
    plain = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 800}, java_script_enabled=False,
                                storage_state=page.context.storage_state())
    try:
        other = plain.new_page()
        other.goto(live_server + BUILTIN_ROLEPLAY)
        other.locator(".replies .reply-button").first.click()
        other.wait_for_load_state()
        assert other.url.endswith("#latest")
        assert in_viewport(other, other.locator(".chat .bubble-customer").last)
    finally:
        plain.close()


def no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


# -- 2. the mood in right-to-left ------------------------------------------------------------------------

def test_a_negative_mood_reads_minus_then_number_in_arabic(page, live_server, auth, sample_course):
    auth.create("learner@example.com", "ليلى حسن")
    sign_in(page, live_server)
    switch_to(page, "ar")
    page.goto(live_server + CALL)
    page.locator("form[action$='/run'] button").click()
    page.get_by_role("button", name="Не знаю, позвоните позже.").click()  # experience -2: the mood is -2
    mood = page.locator(".mood")
    expect(mood).to_have_attribute("dir", "rtl")
    value = mood.locator(".mood-value")
    expect(value).to_have_text("\u22122")  # a real minus sign, not a hyphen
    expect(value.locator("bdi[dir=ltr]")).to_have_count(1)
    # what the eye sees: the minus sign on the left of the digit, "−2" not "2−"
    left_of = value.evaluate("""(element) => {
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        const node = walker.nextNode();
        const box = (start) => { const r = document.createRange(); r.setStart(node, start); r.setEnd(node, start + 1);
                                 return r.getBoundingClientRect(); };
        return box(0).right <= box(1).left + 0.5;
    }""")
    assert left_of, "the minus sign is drawn after the number"
    expect(page.locator(".mood meter")).to_have_attribute("value", "-2")
    no_serious_accessibility_violations(page)


# -- 3. finishing a module, finishing the course -------------------------------------------------------------

def test_the_lesson_that_completes_a_module_leads_to_the_module_screen(page, live_server, auth, sample_course):
    auth.create("learner@example.com", "Анна Петрова")
    t = Interface("ru")
    sign_in(page, live_server)
    page.goto(live_server + SAMPLE + "/01-basics/01-welcome")
    page.get_by_role("button", name="Пройдено, дальше").click()
    expect(page).to_have_url(re.compile(r"/01-basics/02-speed$"))  # the module is not done yet: on to the next
    page.get_by_role("button", name="Пройдено, дальше").click()
    expect(page).to_have_url(re.compile(r"/courses/sample/complete/01-basics$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Module complete"))
    expect(page.locator(".completion-hero")).to_contain_text("Первый контакт")
    no_serious_accessibility_violations(page)
    page.get_by_role("link", name=t("Start the next module")).click()
    expect(page).to_have_url(re.compile(r"/02-practice/01-checklist$"))


def test_the_role_play_that_completes_the_course_leads_to_the_completion_screen(page, live_server, client, auth,
                                                                                 runner, sample_course):
    assert runner.invoke(args=["lms", "courses", "import", str(CERT_COURSES)]).exit_code == 0
    auth.create("learner@example.com", "Анна Петрова")
    for slug, due in (("sample", "2031-06-30"), ("cert-basics", "2031-07-15")):
        assert runner.invoke(args=["lms", "assign", slug, "--to", "learner@example.com", "--due", due]).exit_code == 0
    auth.login("learner@example.com")
    for key in LESSONS:
        mark_done(client, key)
    pass_quiz(client)
    # not complete yet: the completion page sends the learner to the course
    assert client.get(SAMPLE + "/complete").headers["Location"].endswith(SAMPLE + "/")
    t = Interface("ru")

    sign_in(page, live_server)
    page.goto(live_server + CALL)
    page.get_by_role("button", name="Начать разговор").click()
    page.get_by_role("button", name="Завтра к 12:00, обещаю.").click()
    page.get_by_role("button", name="Отправить заказ вовремя.").click()
    ending = page.locator(".scenario-ending")
    expect(ending.locator(".milestone")).to_contain_text(t("You have completed the course “%(course)s”.",
                                                           course="Основы сервиса"))
    no_serious_accessibility_violations(page)
    ending.locator(".milestone").get_by_role("link", name=t("See your results")).click()

    expect(page).to_have_url(re.compile(r"/courses/sample/complete$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Congratulations! You have completed the course"))
    expect(page.locator(".completion-hero")).to_contain_text("Основы сервиса")
    # the competency profile of the course's role-plays, from the learner's finished run
    profile = page.locator(".competency-profile")
    expect(profile.get_by_role("heading")).to_have_text(t("Your competency profile"))
    promises = profile.locator(".profile-row[data-tag=promises]")
    expect(promises).to_contain_text("Выполнение обещаний")
    expect(promises.locator(".profile-value")).to_have_text("3 / 3")
    # what next: the other assigned course with its due date
    upcoming = page.locator(".next-course")
    expect(upcoming).to_have_count(1)
    expect(upcoming).to_contain_text("Обещания клиенту")
    expect(upcoming).to_contain_text("2031")
    expect(page.locator(".completion-certificate")).to_have_count(0)  # the sample course issues none
    no_horizontal_scroll(page)
    no_serious_accessibility_violations(page)

    # the course page keeps the way back to it
    page.goto(live_server + SAMPLE + "/")
    page.locator(".course-complete-link").get_by_role("link", name=t("See your results")).click()
    expect(page).to_have_url(re.compile(r"/courses/sample/complete$"))

    # it is the learner's own page: someone else, not enrolled, gets a 404
    auth.logout()
    auth.as_role("learner", "other@example.com")
    assert client.get(SAMPLE + "/complete").status_code == 404
    assert client.get(SAMPLE + "/complete/01-basics").status_code == 404


def test_the_quiz_that_completes_the_course_links_to_the_completion_screen(client, auth, sample_course):
    auth.as_role("learner")
    for key in LESSONS:
        mark_done(client, key)
    play_call(client)
    result = client.get(pass_quiz(client).headers["Location"]).get_data(as_text=True)
    assert re.search(r'class="flash flash-success">[^<]*<a class="button milestone-link" href="'
                     + re.escape(SAMPLE + "/complete") + '"', result), result[:3000]


def test_the_course_with_a_certificate_shows_it_on_the_completion_screen(page, live_server, auth, runner):
    assert runner.invoke(args=["lms", "courses", "import", str(CERT_COURSES)]).exit_code == 0
    auth.create("learner@example.com", "Мария Кузнецова")
    t = Interface("ru")
    sign_in(page, live_server)
    page.goto(live_server + "/training/courses/cert-basics/01-intro/01-promise")
    page.get_by_role("button", name="Пройдено, дальше").click()
    page.get_by_role("button", name="Отметить как пройденный").click()
    expect(page).to_have_url(re.compile(r"/courses/cert-basics/complete$"))
    certificate = page.locator(".completion-certificate")
    expect(certificate.locator(".certificate-status")).to_have_attribute("data-status", "valid")
    serial = certificate.locator(".serial").inner_text()
    expect(certificate.get_by_role("link", name=t("Download PDF"))).to_have_attribute(
        "href", re.compile(re.escape(serial) + r"\.pdf$"))
    expect(certificate.get_by_role("link", name=t("Open Badge (signed)"))).to_have_attribute(
        "href", re.compile(re.escape(serial) + r"/badge\.jwt$"))
    expect(page.locator(".competency-profile")).to_have_count(0)  # no role-plays in this course
    expect(page.locator(".completion-next .empty")).to_have_text(t("Nothing else is assigned to you right now."))
    no_serious_accessibility_violations(page)
    certificate.get_by_role("link", name=t("Verification page")).click()
    expect(page.locator(".certificate-status")).to_have_attribute("data-status", "valid")
