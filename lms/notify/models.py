"""The notification tables: the outbox (one row per notification, also the bell's list), each
delivery attempt, people's choices and the organisation's."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, utcnow

#: e-mail states: waiting to go, taken by a sender, delivered, given up, not e-mailed (turned off, no
#: address), waiting for the day's digest, sent inside a digest
PENDING, SENDING, SENT, FAILED, OFF, FOLDED, DIGESTED = (
    "pending", "sending", "sent", "failed", "off", "folded", "digested")


class Notification(Base):
    """One notification to one person: an outbox row until it is e-mailed, and an entry of the bell.

    ``key`` is unique: a reminder is planned once whoever plans it. ``params`` are plain values
    (titles, dates, counts, links); the message is worded from them in the recipient's language
    when it is sent. A secret (an invitation or reset link) is removed from ``params`` once sent.
    """

    __tablename__ = "lms_notifications"
    __table_args__ = (
        Index("ix_lms_notifications_outbox", "email_state", "send_after"),
        Index("ix_lms_notifications_bell", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"))
    #: the address for someone who has no row of their own yet (a password reset of a site account)
    to_address: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str | None] = mapped_column(String(8))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: where the bell's entry leads (a path inside the plugin)
    link: Mapped[str] = mapped_column(String(500), default="")
    in_bell: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    email_state: Mapped[str] = mapped_column(String(12), default=PENDING)
    send_after: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: the sender run that took it (a random token): two runs never send one row
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: the digest e-mail this one went out in
    digest_id: Mapped[int | None] = mapped_column(Integer)


class NotificationAttempt(Base):
    """One try at delivering one e-mail: when, and what the server said."""

    __tablename__ = "lms_notification_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("lms_notifications.id", ondelete="CASCADE"),
                                                 index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    #: the SMTP reply code when the server gave one
    code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")


class NotificationChoice(Base):
    """A person's choice for one kind: e-mail on or off (no row: the kind's default)."""

    __tablename__ = "lms_notification_choices"

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class OrganisationNotice(Base):
    """The organisation's switch for one kind (no row: on)."""

    __tablename__ = "lms_notification_kinds"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
