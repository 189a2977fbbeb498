"""The task's tables: what learners hand in, and the files they attach."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...models import Base, utcnow


class TaskSubmission(Base):
    """One hand-in of an on-the-job task, waiting for (or given) a trainer's review."""

    __tablename__ = "lms_task_submissions"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "activity_key", "number"),
        Index("ix_lms_task_submissions_item", "version_id", "activity_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrollments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    activity_key: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_versions.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    #: submitted | passed | failed
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    points: Mapped[float | None] = mapped_column()
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    files: Mapped[list[TaskFile]] = relationship(back_populates="submission", cascade="all, delete-orphan",
                                                 order_by="TaskFile.id")


class TaskFile(Base):
    """A photo or PDF attached to a submission, stored under the instance's task-files folder."""

    __tablename__ = "lms_task_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("lms_task_submissions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    stored: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(BigInteger)
    submission: Mapped[TaskSubmission] = relationship(back_populates="files")
