"""The LTI tables: registered platforms, people and contexts they launch from, launches (where
scores go), the scores waiting to be sent, used nonces and the OIDC login's short-lived state."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, Course, Group, User, utcnow


class LtiPlatform(Base):
    """A platform (Moodle, Canvas…) registered by an administrator: one issuer and client id."""

    __tablename__ = "lms_lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    #: the deployment ids the platform may launch with (a platform makes one per installation)
    deployment_ids: Mapped[list[Any]] = mapped_column(default=list)
    auth_login_url: Mapped[str] = mapped_column(String(500))
    auth_token_url: Mapped[str] = mapped_column(String(500))
    key_set_url: Mapped[str] = mapped_column(String(500))
    #: the audience of the token request when it is not the token URL (Moodle, Canvas: empty)
    auth_audience: Mapped[str | None] = mapped_column(String(500))
    #: link a launching person to the LMS account with the e-mail address the platform gives
    link_by_email: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LtiAccount(Base):
    """A platform's user (its ``sub``) and the LMS person they are."""

    __tablename__ = "lms_lti_accounts"
    __table_args__ = (UniqueConstraint("platform_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lms_lti_platforms.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship()


class LtiContext(Base):
    """A platform's course (the LTI context) and the group its roster was imported into."""

    __tablename__ = "lms_lti_contexts"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lms_lti_platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(200), default="")
    #: the Names and Role Provisioning Services' membership URL from the latest launch
    memberships_url: Mapped[str | None] = mapped_column(String(500))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("lms_groups.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    platform: Mapped[LtiPlatform] = relationship()
    group: Mapped[Group | None] = relationship()


class LtiLaunch(Base):
    """A person's latest launch of one resource link (or of deep linking, ``resource_link_id`` empty):
    what it opens and where its score goes."""

    __tablename__ = "lms_lti_launches"
    __table_args__ = (
        UniqueConstraint("platform_id", "user_id", "context_row_id", "resource_link_id"),
        Index("ix_lms_lti_launches_user_course", "user_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lms_lti_platforms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"))
    #: the platform's id of the person, the ``userId`` of the scores sent
    sub: Mapped[str] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_row_id: Mapped[int | None] = mapped_column(ForeignKey("lms_lti_contexts.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255), default="")
    course_id: Mapped[int | None] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"))
    module: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    #: the LMS roles the launch gave
    roles: Mapped[str] = mapped_column(String(100), default="learner")
    #: Assignment and Grade Services: the claim's scopes, line items URL and (when given) line item
    ags_scopes: Mapped[list[Any] | None] = mapped_column()
    lineitems_url: Mapped[str | None] = mapped_column(String(500))
    lineitem_url: Mapped[str | None] = mapped_column(String(500))
    launched_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: the last score the platform accepted, and when
    last_score: Mapped[dict[str, Any] | None] = mapped_column()
    score_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    platform: Mapped[LtiPlatform] = relationship()
    context: Mapped[LtiContext | None] = relationship()
    course: Mapped[Course | None] = relationship()


class LtiScoreOutbox(Base):
    """A launch whose score must be sent again: one row per launch, written in the transaction that
    changed the learner's progress, claimed and deleted by the sender (:mod:`lms.lti.scores`)."""

    __tablename__ = "lms_lti_score_outbox"

    launch_id: Mapped[int] = mapped_column(ForeignKey("lms_lti_launches.id", ondelete="CASCADE"),
                                           primary_key=True)
    #: bumped by each change, so a change made while a score was being sent is not lost
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    send_after: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


class LtiNonce(Base):
    """A launch's nonce, kept until its token expires: the same launch posted twice is refused."""

    __tablename__ = "lms_lti_nonces"

    nonce: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class LtiLoginState(Base):
    """pylti1p3's launch data storage: the OIDC login's nonce and state, a validated launch's claims."""

    __tablename__ = "lms_lti_login_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: JSON
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
