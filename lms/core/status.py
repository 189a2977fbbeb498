"""One definition of status: of an activity, of a course, and of a best score.

Every page and export that shows a status takes it from here: the learner's course page,
the trainer's dashboard and learner record, the HR report, its exports and the compliance
matrix, the JSON API and the xAPI statements. Python code calls :func:`activity_status`
and :func:`course_status`; SQL is built from the same tables by
:mod:`lms.services.status` (``COURSE_RULES`` is read by both, so they cannot disagree).

**An activity** (one learner, one activity of a course):

- ``not_started``: never opened;
- ``in_progress``: opened, no result yet (a quiz attempt open, a role-play unfinished);
- ``awaiting_review``: handed in, and the result waits for a trainer's review;
- ``failed``: a graded activity whose best result in this cycle does not pass;
- ``passed``: a graded activity whose best result in this cycle passes;
- ``completed``: an activity done by doing it (a lesson read).

**A course** (one learner, one course), the first rule that holds:

1. ``expired``: the latest certificate of the course (not revoked) has expired and the
   course was not completed again since (the learner must recertify);
2. ``completed``: the course's requirements were met (its completion date is set);
3. ``overdue``: the earliest due date of the live assignments has passed;
4. ``in_progress``: any activity was opened;
5. ``not_started``: otherwise (assigned only, or an edition chosen without opening anything).

**Best score** of a quiz: the highest percent of the learner's graded attempts in the
current cycle. **A course's score**: the mean of the best scores of the quizzes the learner
attempted (one decimal); none when no quiz was attempted.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
AWAITING_REVIEW = "awaiting_review"
FAILED = "failed"
PASSED = "passed"
COMPLETED = "completed"
OVERDUE = "overdue"
EXPIRED = "expired"

ACTIVITY_STATUSES: tuple[str, ...] = (NOT_STARTED, IN_PROGRESS, AWAITING_REVIEW, FAILED, PASSED, COMPLETED)
COURSE_STATUSES: tuple[str, ...] = (NOT_STARTED, IN_PROGRESS, COMPLETED, OVERDUE, EXPIRED)
#: "sort by status" puts who needs attention first
COURSE_STATUS_ORDER: dict[str, int] = {EXPIRED: 0, OVERDUE: 1, NOT_STARTED: 2, IN_PROGRESS: 3, COMPLETED: 4}

#: what a progress row (``ActivityProgress.status``) records
STARTED, REVIEW, DONE = "started", "awaiting_review", "completed"

#: which activity statuses meet each completion rule of course.md
RULES: dict[str, frozenset[str]] = {
    "all": frozenset({COMPLETED, PASSED}),
    "passed": frozenset({PASSED}),
    "attempted": frozenset({PASSED, FAILED, AWAITING_REVIEW}),
    "finished": frozenset({PASSED, FAILED, AWAITING_REVIEW}),
    "submitted": frozenset({PASSED, FAILED, AWAITING_REVIEW}),
}
NOT_COUNTED = "none"


def activity_status(progress: str | None, passed: bool | None, graded: bool) -> str:
    """The status of one activity from its progress row (None: no row)."""
    if progress is None:
        return NOT_STARTED
    if progress == REVIEW:
        return AWAITING_REVIEW
    if progress != DONE:
        return IN_PROGRESS
    if not graded:
        return COMPLETED
    return PASSED if passed else FAILED


def requirement_met(status: str, rule: str) -> bool:
    """Whether an activity in ``status`` meets its completion ``rule`` (``none``: it does not count)."""
    return status in RULES.get(rule, frozenset())


@dataclass(frozen=True)
class CourseFacts:
    """What decides a course's status for one learner."""

    completed: bool = False
    expired: bool = False
    overdue: bool = False
    started: bool = False


#: (status, the facts that must hold): the first rule that holds decides; else not started
COURSE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (EXPIRED, ("expired",)),
    (COMPLETED, ("completed",)),
    (OVERDUE, ("overdue",)),
    (IN_PROGRESS, ("started",)),
)


def course_status(facts: CourseFacts) -> str:
    """The course's status (see the module's rules)."""
    for status, needed in COURSE_RULES:
        if all(getattr(facts, name) for name in needed):
            return status
    return NOT_STARTED


def best_score(percents: Iterable[float | None]) -> float | None:
    """A quiz's best score: the highest of the graded attempts' percents."""
    graded = [float(p) for p in percents if p is not None]
    return max(graded) if graded else None


def course_score(best_per_quiz: Mapping[str, float | None] | Iterable[float | None]) -> float | None:
    """The course's score: the mean best score of the quizzes attempted, to one decimal."""
    values = best_per_quiz.values() if isinstance(best_per_quiz, Mapping) else best_per_quiz
    scores = [float(v) for v in values if v is not None]
    return round(sum(scores) / len(scores), 1) if scores else None
