"""The design system in a real browser: flashed messages by category, buttons, confirmation of destructive
actions, wide tables, where each role lands, and the bar that folds into a menu on a phone.

One seeded site for the module (tests/support/site.py). The tests that change it (a member removed,
an API token revoked) come last.
"""
from __future__ import annotations

import re

import pytest
from flask import flash, redirect
from playwright.sync_api import expect

from support.browser import Interface
from support.site import seeded_site

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
FLASHED = {"success": "Saved.", "info": "Just so you know.", "warning": "Check this.", "error": "That failed."}


def flash_each_category(app):
    """A page of the test's own that flashes one message of each category, then shows the sign-in page."""
    def flashing():
        for category, message in FLASHED.items():
            flash(message, category)
        return redirect("/login")

    app.add_url_rule("/test-flashes", "test_flashes", flashing)


@pytest.fixture(scope="module")
def site(database, browser, tmp_path_factory):
    with seeded_site(database, browser, tmp_path_factory.mktemp("instance"), configure=flash_each_category) as site:
        yield site


def fresh_page(site, role: str, viewport: dict, language: str = "ru", javascript: bool = True):
    """A new context signed in as ``role`` (not the site's shared one): for tests of signing in and of no JS."""
    context = site.browser.new_context(locale={"ru": "ru-RU", "ar": "ar"}[language], viewport=viewport,
                                       java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    page = context.new_page()
    if role != "anonymous":
        page.goto(f"{site.base}/login")
        page.locator('input[name="email"]').fill(f"{role}@example.com")
        page.locator('input[name="password"]').fill("password123")
        page.locator('form.stacked button[type="submit"]').click()
        page.wait_for_url(lambda url: "/login" not in url)
    return page


def rgb(css: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", css)[:3])


# -- flashed messages -----------------------------------------------------------------------

def test_flashed_messages_are_coloured_by_category_with_an_icon_and_errors_are_alerts(site):
    page = site.context("anonymous", viewport=DESKTOP).new_page()
    try:
        page.goto(f"{site.base}/test-flashes")
        looks = {}
        for category, message in FLASHED.items():
            box = page.locator(f".lms-flash-{category}")
            expect(box).to_have_count(1)
            expect(box.locator(f"p.flash.flash-{category}")).to_have_text(message)
            expect(box).to_have_attribute("role", "alert" if category == "error" else "status")
            icon = box.locator("svg.icon")
            expect(icon).to_have_attribute("role", "img")
            assert icon.get_attribute("aria-label"), category
            looks[category] = box.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
    finally:
        page.close()
    assert len({background for background, _colour in looks.values()}) == 4, looks  # no more green errors
    red, green, blue = rgb(looks["error"][1])
    assert red > green + 60 and red > blue + 60, looks["error"]
    red, green, blue = rgb(looks["success"][1])
    assert green > red + 40 and green > blue, looks["success"]


def test_a_failed_sign_in_is_a_red_alert(site):
    page = fresh_page(site, "anonymous", PHONE)
    try:
        page.goto(f"{site.base}/login")
        page.locator('input[name="email"]').fill("learner@example.com")
        page.locator('input[name="password"]').fill("wrong password")
        page.locator('form.stacked button[type="submit"]').click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(Interface("ru")("Wrong e-mail or password. Check them and try again."))
        red, green, _blue = rgb(alert.evaluate("e => getComputedStyle(e).color"))
        assert red > green + 60
    finally:
        page.context.close()


# -- buttons --------------------------------------------------------------------------------

STAFF_PAGES = {
    "trainer": ["/training/trainer/", "/training/trainer/groups/{group}?course=sample", "/training/trainer/groups/{group}/members",
                "/training/trainer/groups/{group}/courses", "/training/trainer/learners/{learner}", "/training/review/",
                "/training/review/{review}", "/training/author/", "/training/author/sample/",
                "/training/author/new-course/", "/training/author/sample/versions?a=1&b=2"],
    "hr": ["/training/reports/completions", "/training/reports/compliance", "/training/people/",
           "/training/people/{learner}", "/training/people/import", "/training/certificates/people/{learner}"],
    "admin": ["/training/people/tokens"],
    "learner": ["/training/", "/training/courses/sample/", "/training/certificates/"],
}


@pytest.mark.parametrize("role", list(STAFF_PAGES))
def test_no_page_shows_a_browser_default_button(site, role):
    page = site.context(role, viewport=DESKTOP).new_page()
    try:
        for path in STAFF_PAGES[role]:
            page.goto(site.base + path.format(**site.ids))
            plain = page.evaluate("""() => [...document.querySelectorAll('button, input[type=submit], input[type=button]')]
                .filter(b => !b.classList.contains('button')).map(b => b.outerHTML.slice(0, 120))""")
            assert plain == [], (path, plain)
    finally:
        page.close()


def test_primary_secondary_danger_and_disabled_buttons_look_different(site):
    page = site.context("hr", viewport=DESKTOP).new_page()
    try:
        page.goto(f"{site.base}/training/people/{site.ids['learner']}")
        page.evaluate("""() => document.querySelector('main').insertAdjacentHTML('beforeend',
            '<p id="probe"><button class="button" id="primary">A</button><button class="button button-secondary" id="secondary">B</button>'
            + '<button class="button button-danger" id="danger">C</button><button class="button" id="disabled" disabled>D</button>'
            + '<button class="button button-danger" id="disabled-danger" disabled>E</button>'
            + '<a class="button" id="aria-disabled" aria-disabled="true" href="#x">F</a></p>')""")
        look = {name: page.locator(f"#{name}").evaluate(
            "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.color, s.cursor, s.pointerEvents]; }")
            for name in ("primary", "secondary", "danger", "disabled", "disabled-danger", "aria-disabled")}
    finally:
        page.close()
    assert len({look[name][0] for name in ("primary", "secondary", "danger", "disabled")}) == 4, look
    red, green, blue = rgb(look["danger"][0])
    assert red > green + 80 and red > blue + 80, look["danger"]
    for name in ("disabled", "disabled-danger", "aria-disabled"):
        assert look[name][2] == "not-allowed", (name, look[name])
        assert look[name][0] == look["disabled"][0], (name, look[name])  # grey, whatever the kind
        red, green, blue = rgb(look[name][0])
        assert max(red, green, blue) - min(red, green, blue) < 20, (name, look[name])
    assert look["aria-disabled"][3] == "none"


# -- wide tables ----------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["ru", "ar"])
def test_the_report_keeps_the_employee_in_view_and_status_and_score_within_reach(site, language):
    page = site.context("hr", language, viewport=PHONE).new_page()
    try:
        page.goto(f"{site.base}/training/reports/completions")
        region = page.get_by_role("region", name=Interface(language)("Completion report"))
        expect(region).to_have_attribute("tabindex", "0")
        first_row = region.locator("tbody tr").first
        employee = first_row.locator("td[data-col=employee]")
        assert employee.evaluate("e => getComputedStyle(e).position") == "sticky"
        for column in ("status", "score"):  # scrolled to just past the employee column, each shows in full
            cell = first_row.locator(f"td[data-col={column}]")
            cell.evaluate(SCROLL_PAST_STICKY)
            inside(cell.bounding_box(), region.bounding_box(), column)
            inside(employee.bounding_box(), region.bounding_box(), "employee")  # still there, on its side
            beside(cell.bounding_box(), employee.bounding_box(), language, column)
        region.evaluate("r => r.scrollTo({left: getComputedStyle(r).direction === 'rtl' ? -r.scrollWidth : r.scrollWidth})")
        inside(employee.bounding_box(), region.bounding_box(), "employee at the far end")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"] + 1

        # on a wide screen the report uses the whole width, and the key columns need no scrolling
        page.set_viewport_size(DESKTOP)
        page.evaluate("() => document.querySelectorAll('.table-scroll').forEach(r => r.scrollTo({left: 0}))")
        assert page.locator("main").bounding_box()["width"] > 1200
        for column in ("employee", "course", "status", "score"):
            inside(first_row.locator(f"td[data-col={column}]").bounding_box(), region.bounding_box(), column)
    finally:
        page.close()


SCROLL_PAST_STICKY = """cell => {
  const region = cell.closest('.table-scroll'), sticky = cell.parentElement.firstElementChild;
  const rtl = getComputedStyle(region).direction === 'rtl';
  const a = cell.getBoundingClientRect(), b = sticky.getBoundingClientRect();
  region.scrollLeft += rtl ? a.right - b.left : a.left - b.right;
}"""


def inside(box, region, what):
    assert box["x"] >= region["x"] - 1 and box["x"] + box["width"] <= region["x"] + region["width"] + 1, (what, box, region)


def beside(box, sticky, language, what):
    """``box`` is not under the sticky column."""
    if language == "ar":
        assert box["x"] + box["width"] <= sticky["x"] + 1, (what, box, sticky)
    else:
        assert box["x"] >= sticky["x"] + sticky["width"] - 1, (what, box, sticky)


@pytest.mark.parametrize(("role", "path", "label"), [
    ("trainer", "/training/trainer/groups/{group}?course=sample", "Progress of the learners by module"),
    ("hr", "/training/reports/compliance", "Compliance matrix"),
    ("hr", "/training/people/", "People"),
])
def test_data_pages_use_the_whole_width_and_scroll_their_tables_in_a_region(site, role, path, label):
    page = site.context(role, viewport=DESKTOP).new_page()
    try:
        page.goto(site.base + path.format(**site.ids))
        assert page.locator("main").bounding_box()["width"] > 1200
        region = page.get_by_role("region", name=Interface("ru")(label))
        expect(region).to_have_class(re.compile(r"\btable-scroll\b"))
        expect(region).to_have_attribute("tabindex", "0")
        first = region.locator("tbody tr").first.locator("th, td").first
        assert first.evaluate("e => getComputedStyle(e).position") == "sticky"
    finally:
        page.close()


# -- the bar --------------------------------------------------------------------------------

ROWS = """bar => {
  const shown = [...bar.querySelectorAll('a, button, select, .lms-user')].filter(e => e.checkVisibility())
    .map(e => e.getBoundingClientRect());
  const links = [...bar.querySelectorAll('.lms-nav a')].filter(e => e.checkVisibility()).map(e => e.getBoundingClientRect());
  const tops = links.map(b => b.top).sort((a, b) => a - b);
  const rows = tops.filter((top, i) => i === 0 || top - tops[i - 1] > 12).length;
  const top = Math.min(...links.map(b => b.top)), bottom = Math.max(...links.map(b => b.bottom));
  return [rows, shown.filter(b => b.top < top - 8 || b.bottom > bottom + 8).length];
}"""


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_the_bar_takes_two_rows_at_most_at_1280_px(site, language):
    page = site.context("admin", language, viewport=DESKTOP).new_page()  # an administrator sees every link
    try:
        page.goto(f"{site.base}/training/people/")
        bar = page.locator(".lms-bar")
        expect(page.locator(".lms-menu-toggle")).to_be_hidden()
        expect(page.get_by_role("navigation", name=Interface(language)("Main")).get_by_role("link")).to_have_count(9)
        rows, elsewhere = bar.evaluate(ROWS)
        assert rows <= 2 and elsewhere == 0, (rows, elsewhere)  # the links in two rows, the rest beside them
        assert bar.bounding_box()["height"] < 120
    finally:
        page.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_phone_the_bar_folds_into_a_menu(site, javascript):
    page = fresh_page(site, "trainer", PHONE, javascript=javascript)
    t = Interface("ru")
    try:
        toggle = page.locator("summary.lms-menu-toggle")
        groups = page.get_by_role("navigation", name=t("Main")).get_by_role("link", name=t("Groups"))
        expect(toggle).to_be_visible()
        expect(groups).to_be_hidden()
        expect(page.get_by_label(t("Interface language"))).to_be_visible()  # the language stays at hand
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"] + 1
        waiting = toggle.locator(".nav-badge")  # the answers waiting for review show on the folded menu
        expect(waiting).to_have_text(re.compile(r"^[1-9]\d*$"))
        toggle.click()
        expect(groups).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"] + 1
        if javascript:
            page.keyboard.press("Escape")
            expect(groups).to_be_hidden()
            toggle.click()
        groups.click()
        expect(page.get_by_role("heading", name=t("Groups"), level=1)).to_be_visible()
    finally:
        page.context.close()


# -- where each role lands ------------------------------------------------------------------

LANDINGS = {"learner": "/training/", "trainer": "/training/trainer/", "hr": "/training/reports/completions",
            "admin": "/training/people/"}


@pytest.mark.parametrize("role", list(LANDINGS))
def test_each_role_lands_on_its_work_after_signing_in_and_on_the_home_page(site, role):
    page = fresh_page(site, role, DESKTOP)
    try:
        assert page.url == site.base + LANDINGS[role]
        page.goto(site.base + "/")
        assert page.url == site.base + LANDINGS[role]
        if role == "trainer":  # with the answers waiting for them
            callout = page.locator(".review-callout")
            waiting = callout.get_attribute("data-waiting")
            assert int(waiting) > 0
            nav = page.get_by_role("navigation", name=Interface("ru")("Main"))
            expect(nav.locator(".nav-badge")).to_have_text(waiting)
            callout.get_by_role("link").click()
            expect(page).to_have_url(site.base + "/training/review/")
    finally:
        page.context.close()


def test_an_explicit_next_address_still_wins(site):
    page = fresh_page(site, "anonymous", DESKTOP)
    try:
        page.goto(f"{site.base}/training/certificates/")
        assert "/login?next=" in page.url
        page.locator('input[name="email"]').fill("trainer@example.com")
        page.locator('input[name="password"]').fill("password123")
        page.locator('form.stacked button[type="submit"]').click()
        page.wait_for_url(site.base + "/training/certificates/")
    finally:
        page.context.close()


# -- destructive actions (these change the site: last) ---------------------------------------

DESTRUCTIVE = [
    ("trainer", "/training/trainer/groups/{group}/members"),   # remove a member
    ("trainer", "/training/trainer/groups/{group}/courses"),   # unassign a course
    ("trainer", "/training/author/sample/versions?a=1&b=2"),    # publish an older version again
    ("trainer", "/training/author/new-course/"),               # discard a draft
    ("hr", "/training/certificates/people/{learner}"),        # revoke a certificate
    ("hr", "/training/people/{learner2}"),                    # delete a person
]


@pytest.mark.parametrize(("role", "path"), DESTRUCTIVE)
def test_destructive_forms_ask_first_and_look_dangerous(site, role, path):
    page = site.context(role, viewport=PHONE).new_page()
    try:
        page.goto(site.base + path.format(**site.ids))
        forms = page.locator("form[data-confirm]")
        assert forms.count() >= 1
        for index in range(forms.count()):
            form = forms.nth(index)
            assert form.get_attribute("method") == "post" and form.get_attribute("data-confirm").strip()
            expect(form.locator('button[type="submit"]')).to_have_class(re.compile(r"\bbutton-danger\b"))
    finally:
        page.close()


def test_removing_a_member_asks_in_a_dialog_and_cancel_keeps_them(site):
    page = site.context("trainer", viewport=PHONE).new_page()
    t = Interface("ru")
    try:
        page.goto(f"{site.base}/training/trainer/groups/{site.ids['group']}/members")
        row = page.locator(f"tr[data-user='{site.ids['learner2']}']")
        remove = row.get_by_role("button")
        red, green, _blue = rgb(remove.evaluate("e => getComputedStyle(e).color"))
        assert red > green + 80  # a danger button
        remove.click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(t("Remove %(name)s from the group?", name="Борис Смирнов"))
        expect(dialog.get_by_role("button", name=t("Cancel"))).to_be_focused()  # the safe choice is the default
        dialog.get_by_role("button", name=t("Cancel")).click()
        expect(dialog).to_have_count(0)
        expect(row).to_have_count(1)
        expect(remove).to_be_focused()

        remove.click()
        page.get_by_role("dialog").get_by_role("button", name=t("Remove")).click()
        expect(page.locator(".lms-flash-success")).to_be_visible()
        expect(row).to_have_count(0)
    finally:
        page.close()


def test_without_javascript_a_destructive_form_posts_as_before(site):
    page = fresh_page(site, "admin", PHONE, javascript=False)
    t = Interface("ru")
    try:
        page.goto(f"{site.base}/training/people/tokens")
        page.get_by_label(t("Name"), exact=True).fill("HR system")
        page.get_by_role("button", name=t("Create token")).click()
        token = page.locator("tr[data-revoked=false]")
        expect(token).to_have_count(1)
        token.get_by_role("button", name=t("Revoke")).click()  # no dialog without JS: the server acts at once
        expect(page.locator("tr[data-revoked=true]")).to_have_count(1)
    finally:
        page.context.close()
