"""No page scrolls sideways: every page type of every role, on a 360 px phone and a 1280 px screen, in
Russian (left to right) and Arabic (right to left).

One seeded site for the module (tests/support/site.py: the sample course and two more imported,
a group with members, assignments, progress, reviews, a certificate). Each role signs in once per
language in its own browser context; one tab visits the role's pages, measured at 360 px, then
measured again with every <details> open (the menu, chart data, attempts), then resized to 1280 px
and measured once more. A page fails when the document is wider than the window
(``document.scrollingElement.scrollWidth > window.innerWidth + 1``); a wide table may scroll inside
its own ``.table-scroll`` region, which is not the page scrolling. Nothing else may stick out of the
window either: in a right-to-left page what sticks out on the right is cut off without widening it.
"""
from __future__ import annotations

import pytest

from support.review import LETTER, QUIZ
from support.site import SAMPLE, seeded_site

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)
LANGUAGES = ("ru", "ar")


def group(suffix: str = ""):
    return lambda ids: f"/training/trainer/groups/{ids['group']}{suffix}"


#: every page type a role has: (name, address or a function of the seeded ids giving one)
PAGES = {
    "learner": [
        ("my training", "/training/"),
        ("course", SAMPLE + "/"),
        ("lesson", SAMPLE + "/01-basics/01-welcome"),
        ("quiz question", SAMPLE + "/02-practice/03-quiz"),
        ("quiz with attempts", QUIZ),
        ("quiz result", lambda ids: ids["attempt_page"]),
        ("role-play ending", SAMPLE + "/02-practice/02-call"),
        ("role-play player", LETTER),
        ("certificates", "/training/certificates/"),
    ],
    "learner2": [
        ("role-play intro", SAMPLE + "/02-practice/02-call"),
        ("quiz intro", SAMPLE + "/02-practice/03-quiz"),
    ],
    "trainer": [
        ("groups", "/training/trainer/"),
        ("dashboard", group("?course=sample")),
        ("dashboard with scores", group("?course=reviewed")),
        ("members", group("/members")),
        ("assign", group("/courses")),
        ("learner record", lambda ids: f"/training/trainer/learners/{ids['learner']}"),
        ("review queue", "/training/review/"),
        ("review form", lambda ids: f"/training/review/{ids['review']}"),
        ("item analysis", "/training/review/analysis/reviewed"),
        ("studio", "/training/author/"),
        ("studio course", "/training/author/sample/"),
        ("studio draft", "/training/author/new-course/"),
        ("studio editor", "/training/author/sample/edit?path=01-basics/01-welcome.md"),
        ("studio versions", "/training/author/sample/versions?a=1&b=2"),
        ("studio quiz editor", "/training/author/sample/edit?path=02-practice/03-quiz.md"),
        ("studio map", "/training/author/sample/map?path=02-practice/02-call.md"),
        ("studio play", "/training/author/sample/play?path=02-practice/02-call.md"),
        ("trainer's report", "/training/reports/completions"),
    ],
    "hr": [
        ("report", "/training/reports/completions"),
        ("compliance matrix", "/training/reports/compliance"),
        ("people", "/training/people/"),
        ("person", lambda ids: f"/training/people/{ids['learner']}"),
        ("staff import", "/training/people/import"),
        ("expiring certificates", "/training/certificates/expiring"),
        ("a person's certificates", lambda ids: f"/training/certificates/people/{ids['learner']}"),
    ],
    "admin": [
        ("people", "/training/people/"),
        ("person", lambda ids: f"/training/people/{ids['hr']}"),
        ("api tokens", "/training/people/tokens"),
        ("dashboard", group("?course=sample")),
    ],
}

#: what sticks out of the window (for the failure message), leaving out what is shown in a box of its own
#: that scrolls (a table's .table-scroll region, a chart's data) or is hidden (a closed menu)
OFFENDERS = """() => {
  const width = window.innerWidth, found = [];
  const scrolls = element => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const element of document.body.querySelectorAll('*')) {
    if (element.closest('.visually-hidden, .skip-link, template') || !element.checkVisibility()) continue;
    const box = element.getBoundingClientRect();
    if (box.width && (box.right > width + 1 || box.left < -1) && !scrolls(element)) {
      found.push(`${element.tagName.toLowerCase()}.${[...element.classList].join('.')} ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  return found.slice(0, 6);
}"""


@pytest.fixture(scope="module")
def site(database, browser, tmp_path_factory):
    with seeded_site(database, browser, tmp_path_factory.mktemp("instance")) as site:
        yield site


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", list(PAGES))
def test_no_page_scrolls_sideways(site, role, language):
    page = site.context(role, language, {"width": WIDTHS[0], "height": 800}).new_page()
    failures = []
    try:
        for name, address in PAGES[role]:
            path = address(site.ids) if callable(address) else address
            page.set_viewport_size({"width": WIDTHS[0], "height": 800})
            response = page.goto(site.base + path)
            assert response.ok, (name, path, response.status)
            assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
            for width, unfolded in ((WIDTHS[0], False), (WIDTHS[0], True), (WIDTHS[1], True)):
                page.set_viewport_size({"width": width, "height": 800})
                if unfolded:  # the menu and every <details> (chart data, attempts) open too
                    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
                scroll_width, window_width = page.evaluate(
                    "() => [document.scrollingElement.scrollWidth, window.innerWidth]")
                # in right-to-left pages what sticks out on the right is cut off without widening the page
                offenders = page.evaluate(OFFENDERS)
                if scroll_width > window_width + 1 or offenders:
                    failures.append(f"{name} ({path}) at {width} px{' unfolded' if unfolded else ''} is "
                                    f"{scroll_width} px wide: {', '.join(offenders) or '?'}")
    finally:
        page.close()
    assert not failures, f"{role} [{language}]:\n" + "\n".join(failures)
