"""Handing in a task and reviewing it: functions take a session and plain values and flush.

Attached files are written under a folder the caller names (the app's task-files folder);
:func:`submit` returns the paths it wrote so the view can remove them if its commit fails,
and nothing is half-written.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ...core import xapi
from ...models import ActivityContent, CourseVersion, Enrollment, Review, User, utcnow
from ...services import learning
from ...services import xapi as records
from ...services.certificates import cycle_started_at
from ...services.groups import oversees
from . import files as file_rules
from .content import passes
from .models import TaskFile, TaskSubmission

KIND = "task"
#: the longest text a learner may hand in
MAX_TEXT = 10_000
XAPI_TYPE = "http://adlnet.gov/expapi/activities/performance"


class TaskRefused(ValueError):
    """What the learner must fix before handing in (nothing was written); ``code`` names it."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def submissions(session: Session, enrollment: Enrollment, key: str) -> list[TaskSubmission]:
    return list(session.scalars(select(TaskSubmission).where(
        TaskSubmission.enrollment_id == enrollment.id, TaskSubmission.activity_key == key)
        .order_by(TaskSubmission.number)))


def may_submit(history: list[TaskSubmission]) -> bool:
    """A learner hands in again only after a trainer returned the last hand-in (not passed)."""
    return not history or history[-1].status == "failed"


def submit(session: Session, enrollment: Enrollment, content: ActivityContent, version: CourseVersion,
           course_id: int, text: str, uploads: list[Upload], folder: Path, max_file_bytes: int) -> list[Path]:
    """Hand in the task: the text, the files, a review for the trainers; returns the files written.

    Raises :class:`TaskRefused` before writing anything when the hand-in is not acceptable.
    """
    history = submissions(session, enrollment, content.key)
    if not may_submit(history):
        raise TaskRefused("task-waiting")
    text = (text or "").strip()
    uploads = [u for u in uploads if u.name or u.data]
    if not text and not uploads:
        raise TaskRefused("task-empty")
    if len(text) > MAX_TEXT:
        raise TaskRefused("task-text-too-long", max=MAX_TEXT)
    allowed = int(content.data.get("files", 0))
    if len(uploads) > allowed:
        raise TaskRefused("task-too-many-files", max=allowed)
    for upload in uploads:
        if len(upload.data) > max_file_bytes:
            raise TaskRefused("task-file-too-large", name=file_rules.display_name(upload.name),
                              max=round(max_file_bytes / 1_000_000, 1))
        if not file_rules.accepted(upload.name, upload.data):
            raise TaskRefused("task-file-type", name=file_rules.display_name(upload.name))
    submission = TaskSubmission(enrollment_id=enrollment.id, user_id=enrollment.user_id, activity_key=content.key,
                                version_id=version.id, number=len(history) + 1, text=text)
    session.add(submission)
    session.flush()
    written: list[Path] = []
    directory = folder / str(submission.id)
    try:
        for index, upload in enumerate(uploads, start=1):
            extension = file_rules.extension_of(upload.name)
            stored = file_rules.stored_name(index, upload.data, upload.name)
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / stored
            path.write_bytes(upload.data)
            written.append(path)
            submission.files.append(TaskFile(name=file_rules.display_name(upload.name), stored=stored,
                                             content_type=file_rules.FILE_TYPES[extension], size=len(upload.data)))
        rubric = list(content.data.get("rubric") or [])
        session.add(Review(kind=KIND, user_id=enrollment.user_id, course_id=course_id, activity_key=content.key,
                           version_id=version.id, source_id=submission.id, item_id=content.key, prompt=content.title,
                           answer=text, rubric=rubric, max_points=float(content.data.get("max_points", 1))))
        _record(session, enrollment, content, version, submission)
    except Exception:
        remove(written)
        raise
    return written


def remove(paths: list[Path]) -> None:
    """Delete files written for a hand-in that was not committed."""
    for path in paths:
        path.unlink(missing_ok=True)
        try:
            path.parent.rmdir()
        except OSError:
            pass


def passed_in_cycle(session: Session, enrollment: Enrollment, key: str) -> bool:
    """Whether a hand-in of the task passed in the learner's current certification cycle."""
    query = select(func.count(TaskSubmission.id)).where(
        TaskSubmission.enrollment_id == enrollment.id, TaskSubmission.activity_key == key,
        TaskSubmission.status == "passed")
    since = cycle_started_at(session, enrollment.user_id, enrollment.course_id)
    if since is not None:
        query = query.where(TaskSubmission.submitted_at >= since)
    return bool(session.scalar(query))


def _record(session: Session, enrollment: Enrollment, content: ActivityContent, version: CourseVersion,
            submission: TaskSubmission) -> None:
    session.flush()
    passed = passed_in_cycle(session, enrollment, content.key)
    learning.complete_activity(
        session, enrollment, content, version,
        result={"passed": passed, "submission": submission.number, "status": submission.status,
                "points": submission.points},
        score=submission.points, awaiting_review=submission.status == "submitted" and not passed)


def apply_review(session: Session, submission: TaskSubmission, content: ActivityContent, points: float) -> None:
    """The trainer released the result: the hand-in passes or is returned; the progress follows."""
    submission.points = points
    submission.status = "passed" if passes(points, content.data) else "failed"
    submission.reviewed_at = utcnow()
    enrollment = session.get_one(Enrollment, submission.enrollment_id)
    version = session.get_one(CourseVersion, enrollment.version_id)
    last_key = enrollment.last_key
    _record(session, enrollment, content, version, submission)
    enrollment.last_key = last_key


def visible_file(session: Session, viewer: User, file_id: int) -> TaskFile | None:
    """An attachment, if ``viewer`` handed it in or oversees the learner in that course."""
    return session.scalar(
        select(TaskFile).join(TaskSubmission, TaskSubmission.id == TaskFile.submission_id)
        .join(Enrollment, Enrollment.id == TaskSubmission.enrollment_id)
        .where(TaskFile.id == file_id,
               (TaskSubmission.user_id == viewer.id) | oversees(viewer, TaskSubmission.user_id, Enrollment.course_id)))


@dataclass(frozen=True)
class SubmissionRecord:
    """A hand-in in a learner's record."""

    title: str
    number: int
    status: str
    submitted_at: dt.datetime
    points: float | None
    max_points: float
    version: int
    files: tuple[tuple[int, str], ...]


def submission_records(session: Session, enrollments: Mapping[int, Enrollment], context: Any
                       ) -> Iterator[tuple[int, SubmissionRecord]]:
    rows = session.scalars(select(TaskSubmission).where(TaskSubmission.enrollment_id.in_(enrollments))
                           .options(selectinload(TaskSubmission.files))
                           .order_by(TaskSubmission.activity_key, TaskSubmission.number))
    for row in rows:
        title, _module, number = context.describe(row.enrollment_id, row.version_id, row.activity_key)
        content = context.content(row.version_id, row.activity_key, context.language(row.enrollment_id))
        maximum = float(content.data.get("max_points", 1)) if content is not None else 1.0
        yield row.enrollment_id, SubmissionRecord(title, row.number, row.status, row.submitted_at, row.points, maximum,
                                                  number, tuple((f.id, f.name) for f in row.files))


def statements(session: Session, catalogue: Any) -> Iterator[records.Record]:
    """Each reviewed hand-in: "passed" or "failed", with the trainer's points."""
    rows = records.streamed(session,
        select(TaskSubmission, Enrollment, User)
        .join(Enrollment, Enrollment.id == TaskSubmission.enrollment_id)
        .join(User, User.id == TaskSubmission.user_id)
        .where(TaskSubmission.status.in_(("passed", "failed")), TaskSubmission.reviewed_at.is_not(None))
        .order_by(TaskSubmission.id))
    for submission, enrollment, user in rows:
        content = catalogue.content(submission.version_id, enrollment.language, submission.activity_key)
        course = catalogue.course(enrollment.course_id, submission.version_id, enrollment.language)
        maximum = float(content.data.get("max_points", 1)) if content is not None else None
        title, language = catalogue.title(submission.version_id, enrollment.language, submission.activity_key)
        passed = submission.status == "passed"
        yield records.Record(xapi.statement_id("task", submission.id), user.id, xapi.statement(
            id=xapi.statement_id("task", submission.id), actor=records.actor_of(user),
            verb="passed" if passed else "failed",
            object=xapi.activity(xapi.activity_iri(catalogue.base, catalogue.slug(enrollment.course_id),
                                                   submission.activity_key),
                                 title, XAPI_TYPE, language),
            when=submission.reviewed_at, course=course,
            result={"success": passed, "completion": True,
                    "score": xapi.score((submission.points or 0) / maximum if maximum else None,
                                        submission.points, 0.0 if maximum else None, maximum)},
            registration=xapi.registration_id(enrollment.id)))
