"""xAPI statements from the learning rows: export as JSON lines, or queue and send to an LRS.

The outbox (:class:`~lms.models.XapiOutbox`) makes delivery durable: statements
are queued from the database rows (each once, by its deterministic id) and stay
queued until the learning record store accepts them. A failed batch is tried
again later with exponential backoff; nothing is lost while the LRS is down.
Each accepted batch can be committed on its own (``checkpoint``), so a sender killed
half-way does not send again what the LRS already took.

Reading is streamed (``yield_per``): the export and the queue hold one batch of
rows at a time, however many records the database has.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from ..activities import base as kinds
from ..core import xapi
from ..core.retry import backoff
from ..models import (
    ActivityContent,
    Certificate,
    Course,
    CourseVersion,
    Enrollment,
    User,
    XapiOutbox,
    utcnow,
)
from .learning import pick_language

STREAM_BATCH = 1000
CHUNK_CHARS = 16 * 1024


@dataclass(frozen=True)
class Record:
    """A statement and the person it is about (for anonymisation of the queue)."""

    statement_id: str
    user_id: int
    payload: dict[str, Any]


class _Catalogue:
    """Titles of courses and activities, looked up once per version and language."""

    def __init__(self, session: Session, base: str):
        self.session = session
        self.base = base
        self._versions: dict[int, CourseVersion] = {}
        self._slugs: dict[int, str] = dict(session.execute(select(Course.id, Course.slug)).all())
        self._contents: dict[tuple[int, str, str], ActivityContent | None] = {}

    def version(self, version_id: int) -> CourseVersion:
        if version_id not in self._versions:
            self._versions[version_id] = self.session.get_one(CourseVersion, version_id)  # a record's version
        return self._versions[version_id]

    def course(self, course_id: int, version_id: int, language: str) -> xapi.CourseRef:
        """The course in the learner's edition. An edition whose course file gives no title of its own
        shows the original's (lms.core.content), so a title equal to the original's is in its language."""
        manifest = self.version(version_id).manifest
        language = pick_language(manifest, language)
        editions, original = manifest["editions"], manifest["default_language"]
        title = editions[language]["title"]
        title_language = original if language != original and title == editions[original]["title"] else None
        return xapi.CourseRef(xapi.course_iri(self.base, self._slugs[course_id]), title, language, title_language)

    def slug(self, course_id: int) -> str:
        return self._slugs[course_id]

    def content(self, version_id: int, language: str, key: str) -> ActivityContent | None:
        manifest = self.version(version_id).manifest
        language = pick_language(manifest, language)
        cache_key = (version_id, language, key)
        if cache_key not in self._contents:
            self._contents[cache_key] = self.session.scalar(select(ActivityContent).where(
                ActivityContent.version_id == version_id, ActivityContent.language == language,
                ActivityContent.key == key))
        return self._contents[cache_key]

    def title(self, version_id: int, language: str, key: str) -> tuple[str, str]:
        """An activity's title and the language it is written in (a translation's fallback keeps its own);
        the key, in no language, when the version has no such activity."""
        content = self.content(version_id, language, key)
        if content is None:
            return key, xapi.UNDETERMINED
        return content.title, content.content_language


def actor_of(user: User) -> xapi.Actor:
    return xapi.Actor(email=user.email, name=user.name)


def streamed(session: Session, statement: Select, batch: int = STREAM_BATCH) -> Iterator[Any]:
    """The rows of ``statement`` read ``batch`` at a time from a server-side cursor."""
    result = session.execute(statement.execution_options(yield_per=batch, stream_results=True))
    try:
        yield from result
    finally:
        result.close()


def statements(session: Session, base: str, verify_url=None) -> Iterator[Record]:
    """Every statement the database holds: each activity kind's, then the courses completed,
    then the certificates issued.

    ``base`` is the plugin's public address (activity ids are the pages' addresses);
    ``verify_url(serial)`` optionally gives a certificate's verification address.
    Rows are streamed: memory does not grow with the number of records.
    """
    if session.get_bind().dialect.name == "postgresql":
        # a cursor is planned for its first 10 % of rows by default; this one is read to the end
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    catalogue = _Catalogue(session, base)
    for kind in kinds.kinds():
        yield from kind.statements(session, catalogue)

    completions = streamed(session,
        select(Enrollment, User).join(User, User.id == Enrollment.user_id)
        .where(Enrollment.completed_at.is_not(None), Enrollment.completed_version_id.is_not(None))
        .order_by(Enrollment.id))
    for enrollment, user in completions:
        course = catalogue.course(enrollment.course_id, enrollment.completed_version_id, enrollment.language)
        yield Record(xapi.statement_id("course", enrollment.id, enrollment.completed_at.isoformat()), user.id,
                     xapi.course_completed(enrollment_id=enrollment.id, actor=actor_of(user), course=course,
                                           started=enrollment.started_at, completed=enrollment.completed_at))

    certificates = streamed(session,
        select(Certificate, User, Enrollment.id)
        .join(User, User.id == Certificate.user_id)
        .join(Enrollment, (Enrollment.user_id == Certificate.user_id) & (Enrollment.course_id == Certificate.course_id),
              isouter=True)
        .order_by(Certificate.id))
    for certificate, user, enrollment_id in certificates:
        course = catalogue.course(certificate.course_id, certificate.version_id, certificate.language)
        yield Record(xapi.statement_id("certificate", certificate.id), user.id, xapi.certificate_issued(
            certificate_id=certificate.id, serial=certificate.serial, cycle=certificate.cycle, actor=actor_of(user),
            course=course, score_percent=certificate.score, issued=certificate.issued_at,
            verify_url=verify_url(certificate.serial) if verify_url else None, enrollment_id=enrollment_id))


def export_lines(session: Session, base: str, verify_url=None) -> Iterator[str]:
    """The statements as JSON lines (one statement a line, UTF-8)."""
    for record in statements(session, base, verify_url):
        yield json.dumps(record.payload, ensure_ascii=False, separators=(",", ":")) + "\n"


def export_chunks(session: Session, base: str, verify_url=None, size: int | None = None) -> Iterator[bytes]:
    """The JSON lines as UTF-8 chunks of about ``size`` characters (``CHUNK_CHARS``), for a streamed download."""
    size = size or CHUNK_CHARS
    buffer: list[str] = []
    length = 0
    for line in export_lines(session, base, verify_url):
        buffer.append(line)
        length += len(line)
        if length >= size:
            yield "".join(buffer).encode("utf-8")
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


# -- the outbox -----------------------------------------------------------------
def fill_outbox(session: Session, base: str, verify_url=None, now: dt.datetime | None = None) -> int:
    """Queue every statement not queued yet; returns how many were added."""
    now = now or utcnow()
    queued = set(session.scalars(select(XapiOutbox.statement_id)))
    added = 0
    for record in statements(session, base, verify_url):
        if record.statement_id in queued:
            continue
        session.add(XapiOutbox(statement_id=record.statement_id, user_id=record.user_id, payload=record.payload,
                               created_at=now, next_attempt_at=now))
        queued.add(record.statement_id)
        added += 1
        if added % STREAM_BATCH == 0:
            session.flush()  # written rows leave the session's memory
    session.flush()
    return added


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    waiting: int = 0  # still queued afterwards


def post_statements(endpoint: str, payloads: list[dict[str, Any]], auth: str | None, timeout: float) -> None:
    """POST a batch to the LRS's ``statements`` resource; raises on anything but success."""
    url = endpoint.rstrip("/") + "/statements"
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"LMS_XAPI_ENDPOINT must be an http(s) address, not {endpoint!r}")
    request = urllib.request.Request(url, data=json.dumps(payloads).encode(), method="POST", headers={
        "Content-Type": "application/json", "X-Experience-API-Version": xapi.XAPI_VERSION})
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310 # scheme checked above
        if response.status not in (200, 204):
            raise OSError(f"HTTP {response.status}")


def send_pending(session: Session, endpoint: str, auth: str | None = None, batch_size: int = 50,
                 timeout: float = 10.0, now: dt.datetime | None = None,
                 checkpoint: Callable[[], None] | None = None) -> SendReport:
    """Send the due statements in batches; a failed batch waits (backoff) and sending stops
    until the next run, so a down LRS is not hammered.

    Flushes; the caller commits. ``checkpoint`` (e.g. ``session.commit``) is called once the
    outcome of each batch is recorded: a sender killed later does not send that batch again.
    """
    now = now or utcnow()
    report = SendReport()
    while True:
        batch = list(session.scalars(
            select(XapiOutbox).where(XapiOutbox.sent_at.is_(None), XapiOutbox.next_attempt_at <= now)
            .order_by(XapiOutbox.id).limit(batch_size).with_for_update(skip_locked=True)))
        if not batch:
            break
        try:
            post_statements(endpoint, [row.payload for row in batch], auth, timeout)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            message = _describe(exc)
            for row in batch:
                row.attempts += 1
                row.last_error = message[:1000]
                row.next_attempt_at = now + backoff(row.attempts)
            report.failed += len(batch)
            report.errors.append(message)
            session.flush()
            if checkpoint is not None:
                checkpoint()
            break
        for row in batch:
            row.attempts += 1
            row.sent_at = now
            row.last_error = ""
        report.sent += len(batch)
        session.flush()
        if checkpoint is not None:
            checkpoint()
    session.flush()
    report.waiting = len(session.scalars(select(XapiOutbox.id).where(XapiOutbox.sent_at.is_(None))).all())
    return report


def _describe(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        body = exc.read(500).decode("utf-8", "replace") if exc.fp else ""
        return f"HTTP {exc.code}: {body}".strip()
    if isinstance(exc, urllib.error.URLError):
        return f"unreachable: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"
