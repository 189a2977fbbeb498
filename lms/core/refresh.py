"""Spaced refreshers: what a learner got wrong comes back at growing intervals (a Leitner schedule, pure).

An item (a quiz question, a role-play competency) is named by a ``ref``. Its place in the
schedule is derived from its history alone, so nothing needs storing: a miss (in a quiz, or
a competency a role-play left weak) puts it in box 0, due one day later; a right answer
moves it one box on, due after that box's interval; a wrong one sends it back to box 0;
a right answer in the last box retires it (until it is missed again).

With the intervals 1, 3, 7 and 21 days, an item missed on day 0 and answered right each
time it comes back is seen on days 1, 4, 11 and 32, and then no more.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: days until an item comes back, by box
INTERVALS: tuple[int, ...] = (1, 3, 7, 21)

#: what can happen to an item
MISSED = "missed"   # got wrong where it was learnt (a quiz, a role-play)
RIGHT = "right"     # answered right when it came back
WRONG = "wrong"     # answered wrongly when it came back
OUTCOMES = (MISSED, RIGHT, WRONG)


@dataclass(frozen=True)
class Event:
    """Something that happened to an item on a (calendar) ``day``; ``at`` orders the events of one day."""

    ref: str
    day: dt.date
    outcome: str
    at: dt.datetime | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")


@dataclass(frozen=True)
class Slot:
    """Where an item stands: its ``box``, the day it is ``due`` (None once retired), the day it
    was ``last`` moved, and how often it was missed."""

    ref: str
    box: int
    due: dt.date | None
    last: dt.date
    misses: int = 1

    @property
    def retired(self) -> bool:
        return self.due is None

    def is_due(self, today: dt.date) -> bool:
        return self.due is not None and self.due <= today

    def overdue(self, today: dt.date) -> int:
        """Days past its due day (0 on the day itself; negative while it is not due yet)."""
        return (today - self.due).days if self.due is not None else 0

    def interval(self, intervals: tuple[int, ...] = INTERVALS) -> int | None:
        """The days between ``last`` and ``due`` (None once retired)."""
        return intervals[self.box] if not self.retired else None


def step(slot: Slot | None, event: Event, intervals: tuple[int, ...] = INTERVALS) -> Slot | None:
    """The item's place after ``event``. An answer to an item never missed (or retired) changes nothing."""
    if event.outcome == MISSED:
        return Slot(event.ref, 0, event.day + dt.timedelta(days=intervals[0]), event.day,
                    (slot.misses + 1) if slot is not None else 1)
    if slot is None or slot.retired:
        return slot
    if event.outcome == WRONG:
        return Slot(event.ref, 0, event.day + dt.timedelta(days=intervals[0]), event.day, slot.misses)
    box = slot.box + 1
    if box >= len(intervals):
        return Slot(event.ref, len(intervals), None, event.day, slot.misses)
    return Slot(event.ref, box, event.day + dt.timedelta(days=intervals[box]), event.day, slot.misses)


def _order(event: Event) -> tuple[dt.date, float]:
    return event.day, event.at.timestamp() if event.at is not None else float("-inf")


def schedule(events: Iterable[Event], intervals: tuple[int, ...] = INTERVALS,
             before: dt.date | None = None) -> dict[str, Slot]:
    """Each item's place after its ``events`` (in any order: they are sorted by day, then ``at``);
    only the events of days ``before`` a given day, if one is given (what the day began with)."""
    slots: dict[str, Slot] = {}
    for event in sorted(events, key=_order):
        if before is not None and event.day >= before:
            continue
        moved = step(slots.get(event.ref), event, intervals)
        if moved is not None:
            slots[event.ref] = moved
    return slots


def due(slots: Mapping[str, Slot] | Iterable[Slot], today: dt.date) -> list[Slot]:
    """The items due ``today``, most overdue first (then by ref, for a stable order)."""
    items = slots.values() if isinstance(slots, Mapping) else slots
    return sorted((s for s in items if s.is_due(today)), key=lambda s: (s.due, s.ref))


def next_due(slots: Mapping[str, Slot] | Iterable[Slot], today: dt.date) -> dt.date | None:
    """The first day after ``today`` when an item comes back (None when nothing is scheduled)."""
    items = slots.values() if isinstance(slots, Mapping) else slots
    return min((s.due for s in items if s.due is not None and s.due > today), default=None)


@dataclass(frozen=True)
class Tally:
    """How a group's refreshers went for one competency: answers given and how many were right."""

    label: str
    answered: int
    right: int

    @property
    def percent(self) -> int:
        return round(100 * self.right / self.answered) if self.answered else 0


def tally(rows: Iterable[tuple[str, bool, int]]) -> list[Tally]:
    """Refresher answers per competency from ``(label, correct, count)`` rows, the weakest first
    (lowest share right, then most answered, then by label)."""
    answered: dict[str, int] = {}
    right: dict[str, int] = {}
    for label, correct, count in rows:
        answered[label] = answered.get(label, 0) + count
        right[label] = right.get(label, 0) + (count if correct else 0)
    found = [Tally(label, answered[label], right[label]) for label in answered]
    found.sort(key=lambda t: (t.right / t.answered if t.answered else 1.0, -t.answered, t.label))
    return found
