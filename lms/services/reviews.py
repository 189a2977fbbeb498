"""Reviewing free-text answers: who may see which, releasing a result, applying it.

A trainer sees (and releases) the reviews of the learners in the groups they
train, in the courses assigned through those groups or by the trainer
(:func:`lms.services.groups.oversees`); an admin sees all. Nobody reviews their
own answers. Releasing is final: it stores the ticked rubric items, the points
and the comment, then recomputes the quiz attempt or scenario run the answer
belongs to, the learner's activity progress and the course completion.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from ..activities import base as kinds
from ..models import (
    ActivityContent,
    Course,
    CourseVersion,
    Review,
    User,
    utcnow,
)
from . import groups
from .learning import pick_language

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
    return session.scalar(_pending_statement(user.roles), {"viewer_id": user.id}) or 0


@functools.lru_cache(maxsize=32)
def _pending_statement(roles: str) -> Select:
    """:func:`pending_count`'s statement for anyone with ``roles``, the person's id bound when it
    runs: every page shows the badge, and building the statement cost more than running it."""
    viewer = User(roles=roles)  # transient, never added to a session: only its roles and id are read
    viewer.id = bindparam("viewer_id", type_=Integer)
    return select(func.count(Review.id)).where(Review.status == PENDING, visible_condition(viewer))


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
    manifests: dict[int, dict[str, Any]] = dict(session.execute(select(CourseVersion.id, CourseVersion.manifest)
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


def released_for(session: Session, kind: str, source_id: int) -> list[Review]:
    """The released reviews of one piece of work (a quiz attempt, a run, a submission), in order."""
    return list(session.scalars(select(Review).where(
        Review.kind == kind, Review.source_id == source_id, Review.status == RELEASED)
        .order_by(Review.created_at, Review.id)))


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
            points: Decimal | float | str | None = None, comment: str = "",
            cache: MutableMapping[tuple, Any] | None = None) -> bool:
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
    # Session.execute is typed Result; an UPDATE without RETURNING gives a CursorResult (SQLAlchemy's advice: cast)
    claimed = cast(CursorResult[Any], session.execute(
        update(Review).where(Review.id == review.id, Review.status == PENDING)
        .values(status=RELEASED, marks=marks, points=float(score), comment=(comment or "").strip(),
                reviewer_id=reviewer.id, reviewed_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )).rowcount
    if not claimed:
        session.refresh(review)
        return False
    apply_result(session, review, cache)
    session.flush()
    return True


def apply_result(session: Session, review: Review, cache: MutableMapping[tuple, Any] | None = None) -> None:
    """Let the review's activity kind recompute what the released result changes."""
    kind = kinds.get(review.kind)
    if kind is not None:
        kind.apply_review(session, review, cache)


# --------------------------------------------------------------------------
# Item analysis
# --------------------------------------------------------------------------

def course_analysis(session: Session, version: CourseVersion, language: str,
                    cache: MutableMapping[tuple, Any] | None = None) -> list[kinds.AnalysisSection]:
    """Item analysis of a course version: one section per activity kind that has any."""
    edition_language = pick_language(version.manifest, language)
    contents = list(session.scalars(select(ActivityContent).where(
        ActivityContent.version_id == version.id, ActivityContent.language == edition_language)
        .order_by(ActivityContent.position)))
    sections = []
    for kind in kinds.kinds():
        section = kind.analysis(session, version, [c for c in contents if c.kind == kind.name], cache)
        if section is not None:
            sections.append(section)
    return sections
