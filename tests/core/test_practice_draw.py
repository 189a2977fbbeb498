"""Daily practice, pure: which mistakes come back, and the streak."""
import datetime as dt

from lms.core.practice import Mistake, collect, draw, ref_of, streak

DAY = dt.date(2026, 12, 3)
AT = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def test_mistakes_are_counted_once_per_question_with_the_latest_version():
    found = collect([(1, 10, "ru", "m/quiz", "q1", AT), (1, 11, "en", "m/quiz", "q1", AT + dt.timedelta(days=1)),
                     (1, 10, "ru", "m/quiz", "q2", AT)])
    by_ref = {m.ref: m for m in found}
    assert by_ref[ref_of(1, "m/quiz", "q1")].times == 2 and by_ref[ref_of(1, "m/quiz", "q1")].version_id == 11
    assert by_ref[ref_of(1, "m/quiz", "q2")].times == 1


def due_all(mistakes, but=()):
    """Every mistake due on the same day (but the refs in ``but``, not due)."""
    return {m.ref: DAY for m in mistakes if m.ref not in but}


def test_the_draw_prefers_repeated_then_recent_mistakes_leaves_out_what_is_not_due_and_is_stable_for_a_day():
    mistakes = [Mistake(1, 1, "ru", "m/quiz", f"q{i}", 1 + (i == 4), AT + dt.timedelta(hours=i)) for i in range(6)]
    drawn = draw(mistakes, due_all(mistakes, {ref_of(1, "m/quiz", "q5")}), user_id=7, day=DAY)
    assert [m.question_id for m in drawn] == ["q4", "q3", "q2"]
    assert draw(mistakes, due_all(mistakes), 7, DAY) == draw(list(reversed(mistakes)), due_all(mistakes), 7, DAY)
    assert draw([], {}, 7, DAY) == []


def test_ties_are_broken_differently_on_different_days():
    mistakes = [Mistake(1, 1, "ru", "m/quiz", f"q{i}", 1, AT) for i in range(12)]
    picks = {tuple(m.question_id for m in draw(mistakes, due_all(mistakes), 7, DAY + dt.timedelta(days=n)))
             for n in range(5)}
    assert len(picks) > 1


def test_the_streak_counts_days_up_to_today_or_yesterday():
    days = [DAY - dt.timedelta(days=n) for n in (1, 2, 3, 5)]
    assert streak(days, DAY) == 3            # today still open: yesterday's run counts
    assert streak([*days, DAY], DAY) == 4
    assert streak([DAY - dt.timedelta(days=2)], DAY) == 0
    assert streak([], DAY) == 0
