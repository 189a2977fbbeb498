"""The learner's path: what they may open, their enrollments and progress."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..core import activities
from ..core.completion import ActivityState, CourseProgress, course_progress
from ..models import (
    ActivityContent,
    ActivityProgress,
    Assignment,
    Course,
    CourseVersion,
    Enrollment,
    GroupMember,
    User,
    utcnow,
)
from ..state import state


@dataclass
class CourseCard:
    course: Course
    version: CourseVersion
    language: str
    title: str
    summary: str
    due: dt.date | None
    assigned: bool
    progress: CourseProgress

    @property
    def overdue(self) -> bool:
        return self.due is not None and not self.progress.completed and dt.date.today() > self.due


def pick_language(manifest: dict[str, Any], *preferred: str | None) -> str:
    languages = manifest["editions"]
    for language in preferred:
        if language in languages:
            return language
    return manifest["default_language"]


def user_group_ids(session: Session, user: User) -> list[int]:
    return list(session.scalars(select(GroupMember.group_id).where(GroupMember.user_id == user.id)))


def due_dates(session: Session, user: User) -> dict[int, dt.date | None]:
    """Courses assigned to ``user`` (directly or through a group) and the earliest due date."""
    groups = user_group_ids(session, user)
    condition = Assignment.user_id == user.id
    if groups:
        condition = or_(condition, Assignment.group_id.in_(groups))
    result: dict[int, dt.date | None] = {}
    for course_id, due in session.execute(
        select(Assignment.course_id, Assignment.due_date).where(condition, Assignment.removed_at.is_(None))
    ):
        if course_id not in result:
            result[course_id] = due
        elif due is not None and (result[course_id] is None or due < result[course_id]):
            result[course_id] = due
    return result


def activity_states(session: Session, enrollment_ids: list[int]) -> dict[int, dict[str, ActivityState]]:
    states: dict[int, dict[str, ActivityState]] = {i: {} for i in enrollment_ids}
    if not enrollment_ids:
        return states
    rows = session.execute(
        select(ActivityProgress.enrollment_id, ActivityProgress.activity_key, ActivityProgress.status,
               ActivityProgress.result)
        .where(ActivityProgress.enrollment_id.in_(enrollment_ids))
    )
    for enrollment_id, key, status, result in rows:
        passed = (result or {}).get("passed") if isinstance(result, dict) else None
        states[enrollment_id][key] = ActivityState(status, passed)
    return states


def my_training(session: Session, user: User, ui_language: str, open_catalogue: bool) -> tuple[list[CourseCard], list[CourseCard]]:
    """Assigned (or started) courses, and the rest of the catalogue."""
    dues = due_dates(session, user)
    rows = session.execute(
        select(Course, CourseVersion).join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(Course.archived.is_(False)).order_by(Course.slug)
    ).all()
    enrollments = {e.course_id: e for e in session.scalars(select(Enrollment).where(Enrollment.user_id == user.id))}
    states = activity_states(session, [e.id for e in enrollments.values()])
    mine, others = [], []
    today = dt.date.today()
    for course, version in rows:
        enrollment = enrollments.get(course.id)
        assigned = course.id in dues
        if not (assigned or enrollment or open_catalogue):
            continue
        manifest = version.manifest
        language = pick_language(manifest, enrollment.language if enrollment else None, ui_language)
        edition = manifest["editions"][language]
        progress = course_progress(
            edition, manifest["completion"], states.get(enrollment.id, {}) if enrollment else {},
            enrollment.last_key if enrollment else None, dues.get(course.id), today,
        )
        card = CourseCard(course, version, language, edition["title"], edition["summary"], dues.get(course.id),
                          assigned, progress)
        (mine if assigned or enrollment else others).append(card)
    mine.sort(key=lambda c: (c.progress.completed, c.due or dt.date.max, c.title))
    return mine, others


def accessible_course(session: Session, user: User, slug: str, open_catalogue: bool) -> tuple[Course, CourseVersion] | None:
    """The course and its published version, if ``user`` may take it; else None (answer 404)."""
    row = session.execute(
        select(Course, CourseVersion).join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(Course.slug == slug, Course.archived.is_(False))
    ).first()
    if row is None:
        return None
    course, version = row
    if open_catalogue or user.has_role("trainer", "hr"):
        return course, version
    if course.id in due_dates(session, user):
        return course, version
    if session.scalar(select(Enrollment.id).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)):
        return course, version
    return None


def get_enrollment(session: Session, user: User, course: Course) -> Enrollment | None:
    return session.scalar(select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id))


def ensure_enrollment(session: Session, user: User, course: Course, version: CourseVersion, language: str) -> Enrollment:
    """The learner's enrollment, created on first use and moved to the published version.

    Moving to a new version keeps every progress row pinned to the version it
    was made on; new work is recorded against the new version.
    """
    enrollment = get_enrollment(session, user, course)
    if enrollment is None:
        enrollment = Enrollment(user_id=user.id, course_id=course.id, version_id=version.id, language=language)
        session.add(enrollment)
        session.flush()
    elif enrollment.version_id != version.id:
        enrollment.version_id = version.id
    return enrollment


def progress_of(session: Session, enrollment: Enrollment | None, manifest: dict[str, Any], language: str,
                due: dt.date | None = None) -> CourseProgress:
    states = activity_states(session, [enrollment.id])[enrollment.id] if enrollment else {}
    return course_progress(manifest["editions"][language], manifest["completion"], states,
                           enrollment.last_key if enrollment else None, due, dt.date.today())


def load_activity(session: Session, version: CourseVersion, language: str, key: str) -> ActivityContent | None:
    return session.scalar(select(ActivityContent).where(
        ActivityContent.version_id == version.id, ActivityContent.language == language, ActivityContent.key == key))


_PARSED: dict[tuple, Any] = {}


def parsed(content: ActivityContent, build: Callable[[dict[str, Any]], Any]) -> Any:
    """The parsed form (Quiz, Scenario) of a content row; content is immutable, so it is
    cached, per app: two apps in one process (or a database emptied and filled again)
    may hold different content under the same row id."""
    try:
        cache = state().parsed
    except RuntimeError:  # outside an app (a script): one cache for the process
        cache = _PARSED
    key = (content.kind, content.id, content.version_id, content.key, content.language)
    found = cache.get(key)
    if found is None:
        if len(cache) > 1024:
            cache.clear()
        found = cache[key] = build(content.data)
    return found


def content_at(session: Session, content: ActivityContent, version_id: int, language: str | None = None
               ) -> ActivityContent:
    """``content`` as it was in version ``version_id``: work started on an older version
    (a quiz attempt, a scenario run) finishes on that version whatever was published since."""
    if version_id == content.version_id:
        return content
    return session.scalar(select(ActivityContent).where(
        ActivityContent.version_id == version_id, ActivityContent.key == content.key,
        ActivityContent.language == (language or content.language))) or content


def record_visit(session: Session, enrollment: Enrollment, key: str, version: CourseVersion) -> ActivityProgress:
    """Opening an activity: remember it for "Continue" and mark it started."""
    enrollment.last_key = key
    progress = session.scalar(select(ActivityProgress).where(
        ActivityProgress.enrollment_id == enrollment.id, ActivityProgress.activity_key == key))
    if progress is None:
        progress = ActivityProgress(enrollment_id=enrollment.id, activity_key=key, version_id=version.id,
                                    status="started")
        session.add(progress)
    session.flush()
    return progress


def complete_activity(session: Session, enrollment: Enrollment, activity: ActivityContent,
                      version: CourseVersion, result: dict[str, Any] | None = None,
                      score: float | None = None) -> ActivityProgress:
    """Mark an activity done; a lesson once read stays read (idempotent)."""
    progress = record_visit(session, enrollment, activity.key, version)
    activity_type = activities.get(activity.kind)
    if progress.status != "completed" or result is not None:
        progress.status = "completed"
        progress.completed_at = progress.completed_at or utcnow()
        progress.version_id = version.id
        if result is not None:
            passed = activity_type.passed(activity.data, result) if activity_type else False
            progress.result = {**result, "passed": passed}
            progress.score = score
    update_course_completion(session, enrollment, version)
    session.flush()
    return progress


def update_course_completion(session: Session, enrollment: Enrollment, version: CourseVersion) -> bool:
    """Set the enrollment's completion date once every required activity is done.

    A complete course also issues its certificate when the course's rule is met
    (once per cycle; see :mod:`lms.services.certificates`).
    """
    session.flush()
    progress = progress_of(session, enrollment, version.manifest, pick_language(version.manifest, enrollment.language))
    if progress.completed and enrollment.completed_at is None:
        enrollment.completed_at = utcnow()
        enrollment.completed_version_id = version.id
    if progress.completed:
        from . import certificates

        certificates.issue_if_earned(session, enrollment, version, completed=True)
    return progress.completed
