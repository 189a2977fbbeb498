"""The map of a role-play in a real browser: in Arabic on a 1024 px tablet it shows, the page never
scrolls sideways (the map may, inside its own region), it fits the screen on request, and a step
opens the editor at its line."""
import re

import pytest
from playwright.sync_api import expect

from support import ROOT, make_editor

pytestmark = pytest.mark.browser

SCENARIO = "02-three-keys/06-roleplay.ar.md"
STICKING_OUT = """() => [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('.table-scroll, .visually-hidden, .skip-link') && e.checkVisibility())
  .filter(e => { const r = e.getBoundingClientRect(); return r.right > innerWidth + 1 || r.left < -1; })
  .map(e => e.tagName + '.' + e.className)"""


@pytest.fixture
def arabic_tablet(browser):
    context = browser.new_context(locale="ar", viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_trainer_reads_the_map_in_arabic_on_a_tablet_and_opens_a_step_in_the_editor(
        arabic_tablet, live_server, auth, app, runner):
    result = runner.invoke(args=["lms", "courses", "import", str(ROOT / "courses")])
    assert result.exit_code == 0, result.output
    auth.create("trainer@example.com", "Тимур Тренер", ("trainer",))
    make_editor(app, "service-excellence", "trainer@example.com")
    page = arabic_tablet
    page.goto(f"{live_server}/login")
    page.locator('input[name="email"]').fill("trainer@example.com")
    page.locator('input[name="password"]').fill("password123")
    page.locator('form.stacked button[type="submit"]').click()
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(f"{live_server}/training/author/service-excellence/map?path={SCENARIO}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    svg = page.locator("svg.scenario-map")
    expect(svg).to_be_visible()
    expect(svg).to_have_class(re.compile(r"\bis-rtl\b"))
    expect(svg.locator("g[data-step]")).to_have_count(15)
    region = page.get_by_role("region", name=re.compile("."), include_hidden=False).filter(has=svg)
    expect(region).to_have_attribute("tabindex", "0")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.evaluate("innerWidth") + 1
    assert page.evaluate(STICKING_OUT) == []

    # fitted on the screen, the whole map is inside its region
    page.locator("label[for=map-fit]").click()
    fitted = svg.bounding_box()
    frame = region.bounding_box()
    assert frame["x"] - 1 <= fitted["x"] and fitted["x"] + fitted["width"] <= frame["x"] + frame["width"] + 1
    assert page.evaluate("(r => r.scrollWidth <= r.clientWidth + 1)(document.querySelector('.map-scroll'))")
    page.locator("label[for=map-fit]").click()

    step = svg.locator('g[data-step="chat"] a')
    href = step.get_attribute("href")
    line = int(re.search(r"line=(\d+)", href).group(1))
    source = (ROOT / "courses/service-excellence" / SCENARIO).read_text(encoding="utf-8").splitlines()
    assert source[line - 1].endswith("{#chat}")
    step.click()
    page.wait_for_url(re.compile(r"/author/service-excellence/edit\?path=02-three-keys(/|%2F)06-roleplay\.ar\.md&line="))
    expect(page.locator("textarea#text")).to_be_visible()
