"""Reviewing free-text answers: who may see which, releasing a result, applying it.

A trainer sees (and releases) the reviews of the learners in the groups they
train, in the courses assigned through those groups or by the trainer
(:func:`lms.services.groups.oversees`); an admin sees all. Nobody reviews their
own answers. Releasing is final: it stores the ticked rubric items, the points
and the comment, then recomputes the quiz attempt or scenario run the answer
belongs to, the learner's activity progress and the course completion.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.orm import Session

from ..core import item_analysis
from ..core import quiz as quiz_core
from ..models import (
    ActivityContent,
    ActivityProgress,
    Course,
    CourseVersion,
    Enrollment,
    QuizAttempt,
    Review,
    ScenarioChoice,
    ScenarioRun,
    User,
    utcnow,
)
from . import groups, quizzes, scenarios
from .learning import complete_activity, pick_language

PENDING, RELEASED = "pending", "released"
POINTS_STEP = Decimal("0.01")
#: the queue shows this many of the oldest pending answers at once
QUEUE_LIMIT = 200


class ReviewInvalid(ValueError):
    """Marks or points the trainer must correct; nothing was changed."""


# --------------------------------------------------------------------------
# Who sees what
# --------------------------------------------------------------------------

def visible_condition(user: User) -> ColumnElement[bool]:
    """The reviews ``user`` may open and release: not their own, and of results they
    oversee (:func:`lms.services.groups.oversees`; admins: all)."""
    return and_(Review.user_id != user.id, groups.oversees(user, Review.user_id, Review.course_id))


def pending_count(session: Session, user: User) -> int:
    """How many answers wait for ``user``'s review (one query, for the navigation badge)."""
    return session.scalar(select(func.count(Review.id)).where(
        Review.status == PENDING, visible_condition(user))) or 0


def get_visible(session: Session, user: User, review_id: int) -> Review | None:
    """The review if ``user`` may open it; None otherwise (answer 404, not 403: it hides that it exists)."""
    return session.scalar(select(Review).where(Review.id == review_id, visible_condition(user)))


@dataclass(frozen=True)
class Entry:
    """A review with the names a page shows beside it."""

    review: Review
    learner: str
    course_slug: str
    course_title: str
    activity_title: str

    @property
    def self_checked(self) -> list[str]:
        return [self.review.rubric[i]["label"] for i in self.review.self_check or ()
                if 0 <= i < len(self.review.rubric or ())]


def _entries(session: Session, rows: Sequence[tuple[Review, str, str]], language: str) -> list[Entry]:
    version_ids = {review.version_id for review, _, _ in rows}
    manifests = dict(session.execute(select(CourseVersion.id, CourseVersion.manifest)
                                     .where(CourseVersion.id.in_(version_ids))).all()) if version_ids else {}
    entries = []
    for review, learner, slug in rows:
        manifest = manifests[review.version_id]
        edition = manifest["editions"][pick_language(manifest, language)]
        titles = {a["key"]: a["title"] for m in edition["modules"] for a in m["activities"]}
        entries.append(Entry(review, learner, slug, edition["title"],
                             titles.get(review.activity_key, review.activity_key)))
    return entries


def _with_names(*conditions: Any):
    return (select(Review, User.name, Course.slug).join(User, User.id == Review.user_id)
            .join(Course, Course.id == Review.course_id).where(*conditions))


def queue(session: Session, user: User, language: str, limit: int = QUEUE_LIMIT) -> list[Entry]:
    """Pending answers ``user`` may review, oldest first."""
    rows = session.execute(_with_names(Review.status == PENDING, visible_condition(user))
                           .order_by(Review.created_at, Review.id).limit(limit)).all()
    return _entries(session, rows, language)


def entry(session: Session, review: Review, language: str) -> Entry:
    rows = session.execute(_with_names(Review.id == review.id)).all()
    return _entries(session, rows, language)[0]


def released_for_run(session: Session, run_id: int) -> list[Review]:
    """The released reviews of a scenario run, in the order they were written."""
    return list(session.scalars(select(Review).where(Review.run_id == run_id, Review.status == RELEASED)
                                .order_by(Review.created_at, Review.id)))


def released_for_attempt(session: Session, attempt_id: int) -> dict[str, Review]:
    """The released reviews of a quiz attempt by question id."""
    return {r.item_id: r for r in session.scalars(select(Review).where(
        Review.attempt_id == attempt_id, Review.status == RELEASED))}


# --------------------------------------------------------------------------
# Releasing
# --------------------------------------------------------------------------

def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def default_points(review: Review, marks: Iterable[int]) -> Decimal:
    """The points the ticked rubric items are worth.

    Scenario rubrics carry points per item: their sum. Quiz rubrics are plain
    checklists: the items share the question's points equally. Never more
    than ``max_points``.
    """
    rubric = review.rubric or []
    marks = sorted({i for i in marks if 0 <= i < len(rubric)})
    if not rubric:
        return Decimal(0)
    maximum = _decimal(review.max_points)
    if all(item.get("points") is not None for item in rubric):
        total = sum((_decimal(rubric[i]["points"]) for i in marks), Decimal(0))
    else:
        total = maximum * len(marks) / len(rubric)
    return min(maximum, total).quantize(POINTS_STEP, ROUND_HALF_UP)


def release(session: Session, review: Review, reviewer: User, marks: Iterable[int],
            points: Decimal | float | str | None = None, comment: str = "") -> bool:
    """Release a trainer's result and apply it; False (nothing changed) if it was already released.

    ``points`` defaults to :func:`default_points` of ``marks``. Raises
    :class:`ReviewInvalid` for a rubric index or points out of range. The
    pending check and the write are one conditional UPDATE, so two trainers
    releasing at once cannot both win.
    """
    if review.status != PENDING:
        return False
    marks = sorted(set(marks))
    if any(not 0 <= i < len(review.rubric or []) for i in marks):
        raise ReviewInvalid("a ticked rubric item does not exist")
    try:
        score = default_points(review, marks) if points is None else _decimal(points)
    except InvalidOperation:
        raise ReviewInvalid("the points are not a number") from None
    if not score.is_finite() or not 0 <= score <= _decimal(review.max_points):
        raise ReviewInvalid("the points are out of range")
    score = score.quantize(POINTS_STEP, ROUND_HALF_UP)
    claimed = session.execute(
        update(Review).where(Review.id == review.id, Review.status == PENDING)
        .values(status=RELEASED, marks=marks, points=float(score), comment=(comment or "").strip(),
                reviewer_id=reviewer.id, reviewed_at=utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not claimed:
        session.refresh(review)
        return False
    apply_result(session, review)
    session.flush()
    return True


def apply_result(session: Session, review: Review) -> None:
    """Recompute what a released review changes: the run or attempt, the progress, the course."""
    if review.run_id is not None:
        _apply_to_run(session, session.get_one(ScenarioRun, review.run_id))
    elif review.attempt_id is not None:
        _apply_to_attempt(session, session.get_one(QuizAttempt, review.attempt_id))


def _content(session: Session, version_id: int, key: str, language: str | None) -> ActivityContent:
    """The activity as it was when the work was done, preferably in the learner's language."""
    return session.scalars(select(ActivityContent).where(
        ActivityContent.version_id == version_id, ActivityContent.key == key)
        .order_by((ActivityContent.language == (language or "")).desc(), ActivityContent.language)
    ).first()


def _apply_to_run(session: Session, run: ScenarioRun) -> None:
    if run.finished_at is None:
        return  # the run settles at its ending, where released points already count
    enrollment = session.get_one(Enrollment, run.enrollment_id)
    content = _content(session, run.version_id, run.activity_key, enrollment.language)
    summary = scenarios.run_summary(session, run, content)
    run.points = float(summary.points)
    run.passed = summary.passed
    session.flush()
    best = bool(session.scalar(select(func.count(ScenarioRun.id)).where(
        ScenarioRun.enrollment_id == enrollment.id, ScenarioRun.activity_key == run.activity_key,
        ScenarioRun.passed.is_(True))))
    _update_progress(session, enrollment, content, "run", run.number, score=float(summary.points), details={
        "passed": best, "outcome": summary.outcome, "points": float(summary.points), "run": run.number,
        "awaiting_review": list(summary.awaiting_review)})


def _apply_to_attempt(session: Session, attempt: QuizAttempt) -> None:
    if attempt.status == "open":
        return  # cannot happen: reviews are created at submission
    enrollment = session.get_one(Enrollment, attempt.enrollment_id)
    content = _content(session, attempt.version_id, attempt.activity_key, (attempt.plan or {}).get("language"))
    released = {item_id: quiz_core.Review(_decimal(points)) for item_id, points in session.execute(
        select(Review.item_id, Review.points).where(Review.attempt_id == attempt.id, Review.status == RELEASED))}
    result = quiz_core.finalize_with_review(quizzes.quiz_of(content), quizzes.plan_of(attempt),
                                            attempt.answers or {}, released)
    attempt.status = "awaiting_review" if result.pending else "submitted"
    attempt.percent = float(result.percent)
    attempt.passed = result.passed
    attempt.result = result.to_dict()
    session.flush()
    best = bool(session.scalar(select(func.count(QuizAttempt.id)).where(
        QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.activity_key == attempt.activity_key,
        QuizAttempt.passed.is_(True))))
    _update_progress(session, enrollment, content, "attempt", attempt.number, score=float(result.percent), details={
        "passed": best, "percent": float(result.percent), "attempt": attempt.number,
        "awaiting_review": list(result.pending)})


def _update_progress(session: Session, enrollment: Enrollment, content: ActivityContent, number_key: str,
                     number: int, score: float, details: dict[str, Any]) -> None:
    """Record the activity's result (passed = best over all runs or attempts).

    The progress describes the learner's latest run or attempt; reviewing an
    earlier one only changes whether the activity is passed.
    """
    progress = session.scalar(select(ActivityProgress).where(
        ActivityProgress.enrollment_id == enrollment.id, ActivityProgress.activity_key == content.key))
    current = progress.result if progress is not None and isinstance(progress.result, dict) else None
    if current is not None and current.get(number_key) not in (None, number):
        details, score = {**current, "passed": details["passed"]}, progress.score
    version = session.get_one(CourseVersion, enrollment.version_id)
    # complete_activity also moves the learner's "Continue" here; a trainer's review must not
    last_key = enrollment.last_key
    complete_activity(session, enrollment, content, version, result=details, score=score)
    enrollment.last_key = last_key


# --------------------------------------------------------------------------
# Item analysis
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class QuizAnalysis:
    key: str
    title: str
    attempts: int
    questions: list[item_analysis.QuestionStats]


@dataclass(frozen=True)
class ScenarioAnalysis:
    key: str
    title: str
    runs: int
    steps: list[item_analysis.StepStats]


def course_analysis(session: Session, version: CourseVersion, language: str
                    ) -> tuple[list[QuizAnalysis], list[ScenarioAnalysis]]:
    """Item analysis of every quiz and scenario of a course version.

    Quizzes count submitted attempts only (not those still awaiting review);
    scenarios count every reply chosen in a run on this version.
    """
    edition_language = pick_language(version.manifest, language)
    contents = list(session.scalars(select(ActivityContent).where(
        ActivityContent.version_id == version.id, ActivityContent.language == edition_language,
        ActivityContent.kind.in_(("quiz", "scenario"))).order_by(ActivityContent.position)))
    quiz_keys = [c.key for c in contents if c.kind == "quiz"]
    scenario_keys = [c.key for c in contents if c.kind == "scenario"]

    attempts: dict[str, list[item_analysis.AttemptRecord]] = defaultdict(list)
    if quiz_keys:
        for key, result, answers in session.execute(
            select(QuizAttempt.activity_key, QuizAttempt.result, QuizAttempt.answers).where(
                QuizAttempt.version_id == version.id, QuizAttempt.activity_key.in_(quiz_keys),
                QuizAttempt.status == "submitted").order_by(QuizAttempt.id)):
            attempts[key].append(item_analysis.AttemptRecord.from_result(result, answers))

    counts: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    runs: dict[str, int] = {}
    if scenario_keys:
        for key, step_id, reply_id, count in session.execute(
            select(ScenarioChoice.activity_key, ScenarioChoice.step_id, ScenarioChoice.reply_id,
                   func.count(ScenarioChoice.id))
            .where(ScenarioChoice.version_id == version.id, ScenarioChoice.activity_key.in_(scenario_keys))
            .group_by(ScenarioChoice.activity_key, ScenarioChoice.step_id, ScenarioChoice.reply_id)):
            counts[key][(step_id, reply_id)] = count
        runs = dict(session.execute(
            select(ScenarioRun.activity_key, func.count(ScenarioRun.id))
            .where(ScenarioRun.version_id == version.id, ScenarioRun.activity_key.in_(scenario_keys))
            .group_by(ScenarioRun.activity_key)).all())

    quiz_stats = [QuizAnalysis(c.key, c.title, len(attempts[c.key]),
                               item_analysis.analyse_quiz(quizzes.quiz_of(c), attempts[c.key]))
                  for c in contents if c.kind == "quiz"]
    scenario_stats = [ScenarioAnalysis(c.key, c.title, runs.get(c.key, 0),
                                       item_analysis.analyse_scenario(scenarios.scenario_of(c), counts[c.key]))
                      for c in contents if c.kind == "scenario"]
    return quiz_stats, scenario_stats
