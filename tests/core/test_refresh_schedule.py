"""Spaced refreshers, pure: the Leitner schedule (1, 3, 7, 21 days), moves on and back, and the group tally."""
import datetime as dt

import pytest

from lms.core.practice import Mistake, draw
from lms.core.refresh import (
    INTERVALS,
    MISSED,
    RIGHT,
    WRONG,
    Event,
    Slot,
    due,
    next_due,
    schedule,
    step,
    tally,
)

DAY0 = dt.date(2026, 3, 2)
REF = "1:m/quiz:q1"


def on(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def test_the_intervals_are_one_three_seven_and_twenty_one_days():
    assert INTERVALS == (1, 3, 7, 21)


def test_a_miss_is_due_the_next_day_in_box_zero():
    slot = schedule([Event(REF, DAY0, MISSED)])[REF]
    assert (slot.box, slot.due, slot.misses) == (0, on(1), 1)
    assert not slot.is_due(DAY0) and slot.is_due(on(1)) and slot.is_due(on(5))
    assert slot.overdue(on(5)) == 4


def test_right_answers_move_an_item_on_after_1_3_7_21_days_and_then_retire_it():
    events = [Event(REF, DAY0, MISSED)]
    seen = []
    slot = schedule(events)[REF]
    while not slot.retired:
        seen.append((slot.due - slot.last).days)
        events.append(Event(REF, slot.due, RIGHT))   # answered right on the day it came back
        slot = schedule(events)[REF]
    assert seen == [1, 3, 7, 21]
    # the days it was shown: 1, 4, 11, 32; then retired on day 32, never due again
    assert [e.day for e in events[1:]] == [on(1), on(4), on(11), on(32)]
    assert slot.box == len(INTERVALS) and slot.due is None and not slot.is_due(on(400))


def test_a_wrong_answer_sends_an_item_back_to_the_start():
    events = [Event(REF, DAY0, MISSED), Event(REF, on(1), RIGHT), Event(REF, on(4), RIGHT)]
    assert schedule(events)[REF].box == 2 and schedule(events)[REF].due == on(11)
    events.append(Event(REF, on(11), WRONG))
    slot = schedule(events)[REF]
    assert (slot.box, slot.due) == (0, on(12))
    events.append(Event(REF, on(12), RIGHT))
    assert schedule(events)[REF].due == on(15)


def test_a_new_miss_sends_an_item_back_and_counts_even_after_it_was_retired():
    events = [Event(REF, DAY0, MISSED)] + [Event(REF, on(n), RIGHT) for n in (1, 4, 11, 32)]
    assert schedule(events)[REF].retired
    events.append(Event(REF, on(40), MISSED))
    slot = schedule(events)[REF]
    assert (slot.box, slot.due, slot.misses) == (0, on(41), 2)


def test_answers_to_an_item_never_missed_or_retired_change_nothing():
    assert step(None, Event(REF, DAY0, RIGHT)) is None
    retired = Slot(REF, len(INTERVALS), None, DAY0)
    assert step(retired, Event(REF, on(3), WRONG)) is retired


def test_events_are_ordered_by_day_then_time_and_before_leaves_out_the_day_itself():
    morning = dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)
    events = [Event(REF, on(1), MISSED, morning + dt.timedelta(hours=2)),   # retook the quiz, missed again
              Event(REF, on(1), RIGHT, morning), Event(REF, DAY0, MISSED)]
    assert schedule(events)[REF].due == on(2)                 # the later miss wins
    began = schedule(events, before=on(1))[REF]
    assert began.due == on(1) and began.is_due(on(1))         # what the day began with
    with pytest.raises(ValueError):
        Event(REF, DAY0, "maybe")


def test_due_lists_the_most_overdue_first_and_next_due_looks_ahead():
    slots = schedule([Event("a", DAY0, MISSED), Event("b", on(3), MISSED), Event("c", on(1), MISSED),
                      Event("d", on(6), MISSED)])
    assert [s.ref for s in due(slots, on(5))] == ["a", "c", "b"]
    assert next_due(slots, on(5)) == on(7) and next_due({}, on(5)) is None


def test_the_daily_draw_takes_only_due_questions_most_overdue_first():
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    mistakes = [Mistake(1, 1, "ru", "m/quiz", f"q{i}", 1 + (i == 3), at) for i in range(5)]
    refs = {m.question_id: m.ref for m in mistakes}
    waiting = {refs["q0"]: on(0), refs["q1"]: on(2), refs["q2"]: on(2), refs["q3"]: on(2)}
    drawn = draw(mistakes, waiting, user_id=7, day=on(2))
    assert drawn[0].question_id == "q0"                      # the most overdue
    assert drawn[1].question_id == "q3"                      # then the most missed
    assert "q4" not in [m.question_id for m in drawn]        # not due: not drawn
    assert draw(mistakes, {}, 7, on(2)) == []


def test_the_group_tally_is_per_competency_weakest_first():
    rows = [("Speed", True, 3), ("Speed", False, 1), ("Tone", False, 2), ("Tone", True, 1), ("Names", True, 2)]
    found = tally(rows)
    assert [(t.label, t.answered, t.right, t.percent) for t in found] == [
        ("Tone", 3, 1, 33), ("Speed", 4, 3, 75), ("Names", 2, 2, 100)]
    assert tally([]) == []
