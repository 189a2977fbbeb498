"""The practice table: every answer given in daily practice (the streak and the refresher schedule come from it)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, utcnow


class PracticeAnswer(Base):
    """One answer to a practice question: which quiz question, right or wrong, on which day."""

    __tablename__ = "lms_practice_answers"
    __table_args__ = (Index("ix_lms_practice_answers_user_day", "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"))
    activity_key: Mapped[str] = mapped_column(String(200))
    question_id: Mapped[str] = mapped_column(String(200))
    #: the quiz attempt whose mistake this practised (its plan gives the display order)
    attempt_id: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    #: the learner's calendar day (UTC) the answer counts for
    day: Mapped[dt.date] = mapped_column(Date)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
