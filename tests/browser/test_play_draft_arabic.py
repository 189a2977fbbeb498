"""A trainer plays a draft role-play in Arabic on a 1024 px screen, to its ending, and nothing is recorded."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from lms.models import Base, Course, User
from lms.services import authoring
from lms.state import db_session

from support import make_editor
from support.browser import Interface, sign_in

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

#: the sample course's role-play translated into Arabic: a new file of the draft, never published
CALL_AR = """---
title: مكالمة العميل
type: scenario
minutes: 5
variables:
  promised: false
competencies:
  promises: {label: الوفاء بالوعود, lesson: 01-checklist.md}
  speed: {label: سرعة الاستجابة, lesson: ../01-basics/02-speed.md}
outcomes:
  lost: خسرنا العميل
  loyal: عميل دائم
  pending: ينتظر رسالة
pass: {outcomes: [loyal]}
---
يتصل العميل ليسأل عن طلبه.

## المكالمة {#call}

**العميل:** متى سيكون طلبي جاهزًا؟

- [غدًا قبل الساعة 12:00، أعدك بذلك.](#later) promised=true expectations+1 promises+1 points+1
- [لا أعرف، اتصل لاحقًا.](#later) experience-2 speed-1

## في اليوم التالي {#later}

حلّ الظهر.

- [أرسل الطلب في موعده.](#kept) experience+2 promises+2 points+2 if promised
- [لا تفعل شيئًا.](#check)

## التحقق {#check}

-> #lost if mood < -1
-> #pending

## وفّينا بالوعد {#kept}

**العميل:** شكرًا، وصل كل شيء في موعده!

outcome: loyal

وعدت ووفيت.

## غادر العميل {#lost}

**العميل:** سأذهب إلى غيركم.

outcome: lost

الوعد بلا وفاء أسوأ من عدم الوعد.

## الانتظار {#pending}

**العميل:** حسنًا، سأنتظر.

outcome: pending

العميل ينتظر، فأوفِ بكلمتك.
"""


def serious_accessibility_violations(page) -> list[str]:
    """What axe-core (vendored for the tests) finds serious or critical on the page, opened again in a
    context that lets the test inject it (the pages' CSP forbids that)."""
    context = page.context.browser.new_context(storage_state=page.context.storage_state(), bypass_csp=True,
                                               viewport=page.viewport_size, locale="ru-RU")
    try:
        again = context.new_page()
        again.goto(page.url)
        again.add_script_tag(path=str(AXE))
        violations = again.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    finally:
        context.close()
    return [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:5]]}" for v in violations
            if v["impact"] in ("critical", "serious")]


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        session = db_session()
        return {table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def save_draft(app, path: str, text: str) -> None:
    with app.app_context():
        session = db_session()
        course = session.scalar(select(Course).where(Course.slug == "sample"))
        trainer = session.scalar(select(User).where(User.email == "trainer@example.com"))
        authoring.save_draft(session, course, path, text.encode(), trainer)
        session.commit()


def test_a_trainer_plays_a_draft_role_play_in_arabic_to_its_ending(browser, live_server, app, auth, sample_course):
    auth.create("trainer@example.com", "ليلى حسن", ("trainer",))
    make_editor(app, "sample", "trainer@example.com")
    save_draft(app, "02-practice/02-call.ar.md", CALL_AR)
    before = row_counts(app)
    t = Interface("ar")
    context = browser.new_context(locale="ru-RU", viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, "trainer@example.com")
        page.goto(live_server + "/training/")
        with page.expect_navigation(url="**/training/"):
            page.get_by_label("Язык интерфейса").select_option("ar")
        page.goto(live_server + "/training/author/sample/play?path=02-practice/02-call.ar.md")
        expect(page).to_have_url(re.compile(r"/author/sample/play/ar/02-practice/02-call$"))
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        banner = page.locator(".draft-play-banner")
        expect(banner).to_be_visible()
        expect(banner.get_by_role("link")).to_have_attribute("href", re.compile(r"/edit\?path=02-practice/02-call.ar.md$"))
        expect(page.locator("article.scenario")).to_have_attribute("dir", "rtl")
        expect(page.locator(".scenario-intro")).to_contain_text("يتصل العميل ليسأل عن طلبه.")

        page.get_by_role("button", name=t("Start the conversation")).click()
        expect(page.locator(".chat")).to_contain_text("متى سيكون طلبي جاهزًا؟")
        page.get_by_role("button", name="غدًا قبل الساعة 12:00، أعدك بذلك.").click()
        expect(page.locator("#latest")).to_contain_text("حلّ الظهر.")
        expect(page.locator(".mood .mood-value")).to_have_text("\u22121")  # expectations +1: a real minus sign
        page.get_by_role("button", name="أرسل الطلب في موعده.").click()

        ending = page.locator(".scenario-ending")
        expect(ending.get_by_role("heading", level=2)).to_contain_text("عميل دائم")
        expect(ending.locator(".badge-completed")).to_have_text(t("Passed"))
        expect(ending).to_contain_text(t("Points: %(points)s", points="3"))
        expect(ending.locator(".debrief")).to_contain_text("وعدت ووفيت.")
        expect(ending.locator(".competencies")).to_contain_text("الوفاء بالوعود")
        expect(ending.locator(".milestone")).to_have_count(0)  # a play completes nothing
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
        assert not serious_accessibility_violations(page)
        # the banner starts again: back to the introduction
        banner.get_by_role("button").click()
        expect(page.get_by_role("button", name=t("Start the conversation"))).to_be_visible()
    finally:
        context.close()
    assert row_counts(app) == before
