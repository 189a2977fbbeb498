"""The learner's path: what they may open, their enrollments and progress."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import and_, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..core import activities as content_kinds
from ..core import status as status_rules
from ..core.completion import CourseProgress, course_progress
from ..models import ActivityContent, ActivityProgress, Course, CourseVersion, Enrollment, User, utcnow
from . import certificates, status

_Row = TypeVar("_Row")


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
    #: the course's status (:mod:`lms.core.status`)
    status: str

    @property
    def overdue(self) -> bool:
        return self.status == status_rules.OVERDUE


def pick_language(manifest: dict[str, Any], *preferred: str | None) -> str:
    languages = manifest["editions"]
    for language in preferred:
        if language is not None and language in languages:
            return language
    return manifest["default_language"]


def follow_interface_language(session: Session, user: User, language: str) -> int:
    """The learner changed the interface language: each course they are enrolled in that has an
    edition in ``language`` switches to it, so the content matches the interface (a course without
    that edition keeps the one they chose). Progress is kept per course, so nothing is lost.
    Returns how many enrollments switched."""
    rows = session.execute(
        select(Enrollment, CourseVersion.manifest)
        .join(CourseVersion, CourseVersion.id == Enrollment.version_id)
        .where(Enrollment.user_id == user.id, Enrollment.language != language))
    switched = 0
    for enrollment, manifest in rows:
        if language in (manifest or {}).get("editions", {}):
            enrollment.language = language
            switched += 1
    return switched


def due_dates(session: Session, user: User) -> dict[int, dt.date | None]:
    """Courses assigned to ``user`` (directly or through a group they are a member of) and
    the earliest due date (:func:`lms.services.status.assigned_pairs`)."""
    assigned = status.assigned_pairs([user.id])
    return {course_id: due for _user, course_id, _at, due in session.execute(select(assigned))}


def graded_keys(manifest: dict[str, Any], language: str) -> dict[str, bool]:
    """Whether each activity of the edition is graded (its kind decides)."""
    edition = manifest["editions"][pick_language(manifest, language)]
    graded = {}
    for module in edition["modules"]:
        for activity in module["activities"]:
            kind = content_kinds.get(activity["kind"])
            graded[activity["key"]] = bool(kind and kind.graded)
    return graded


def progress_rows(session: Session, enrollment_ids: list[int]) -> dict[int, list[tuple[str, str, bool | None]]]:
    """(key, progress status, passed) of every activity opened, per enrollment."""
    rows: dict[int, list[tuple[str, str, bool | None]]] = {i: [] for i in enrollment_ids}
    if enrollment_ids:
        for enrollment_id, key, progress, passed in session.execute(
                select(ActivityProgress.enrollment_id, ActivityProgress.activity_key, ActivityProgress.status,
                       ActivityProgress.passed).where(ActivityProgress.enrollment_id.in_(enrollment_ids))):
            rows[enrollment_id].append((key, progress, passed))
    return rows


def statuses_of(rows: list[tuple[str, str, bool | None]], manifest: dict[str, Any], language: str) -> dict[str, str]:
    """Each activity's status (:func:`lms.core.status.activity_status`) from its progress row."""
    return status.activity_statuses(rows, graded_keys(manifest, language))


def my_training(session: Session, user: User, ui_language: str, open_catalogue: bool) -> tuple[list[CourseCard], list[CourseCard]]:
    """Assigned (or started) courses, and the rest of the catalogue."""
    dues = due_dates(session, user)
    rows = session.execute(
        select(Course, CourseVersion).join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(Course.archived.is_(False)).order_by(Course.slug)
    ).all()
    enrollments = {e.course_id: e for e in session.scalars(select(Enrollment).where(Enrollment.user_id == user.id))}
    opened = progress_rows(session, [e.id for e in enrollments.values()])
    mine_ids = [course.id for course, _ in rows if course.id in dues or course.id in enrollments]
    course_status = status.course_statuses(session, [(user.id, course_id) for course_id in mine_ids])
    mine: list[CourseCard] = []
    others: list[CourseCard] = []
    for course, version in rows:
        enrollment = enrollments.get(course.id)
        assigned = course.id in dues
        if not (assigned or enrollment or open_catalogue):
            continue
        manifest = version.manifest
        language = pick_language(manifest, enrollment.language if enrollment else None, ui_language)
        edition = manifest["editions"][language]
        statuses = statuses_of(opened[enrollment.id], manifest, language) if enrollment else {}
        progress = course_progress(edition, manifest["completion"], statuses)
        card = CourseCard(course, version, language, edition["title"], edition["summary"], dues.get(course.id),
                          assigned, progress, course_status.get((user.id, course.id), status_rules.NOT_STARTED))
        (mine if assigned or enrollment else others).append(card)
    mine.sort(key=lambda c: (c.status == status_rules.COMPLETED, c.due or dt.date.max, c.title))
    return mine, others


def accessible_course(session: Session, user: User, slug: str, open_catalogue: bool,
                      cache: MutableMapping[tuple, Any] | None = None
                      ) -> tuple[Course, CourseVersion, Enrollment | None] | None:
    """The course, its published version and ``user``'s enrollment in it (None before the first
    activity), if ``user`` may take it; else None (answer 404). One query: the version, which
    never changes, comes from ``cache`` (see :func:`immutable_row`) once it has been read."""
    row = session.execute(
        select(Course, CourseVersion.content_hash, Enrollment)
        .join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .outerjoin(Enrollment, and_(Enrollment.course_id == Course.id, Enrollment.user_id == user.id))
        .where(Course.slug == slug, Course.archived.is_(False))
    ).first()
    if row is None:
        return None
    course, content_hash, enrollment = row
    version_id = course.published_version_id
    version = immutable_row(session, cache, ("version", version_id, content_hash),
                            lambda: session.get(CourseVersion, version_id))
    if version is None:
        return None
    if open_catalogue or user.has_role("trainer", "hr") or enrollment is not None \
            or course.id in due_dates(session, user):
        return course, version, enrollment
    return None


def get_enrollment(session: Session, user: User, course: Course) -> Enrollment | None:
    return session.scalar(select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id))


def ensure_enrollment(session: Session, user: User, course: Course, version: CourseVersion, language: str,
                      *, found: Enrollment | None = None, looked_up: bool = False) -> Enrollment:
    """The learner's enrollment, created on first use and moved to the published version.

    Moving to a new version keeps every progress row pinned to the version it
    was made on; new work is recorded against the new version. A caller that has just read
    the enrollment (``found``, even None, with ``looked_up=True``) saves the second lookup.
    """
    enrollment = found if looked_up else get_enrollment(session, user, course)
    if enrollment is None:
        enrollment = Enrollment(user_id=user.id, course_id=course.id, version_id=version.id, language=language)
        session.add(enrollment)
        session.flush()
    elif enrollment.version_id != version.id:
        enrollment.version_id = version.id
    return enrollment


def progress_of(session: Session, enrollment: Enrollment | None, manifest: dict[str, Any], language: str
                ) -> CourseProgress:
    """The learner's progress through one edition (each activity's status, the modules, Continue)."""
    rows = progress_rows(session, [enrollment.id])[enrollment.id] if enrollment else []
    return course_progress(manifest["editions"][language], manifest["completion"],
                           statuses_of(rows, manifest, language))


def load_activity(session: Session, version: CourseVersion, language: str, key: str,
                  cache: MutableMapping[tuple, Any] | None = None) -> ActivityContent | None:
    """An activity of ``version`` in ``language``; rows of a version never change, so they come
    from ``cache`` once read (see :func:`immutable_row`)."""
    return immutable_row(session, cache, ("activity", version.id, version.content_hash, language, key),
                         lambda: session.scalar(select(ActivityContent).where(
                             ActivityContent.version_id == version.id, ActivityContent.language == language,
                             ActivityContent.key == key)))


def immutable_row(session: Session, cache: MutableMapping[tuple, Any] | None, key: tuple,
                  load: Callable[[], _Row | None]) -> _Row | None:
    """A row that never changes once written (a course version, an activity's content), kept in
    ``cache`` (the app's, ``LMSState.rows``) as a detached copy after its first ``load``.

    Later requests get it merged into their session without a query (``merge(load=False)``:
    each session has its own instance, so nothing is shared between threads or requests). The
    key carries the version's content hash, so a reused row id can never bring back other content.
    """
    if cache is None:
        return load()
    found = cache.get(key)
    if found is not None:
        return session.merge(found, load=False)
    row = load()
    if row is None:
        return None
    mapper = inspect(type(row))
    copy = mapper.class_manager.new_instance()
    for column in mapper.column_attrs:
        set_committed_value(copy, column.key, getattr(row, column.key))
    make_transient_to_detached(copy)
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[key] = copy
    return row


#: how many parsed activities a cache keeps before it starts again
CACHE_SIZE = 1024


def parsed(content: ActivityContent, build: Callable[[dict[str, Any]], Any],
           cache: MutableMapping[tuple, Any] | None = None) -> Any:
    """The parsed form (a Quiz, a Scenario) of a content row.

    Content is immutable, so the caller may hand in a ``cache`` (the app keeps one per
    app, ``LMSState.parsed``: two apps in one process may hold different content under
    the same row id); without one the row is parsed again.
    """
    if cache is None:
        return build(content.data)
    key = (content.kind, content.id, content.version_id, content.key, content.language)
    found = cache.get(key)
    if found is None:
        if len(cache) > CACHE_SIZE:
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
                                    status=status_rules.STARTED)
        session.add(progress)
    session.flush()
    return progress


def complete_activity(session: Session, enrollment: Enrollment, activity: ActivityContent,
                      version: CourseVersion, result: dict[str, Any] | None = None,
                      score: float | None = None, awaiting_review: bool = False) -> ActivityProgress:
    """Record an activity's outcome: done by doing it (a lesson, once read stays read), or a
    result (``result["passed"]`` is the kind's verdict on the best work of this cycle);
    ``awaiting_review`` when the result is not final until a trainer releases it."""
    progress = record_visit(session, enrollment, activity.key, version)
    if result is None:
        if progress.status != status_rules.DONE:
            progress.status = status_rules.DONE
            progress.completed_at = progress.completed_at or utcnow()
            progress.version_id = version.id
    else:
        progress.status = status_rules.REVIEW if awaiting_review else status_rules.DONE
        progress.completed_at = progress.completed_at or utcnow()
        progress.version_id = version.id
        progress.result = {**result, "passed": bool(result.get("passed"))}
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
    if progress.requirements_met and enrollment.completed_at is None:
        enrollment.completed_at = utcnow()
        enrollment.completed_version_id = version.id
    if progress.requirements_met:
        certificates.issue_if_earned(session, enrollment, version, completed=True)
    return progress.requirements_met


def mark_passed(session: Session, enrollment: Enrollment, activity: ActivityContent, version: CourseVersion,
                passed: bool) -> None:
    """Change only whether an activity is passed (a review of earlier work was released):
    the progress keeps describing the learner's latest work."""
    progress = session.scalar(select(ActivityProgress).where(
        ActivityProgress.enrollment_id == enrollment.id, ActivityProgress.activity_key == activity.key))
    if progress is None or not isinstance(progress.result, dict):
        return
    progress.result = {**progress.result, "passed": passed}
    if passed and progress.status == status_rules.REVIEW:
        progress.status = status_rules.DONE
    update_course_completion(session, enrollment, version)
    session.flush()
