"""The plugin's tables, all prefixed ``lms_``, as SQLAlchemy 2.0 typed mappings.

Content is stored as immutable versions: a course has many
:class:`CourseVersion` rows, each with its files and its rendered activities.
Everything a learner does records the version it was made against, so a new
version never changes a result already earned.

The plugin's models sit on their own :class:`Base` (own metadata, own Alembic
version table), so they live beside a host application's models in the same
database without touching them.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, overload

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("learner", "trainer", "hr", "admin")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@overload
def aware(moment: dt.datetime) -> dt.datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored moment with its time zone: SQLite gives naive datetimes back, and they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Timestamped, Base):
    """A person known to the LMS, mirrored from the host's identity."""

    __tablename__ = "lms_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(100), default="learner")
    locale: Mapped[str | None] = mapped_column(String(8))
    #: the person's own time zone (an IANA name) for reminders and quiet hours; else ``LMS_TIMEZONE``
    timezone: Mapped[str | None] = mapped_column(String(64))
    #: the person as an Open Badge's subject (``urn:uuid:…``, the JWT's ``sub``): stable and naming nobody;
    #: given with the first credential
    credential_subject: Mapped[str | None] = mapped_column(String(45), unique=True)
    employee_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    department: Mapped[str | None] = mapped_column(String(200))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    anonymized_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)

    def has_role(self, *roles: str) -> bool:
        mine = self.role_set
        return "admin" in mine or any(r in mine for r in roles)


class Group(Timestamped, Base):
    """A team, a store or a department."""

    __tablename__ = "lms_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="team")
    members: Mapped[list[GroupMember]] = relationship(back_populates="group", cascade="all, delete-orphan")


class GroupMember(Base):
    __tablename__ = "lms_group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("lms_groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    group: Mapped[Group] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class Course(Timestamped, Base):
    __tablename__ = "lms_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_course_versions.id", use_alter=True, ondelete="SET NULL")
    )
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    published_version: Mapped[CourseVersion | None] = relationship(foreign_keys=[published_version_id])


class CourseVersion(Timestamped, Base):
    """One immutable state of a course's files."""

    __tablename__ = "lms_course_versions"
    __table_args__ = (
        UniqueConstraint("course_id", "number"),
        Index("ix_lms_course_versions_hash", "course_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(200), default="")
    course: Mapped[Course] = relationship(foreign_keys=[course_id])


class Blob(Base):
    """File contents, stored once however many versions share them."""

    __tablename__ = "lms_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class VersionFile(Base):
    __tablename__ = "lms_version_files"

    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_versions.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), primary_key=True)
    blob_sha: Mapped[str] = mapped_column(ForeignKey("lms_blobs.sha256"))


class ActivityContent(Base):
    """An activity of a version in one language, rendered once at import."""

    __tablename__ = "lms_activity_contents"
    __table_args__ = (UniqueConstraint("version_id", "language", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_versions.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    content_language: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[int | None] = mapped_column(Integer)
    html: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Assignment(Timestamped, Base):
    """A course given to a person or to a group, optionally by a date."""

    __tablename__ = "lms_assignments"
    __table_args__ = (
        Index("ix_lms_assignments_user", "user_id", "course_id"),
        Index("ix_lms_assignments_group", "group_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("lms_groups.id", ondelete="CASCADE"))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    course: Mapped[Course] = relationship()


class Enrollment(Base):
    """A learner's journey through one course (whatever the language edition)."""

    __tablename__ = "lms_enrollments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_versions.id"))
    language: Mapped[str] = mapped_column(String(8))
    last_key: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    completed_version_id: Mapped[int | None] = mapped_column(ForeignKey("lms_course_versions.id"))


class ActivityProgress(Base):
    """What a learner did in one activity, pinned to the version it was done on."""

    __tablename__ = "lms_activity_progress"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "activity_key"),
        # the trainer's dashboard counts done activities per learner and module from this index alone
        Index("ix_lms_activity_progress_counts", "enrollment_id", "activity_key", "status", "passed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrollments.id", ondelete="CASCADE"))
    activity_key: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_versions.id"))
    #: started | awaiting_review | completed (see ``lms.core.status``)
    status: Mapped[str] = mapped_column(String(20), default="started")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    score: Mapped[float | None] = mapped_column()
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: ``result["passed"]`` kept as a column (set whenever ``result`` is) so it can be indexed
    passed: Mapped[bool | None] = mapped_column(Boolean)

    @staticmethod
    def passed_of(result: dict[str, Any] | None) -> bool | None:
        """The ``passed`` column for a ``result`` (bulk inserts, which skip validators, use it too)."""
        return result.get("passed") is True if isinstance(result, dict) else None

    @validates("result")
    def _mirror_passed(self, _key: str, result: dict[str, Any] | None) -> dict[str, Any] | None:
        self.passed = self.passed_of(result)
        return result


class AuditEntry(Base):
    """Who did what, when and why: revocations, deletions, publications."""

    __tablename__ = "lms_audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)




class QuizAttempt(Base):
    """One attempt at a quiz: the drawn questions, the saved answers, the grade."""

    __tablename__ = "lms_quiz_attempts"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "activity_key", "number"),
        Index("ix_lms_quiz_attempts_item", "version_id", "activity_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrollments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    activity_key: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_versions.id"))
    number: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: ids of the questions the learner marked to come back to before submitting
    flags: Mapped[list[str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | submitted | awaiting_review
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deadline: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    percent: Mapped[float | None] = mapped_column()
    passed: Mapped[bool | None] = mapped_column(Boolean)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: optimistic lock: two requests saving the same attempt cannot both win
    revision: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": revision}


class ScenarioRun(Base):
    """One play-through of a role-play scenario; every run is kept."""

    __tablename__ = "lms_scenario_runs"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "activity_key", "number"),
        Index("ix_lms_scenario_runs_item", "version_id", "activity_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrollments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    activity_key: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_versions.id"))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(60))
    points: Mapped[float | None] = mapped_column()
    passed: Mapped[bool | None] = mapped_column(Boolean)
    #: ``state["competencies"]`` kept apart (set whenever ``state`` is): the trainer's
    #: dashboard sums it over thousands of runs without reading each run's whole path
    #: (JSONB on PostgreSQL: each tag is looked up, not parsed again)
    competencies: Mapped[dict[str, Any] | None] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    #: optimistic lock: a double click cannot apply two replies to one step
    revision: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": revision}

    @staticmethod
    def competencies_of(state: dict[str, Any] | None) -> dict[str, Any] | None:
        """The ``competencies`` column for a ``state`` (bulk inserts, which skip validators, use it too)."""
        return state.get("competencies") if isinstance(state, dict) else None

    @validates("state")
    def _mirror_competencies(self, _key: str, state: dict[str, Any]) -> dict[str, Any]:
        self.competencies = self.competencies_of(state)
        return state


class ScenarioChoice(Base):
    """A reply chosen (or written) at a step, with when and how long it took."""

    __tablename__ = "lms_scenario_choices"
    __table_args__ = (Index("ix_lms_scenario_choices_item", "version_id", "activity_key", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("lms_scenario_runs.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_versions.id"))
    activity_key: Mapped[str] = mapped_column(String(200))
    step_id: Mapped[str] = mapped_column(String(100))
    reply_id: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seconds: Mapped[int] = mapped_column(Integer, default=0)


class Review(Base):
    """Work waiting for (or given) a trainer's review.

    Quiz open answers, free-text role-play turns and on-the-job tasks all land here: ``kind``
    is the activity kind (:mod:`lms.activities`) and ``source_id`` the reviewed work within it
    (a quiz attempt, a scenario run, a task submission), which the kind recomputes when the
    review is released. The rubric is copied from the content version so a later edit cannot
    change it.
    """

    __tablename__ = "lms_reviews"
    __table_args__ = (
        Index("ix_lms_reviews_queue", "status", "created_at"),
        Index("ix_lms_reviews_source", "kind", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"))
    activity_key: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_versions.id"))
    source_id: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str] = mapped_column(String(100))
    prompt: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text)
    rubric: Mapped[list[Any]] = mapped_column(JSON, default=list)
    self_check: Mapped[list[Any]] = mapped_column(JSON, default=list)
    max_points: Mapped[float] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | released
    marks: Mapped[list[Any]] = mapped_column(JSON, default=list)
    points: Mapped[float | None] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Draft(Base):
    """A file edited in the browser and not yet published.

    The working copy of a course is its published files with these drafts laid
    over them; publishing turns the working copy into a new content version.
    """

    __tablename__ = "lms_drafts"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(500))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)  # None: the file is deleted in the draft
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))


class CourseEditor(Base):
    """Someone who may change a course in the browser: its drafts, versions, files and editors.

    Whoever creates a course in the studio (or imports it from a zip) is its first
    editor and may add others. Courses imported from the command line start with
    none; administrators may do everything anyway and add the first editor.
    """

    __tablename__ = "lms_course_editors"

    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Certificate(Base):
    """A certificate earned by completing a course, verifiable by anyone who has its serial.

    Issued once per learner, course and ``cycle``: the unique constraint makes two
    requests completing the course at the same moment issue one certificate. When it
    expires the course is assigned again and the next certificate has the next cycle.
    What was printed (holder's name, course title, trainer) is copied here, so a later
    rename or course edit never changes an issued certificate; the organisation is the
    issuer's ``LMS_ORGANISATION``.
    """

    __tablename__ = "lms_certificates"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "cycle"),
        Index("ix_lms_certificates_expires", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_versions.id"))
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    score: Mapped[float | None] = mapped_column()
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    holder_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200), default="")
    trainer_name: Mapped[str] = mapped_column(String(200), default="")
    #: the learner's results at issue, kept when a new cycle resets their progress
    record: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: set when the expiry was handled: the course assigned again for a new cycle
    renewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    renewal_assignment_id: Mapped[int | None] = mapped_column(ForeignKey("lms_assignments.id", ondelete="SET NULL"))
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()


class Invitation(Base):
    """A one-time link that lets a newly imported employee choose their password.

    Only the SHA-256 of the token is stored: the link itself is shown once, to HR.
    """

    __tablename__ = "lms_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "lms_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters of the token, so an admin can tell tokens apart
    prefix: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(100), default="reports:read")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class XapiOutbox(Base):
    """An xAPI statement waiting for (or delivered to) the learning record store.

    Filled from the learning rows; a statement stays here until the LRS accepts
    it, with exponential backoff between failed attempts.
    """

    __tablename__ = "lms_xapi_outbox"
    __table_args__ = (Index("ix_lms_xapi_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")
