"""Every role-play of the built-in course, played at its worst by a learner in Chromium: it does not pass.

The role-plays are found by loading the course (each edition's own-language files, so a new role-play
or a new translation is covered without touching this test); the checker's exploration gives each one's
**worst run**, the fewest points among the runs that cannot pass (:mod:`support.worst_runs`). A learner
plays it in the browser, one browser context per edition, and must see the planned ending with "Not
passed yet", never "Passed" or "Awaiting review". The runs through every reply the lessons condemn are
played through the test client by ``tests/web/test_roleplay_condemned_replies.py``.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from support import ROOT
from support.browser import sign_in
from support.worst_runs import WRITTEN, Run, builtin_roleplays, runs_to_play

pytestmark = pytest.mark.browser


def play(page, run: Run) -> None:
    """Play ``run`` from the page of the role-play (its start, or the ending of the previous run)."""
    with page.expect_navigation(wait_until="commit"):
        page.locator("form[action$='/run'] button[type=submit]").click()  # start, or play again
    for step, action in run.moves:
        expect(page.locator("input[name=step]")).to_have_value(step)
        with page.expect_navigation(wait_until="commit"):
            if action == "text":
                page.locator("#reply-text").fill(WRITTEN)
                page.locator("form.turn-text button[type=submit]").click()
            else:
                page.locator(f".replies button.reply-button[value='{action}']").click()
    ending = page.locator(".scenario-ending")
    expect(ending.locator("#ending-title")).to_contain_text(run.outcome_label)
    result = ending.locator(".ending-result")
    expect(result.locator(".badge-overdue")).to_have_count(1)  # "Not passed yet"
    expect(result.locator(".badge-completed, .badge-in_progress")).to_have_count(0)


def test_no_role_play_passes_on_its_worst_run(browser, live_server, auth, runner):
    assert runner.invoke(args=["lms", "courses", "import", str(ROOT / "courses")]).exit_code == 0
    roleplays = builtin_roleplays()
    assert {language for _, language, _, _ in roleplays} >= {"ru", "en", "ar"}
    assert len({activity.key for _, _, activity, _ in roleplays}) >= 5  # one per module at least

    # one learner, signed in once, and one browser context per edition (a new context costs a third of a
    # second): the role-plays come grouped by course and language, each played from its own page
    auth.create("worst-runs@example.com", "Learner")
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    sign_in(page, live_server, "worst-runs@example.com")
    signed_in = context.storage_state()
    context.close()

    played, edition, context = 0, None, None
    try:
        for slug, language, activity, scenario in roleplays:
            if (slug, language) != edition:
                if context is not None:
                    context.close()
                context = browser.new_context(storage_state=signed_in, locale="ru-RU",
                                              viewport={"width": 800, "height": 600})
                context.set_default_timeout(10_000)
                page = context.new_page()
                page.goto(f"{live_server}/training/courses/{slug}/")
                choice = page.locator(".edition-form select")
                if choice.input_value() != language:
                    with page.expect_navigation():
                        choice.select_option(language)
                expect(page.locator("ol.modules")).to_have_attribute("lang", language)
                edition = (slug, language)
            runs = runs_to_play(scenario)[:1]  # the worst run
            page.goto(f"{live_server}/training/courses/{slug}/{activity.module}/{activity.slug}")
            for run in runs:
                try:
                    play(page, run)
                except AssertionError as exc:
                    raise AssertionError(f"{language} {activity.path}, {run.why} → {run.ending}: {exc}") from exc
                played += 1
    finally:
        if context is not None:
            context.close()
    assert played >= len(roleplays)
