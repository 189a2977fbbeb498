"""When reminders fall due, quiet hours and SMTP settings: the pure rules of notifications."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from lms.core import notify
from lms.core.retry import backoff

DUE = dt.date(2026, 12, 10)


def day(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def test_reminders_come_three_days_before_then_the_day_before():
    days = notify.parse_days("3,1")
    assert [notify.due_reminder(DUE, day(-n), days) for n in (5, 4, 3, 2, 1, 0)] == [None, None, 3, 3, 1, 1]
    assert notify.due_reminder(DUE, day(1), days) is None  # overdue is another notice


def test_overdue_notices_come_the_day_after_then_weekly_four_times_at_most():
    notices = {offset: notify.overdue_notice(DUE, day(offset)) for offset in range(0, 40)}
    assert notices[0] is None
    firsts = [offset for offset, n in notices.items() if n is not None and notices.get(offset - 1) != n]
    assert firsts == [1, 8, 15, 22]
    assert notices[29] is None and notices[39] is None


def test_remind_days_setting_is_read_strictly():
    assert notify.parse_days("1, 7,3") == (7, 3, 1)
    assert notify.parse_days(None) == (3, 1)
    with pytest.raises(ValueError):
        notify.parse_days("three")


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example.com", ("mail.example.com", 25, "plain", None, None)),
    ("smtps://u%40x:p%3Ass@mail.example.com", ("mail.example.com", 465, "tls", "u@x", "p:ss")),
    ("smtp+starttls://user:pw@127.0.0.1:2525", ("127.0.0.1", 2525, "starttls", "user", "pw")),
])
def test_smtp_url(url, expected):
    settings = notify.parse_smtp_url(url)
    assert (settings.host, settings.port, settings.security, settings.username, settings.password) == expected
    assert "pw" not in repr(settings) and "p:ss" not in repr(settings)


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "smtp://host:99999", "smtp://host/path"])
def test_bad_smtp_urls_are_refused_with_a_reason(url):
    with pytest.raises(ValueError, match="LMS_SMTP_URL"):
        notify.parse_smtp_url(url)


def test_quiet_hours_in_the_recipients_time_zone():
    moscow = ZoneInfo("Europe/Moscow")  # UTC+3
    hours = notify.parse_quiet_hours("21-8")
    late = dt.datetime(2026, 12, 3, 19, 30, tzinfo=dt.UTC)  # 22:30 in Moscow
    assert notify.quiet_until(late, moscow, hours) == dt.datetime(2026, 12, 4, 5, 0, tzinfo=dt.UTC)
    early = dt.datetime(2026, 12, 4, 3, 0, tzinfo=dt.UTC)  # 06:00 in Moscow
    assert notify.quiet_until(early, moscow, hours) == dt.datetime(2026, 12, 4, 5, 0, tzinfo=dt.UTC)
    assert notify.quiet_until(dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC), moscow, hours) is None
    assert notify.quiet_until(late, dt.UTC, hours) is None  # 19:30 in London is not quiet
    assert notify.quiet_until(late, moscow, None) is None
    with pytest.raises(ValueError):
        notify.parse_quiet_hours("8-8")


def test_unknown_time_zone_falls_back():
    assert notify.zone("Mars/Olympus", "Europe/Moscow") == ZoneInfo("Europe/Moscow")
    assert notify.zone(None, "nowhere") == dt.UTC
    assert notify.valid_zone("Asia/Dubai") and not notify.valid_zone("Asia/Nowhere")


def test_one_email_per_kind_a_day_the_rest_fold_into_a_digest():
    assert notify.fold_into_digest("due_soon", {"due_soon"})
    assert not notify.fold_into_digest("due_soon", {"assigned"})
    assert not notify.fold_into_digest("password_reset", {"password_reset"})  # a reset always goes


def test_backoff_doubles_up_to_a_day():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff(30) == dt.timedelta(days=1)


def test_kinds_people_may_turn_off():
    assert "invitation" not in notify.CHOOSABLE and "password_reset" not in notify.CHOOSABLE
    assert {"assigned", "due_soon", "overdue", "refresher"} <= set(notify.CHOOSABLE)
    assert notify.kind("refresher").opt_in
