"""Daily practice: a few questions a learner got wrong, brought back, and a streak (pure).

The learner's own mistakes are the material: every quiz question they answered wrongly in a
submitted attempt comes back on the days its refresher schedule makes it due
(:mod:`lms.core.refresh`: 1, 3, 7, 21 days). Each day draws the same few (a learner who
reloads sees the same set), the most overdue first, then the questions missed most often
and most recently. A streak counts the consecutive days with practice done, up to
today (or up to yesterday, when today's practice is still to do).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: questions in a day's practice (about two minutes)
DAILY_SIZE = 3


@dataclass(frozen=True)
class Mistake:
    """A question the learner answered wrongly: where it lives and how often and lately it was missed."""

    course_id: int
    version_id: int
    language: str
    activity_key: str
    question_id: str
    times: int
    last: dt.datetime

    @property
    def ref(self) -> str:
        """A stable name for the question in a course (its quiz and question ids)."""
        return f"{self.course_id}:{self.activity_key}:{self.question_id}"


def ref_of(course_id: int, activity_key: str, question_id: str) -> str:
    return f"{course_id}:{activity_key}:{question_id}"


def collect(missed: Iterable[tuple[int, int, str, str, str, dt.datetime]]) -> list[Mistake]:
    """Mistakes from ``(course_id, version_id, language, activity_key, question_id, when)`` rows,
    one per question: counted, with the latest version and language the learner saw it in."""
    found: dict[str, Mistake] = {}
    for course_id, version_id, language, key, question_id, when in missed:
        ref = ref_of(course_id, key, question_id)
        seen = found.get(ref)
        if seen is None:
            found[ref] = Mistake(course_id, version_id, language, key, question_id, 1, when)
        elif when >= seen.last:
            found[ref] = Mistake(course_id, version_id, language, key, question_id, seen.times + 1, when)
        else:
            found[ref] = Mistake(seen.course_id, seen.version_id, seen.language, key, question_id, seen.times + 1,
                                 seen.last)
    return list(found.values())


def draw(mistakes: Iterable[Mistake], due: Mapping[str, dt.date], user_id: int, day: dt.date,
         size: int = DAILY_SIZE) -> list[Mistake]:
    """The day's practice: up to ``size`` mistakes whose refs are ``due`` (ref -> the day it fell
    due, see :func:`lms.core.refresh.due`), the most overdue first, then the most-missed and most
    recent; ties broken by a hash of the learner and the day, so the set is stable for a day and
    changes from one day to the next."""

    def shuffle(m: Mistake) -> str:
        return hashlib.sha256(f"{user_id}:{day.isoformat()}:{m.ref}".encode()).hexdigest()

    waiting = [m for m in mistakes if m.ref in due]
    waiting.sort(key=lambda m: (due[m.ref], -m.times, -m.last.timestamp(), shuffle(m)))
    return waiting[:size]


def streak(days: Iterable[dt.date], today: dt.date) -> int:
    """Consecutive days with practice done, ending today, or yesterday when today is still open."""
    done = set(days)
    day = today if today in done else today - dt.timedelta(days=1)
    count = 0
    while day in done:
        count += 1
        day -= dt.timedelta(days=1)
    return count
