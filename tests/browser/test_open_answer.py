"""An open quiz answer in a real browser: written, waiting for review, then marked by a trainer."""
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from support.browser import sign_in

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from support.review import QUIZ, import_course, pending_ids, release, team_up  # noqa: E402

pytestmark = pytest.mark.browser


def test_open_answer_waits_for_review_then_shows_the_trainers_marks(page, live_server, app, auth, client, runner):
    import_course(runner)
    team_up(app, auth)
    sign_in(page, live_server)
    page.goto(live_server + QUIZ)
    page.get_by_role("button", name="Начать тест").click()
    page.locator('input[name="q-sum"]').fill("4")
    page.get_by_label("Извините за ожидание").check()
    page.locator('textarea[name="q-apology"]').fill("Простите! Привезём сегодня к 15:00.")
    page.get_by_role("button", name="Сохранить ответы").click()
    page.get_by_role("button", name="Сдать тест").click()
    expect(page.locator(".score-card")).to_contain_text("Некоторые ответы ждут проверки тренером.")
    expect(page.locator(".result-item.is-pending")).to_contain_text("Простите! Привезём сегодня к 15:00.")

    auth.login("trainer@example.com")
    (review_id,) = pending_ids(app)
    assert release(client, review_id, marks=[0, 1], comment="Хорошо: и извинение, и срок.").status_code == 302
    page.reload()
    expect(page.locator(".score-card")).to_contain_text("Сдано. Отлично!")
    expect(page.locator(".quiz-result")).to_contain_text("Хорошо: и извинение, и срок.")
