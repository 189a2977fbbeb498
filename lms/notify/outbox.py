"""The outbox: queue a notification once, then send what is due, each row by one sender only.

``flask lms notify send`` (for cron, every minute, from any number of hosts) calls
:func:`send_due`. A run claims a batch of due rows (on PostgreSQL with ``FOR UPDATE SKIP
LOCKED``, so two runs never take one row; on SQLite the claim is one UPDATE under the
database's write lock), commits the claim, sends, and records each outcome with its attempt.
A refused message waits (exponential backoff, :mod:`lms.core.retry`) and is tried again; a
permanent refusal (5xx) or too many attempts gives up. A sender killed half-way leaves its
rows claimed; after :data:`CLAIM_TIMEOUT` another run takes them again.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.errors import MessageError
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..core import notify as rules
from ..core.retry import backoff
from ..links import absolute_url
from ..models import User, aware, utcnow
from . import mailer
from .messages import compose, render, subject_of
from .models import (
    DIGESTED,
    FAILED,
    FOLDED,
    OFF,
    PENDING,
    SENDING,
    SENT,
    Notification,
    NotificationAttempt,
    NotificationChoice,
    OrganisationNotice,
)

BATCH = 100
CLAIM_TIMEOUT = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 8
#: from this local hour on, the day's folded notifications go out as one digest
DIGEST_HOUR = 17
#: secrets kept in ``params`` only until the message is sent
SECRET_PARAMS = ("url",)
SECRET_KINDS = ("invitation", "password_reset")


# -- settings -----------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    smtp: rules.SmtpSettings | None
    mail_from: str
    remind_days: tuple[int, ...]
    quiet_hours: tuple[int, int] | None
    timezone: str
    default_language: str

    @property
    def configured(self) -> bool:
        return self.smtp is not None


def settings() -> Settings:
    """The notification settings of the current app (``LMS_SMTP_URL`` and friends); raises
    ``ValueError`` with a readable message for a malformed one."""
    config = current_app.config
    url = config.get("LMS_SMTP_URL")
    return Settings(
        smtp=rules.parse_smtp_url(url) if url else None,
        mail_from=config.get("LMS_MAIL_FROM") or "lms@localhost",
        remind_days=rules.parse_days(config.get("LMS_REMIND_DAYS")),
        quiet_hours=rules.parse_quiet_hours(config.get("LMS_QUIET_HOURS")),
        timezone=config.get("LMS_TIMEZONE") or "UTC",
        default_language=config.get("LMS_DEFAULT_LOCALE") or "ru",
    )


# -- choices ------------------------------------------------------------------------
def organisation_off(session: Session) -> set[str]:
    """The kinds the organisation turned off."""
    return set(session.scalars(select(OrganisationNotice.kind).where(OrganisationNotice.enabled.is_(False))))


def set_organisation_kind(session: Session, kind: str, enabled: bool) -> None:
    rules.kind(kind)
    row = session.get(OrganisationNotice, kind)
    if row is None:
        session.add(OrganisationNotice(kind=kind, enabled=enabled))
    else:
        row.enabled = enabled
    session.flush()


def choices(session: Session, user_id: int) -> dict[str, bool]:
    """Whether ``user_id`` gets each choosable kind by e-mail (defaults filled in)."""
    stored = dict(session.execute(select(NotificationChoice.kind, NotificationChoice.email)
                                  .where(NotificationChoice.user_id == user_id)).all())
    return {name: stored.get(name, not rules.kind(name).opt_in) for name in rules.CHOOSABLE}


def set_choice(session: Session, user_id: int, kind: str, email: bool) -> None:
    if not rules.kind(kind).optional:
        raise ValueError(f"{kind} cannot be turned off")
    row = session.get(NotificationChoice, (user_id, kind))
    if row is None:
        session.add(NotificationChoice(user_id=user_id, kind=kind, email=email))
    else:
        row.email = email
    session.flush()


def wants_email(session: Session, user_id: int | None, kind: str) -> bool:
    meta = rules.kind(kind)
    if user_id is None or not meta.optional:
        return True
    choice = session.get(NotificationChoice, (user_id, kind))
    return choice.email if choice is not None else not meta.opt_in


# -- unsubscribe links ----------------------------------------------------------------
def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="lms-unsubscribe")


def unsubscribe_token(user_id: int, kind: str) -> str:
    return _signer().dumps([user_id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """``(user_id, kind)`` of a genuine unsubscribe token, else None."""
    try:
        user_id, kind = _signer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or kind not in rules.CHOOSABLE:
        return None
    return user_id, kind


# -- queueing -----------------------------------------------------------------------
@dataclass(frozen=True)
class Planned:
    """A notification to queue (its ``key`` makes it once only)."""

    key: str
    kind: str
    user_id: int | None
    params: dict[str, Any]
    link: str = ""
    to_address: str | None = None
    language: str | None = None


def queue(session: Session, planned: Iterable[Planned], now: dt.datetime | None = None,
          off: set[str] | None = None) -> int:
    """Insert the notifications whose key is new (a key seen before is skipped, whoever added it,
    even a run at the same moment on another host); returns how many were added. Kinds the
    organisation turned off are not queued; a person who turned a kind's e-mail off still sees
    it under the bell."""
    now = now or utcnow()
    off = organisation_off(session) if off is None else off
    rows = []
    for item in planned:
        meta = rules.kind(item.kind)
        if item.kind in off and meta.optional:
            continue
        email = wants_email(session, item.user_id, item.kind)
        rows.append(dict(key=item.key, kind=item.kind, user_id=item.user_id, to_address=item.to_address,
                         language=item.language, params=item.params, link=item.link, in_bell=meta.in_bell,
                         created_at=now, email_state=PENDING if email else OFF, send_after=now,
                         attempts=0, last_error=""))
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    added = 0
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        result = session.execute(insert(Notification).values(chunk).on_conflict_do_nothing(index_elements=["key"])
                                 .returning(Notification.id))
        added += len(result.all())
    session.flush()
    return added


#: how far back the planner looks for keys already queued: every fact it plans from (a due date, an
#: expiry, an event) is announced within this window, so an older key cannot come up again
KEY_MEMORY = dt.timedelta(days=60)


def existing_keys(session: Session, prefix: str, now: dt.datetime | None = None) -> set[str]:
    """The recent keys that start with ``prefix`` (the planner skips them before building; the
    unique key still stops a duplicate that gets past this)."""
    since = (now or utcnow()) - KEY_MEMORY
    return set(session.scalars(select(Notification.key).where(
        Notification.key.startswith(prefix, autoescape=True), Notification.created_at >= since)))


# -- sending ------------------------------------------------------------------------
@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    folded: int = 0
    skipped: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)


def _claim(session: Session, token: str, now: dt.datetime, batch: int) -> list[Notification]:
    due = (select(Notification.id).where(Notification.email_state == PENDING, Notification.send_after <= now)
           .order_by(Notification.id).limit(batch))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(session.scalars(due))
    if not ids:
        return []
    session.execute(update(Notification)
                    .where(Notification.id.in_(ids), Notification.email_state == PENDING)
                    .values(email_state=SENDING, claimed_at=now, claimed_by=token)
                    .execution_options(synchronize_session=False))
    session.commit()  # the claim is visible to every other run before anything is sent
    return list(session.scalars(select(Notification).where(Notification.claimed_by == token,
                                                           Notification.email_state == SENDING)
                                .order_by(Notification.id)))


def prune(session: Session, now: dt.datetime, days: int) -> int:
    """Forget notifications older than ``days`` that are done with (sent, given up, not e-mailed, in a
    digest) and, when they show under the bell, read: the outbox and the bell do not grow for ever.
    Their attempts go with them. Returns how many were removed; flushes."""
    if days <= 0:
        return 0
    finished = (SENT, FAILED, OFF, DIGESTED)
    result = session.execute(delete(Notification).where(
        Notification.created_at < now - dt.timedelta(days=days), Notification.email_state.in_(finished),
        (Notification.read_at.is_not(None)) | Notification.in_bell.is_(False))
        .execution_options(synchronize_session=False))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def release_stale(session: Session, now: dt.datetime) -> int:
    """Rows claimed by a sender that died: back in the queue."""
    result = session.execute(update(Notification)
                             .where(Notification.email_state == SENDING, Notification.claimed_at < now - CLAIM_TIMEOUT)
                             .values(email_state=PENDING, claimed_by=None)
                             .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


class Recipient:
    def __init__(self, user: User | None, row: Notification, config: Settings):
        self.user = user
        self.address = (user.email if user is not None else row.to_address) or ""
        self.name = user.name if user is not None else str(row.params.get("name", ""))
        self.language = (user.locale if user is not None and user.locale else None) or row.language \
            or config.default_language
        self.zone = rules.zone(user.timezone if user is not None else None, config.timezone)

    @property
    def reachable(self) -> bool:
        return "@" in self.address and (self.user is None or (self.user.is_active and self.user.anonymized_at is None))


def _sent_today(session: Session, user_id: int, zone: dt.tzinfo, now: dt.datetime) -> set[str]:
    day_start = dt.datetime.combine(rules.local_day(now, zone), dt.time(0), zone).astimezone(dt.UTC)
    return set(session.scalars(select(Notification.kind).where(
        Notification.user_id == user_id, Notification.email_state == SENT, Notification.sent_at >= day_start)))


def preferences_url() -> str:
    return absolute_url("lms.notify.preferences")


def message_of(row: Notification, recipient: Recipient, config: Settings):
    """The e-mail for ``row`` (text and HTML, headers), ready to send."""
    link = row.link or absolute_url("lms.notify.bell")
    message = compose(row.kind, row.params, link, recipient.language)
    optional = rules.kind(row.kind).optional and row.user_id is not None
    unsubscribe = absolute_url("lms.notify.unsubscribe", token=unsubscribe_token(row.user_id, row.kind)) \
        if optional and row.user_id is not None else None
    rendered = render(message, recipient.language, recipient.name, unsubscribe,
                      preferences_url() if optional else None)
    return mailer.build(sender=config.mail_from, to=recipient.address, to_name=recipient.name,
                        subject=rendered.subject, text=rendered.text, html=rendered.html,
                        language=recipient.language, unsubscribe_url=unsubscribe, reference=f"lms{row.id}")


def _built(row: Notification, recipient: Recipient, config: Settings):
    try:
        return message_of(row, recipient, config)
    except (ValueError, TypeError, MessageError) as exc:  # an address e-mail cannot carry (non-ASCII, CR/LF)
        raise mailer.SmtpRefused(f"the message could not be built: {exc}", 550) from exc


def _record(session: Session, row: Notification, now: dt.datetime, ok: bool, code: int | None = None,
            error: str = "") -> None:
    session.add(NotificationAttempt(notification_id=row.id, at=now, ok=ok, code=code, error=error[:1000]))
    row.attempts += 1
    row.claimed_by = None


def _scrub(row: Notification) -> None:
    if row.kind in SECRET_KINDS:
        row.params = {k: v for k, v in row.params.items() if k not in SECRET_PARAMS}


def send_due(session: Session, config: Settings, now: dt.datetime | None = None, batch: int = BATCH,
             connection_factory: Callable[[rules.SmtpSettings], mailer.Connection] = mailer.Connection) -> SendReport:
    """Send every due e-mail; commits after each batch (the caller need not). Without SMTP
    settings nothing is sent and the rows stay queued."""
    now = now or utcnow()
    report = SendReport()
    if config.smtp is None:
        return report
    release_stale(session, now)
    session.commit()
    token = secrets.token_hex(16)
    with connection_factory(config.smtp) as connection:
        while True:
            rows = _claim(session, token, now, batch)
            if not rows:
                break
            users: dict[int, User | None] = {}  # per batch: memory stays flat however long the queue
            for row in rows:
                _send_one(session, row, config, now, connection, users, report)
            session.commit()
    digests = plan_digests(session, config, now)
    session.commit()
    if digests:  # the digests just queued go in this run too
        more = send_due(session, config, now, batch, connection_factory)
        report.sent += more.sent
        report.failed += more.failed
        report.retrying += more.retrying
        report.errors += more.errors
    return report


def _send_one(session: Session, row: Notification, config: Settings, now: dt.datetime,
              connection: mailer.Connection, users: dict[int, User | None], report: SendReport) -> None:
    user = None
    if row.user_id is not None:
        if row.user_id not in users:
            users[row.user_id] = session.get(User, row.user_id)
        user = users[row.user_id]
    recipient = Recipient(user, row, config)
    if not recipient.reachable or not wants_email(session, row.user_id, row.kind):
        row.email_state, row.claimed_by = OFF, None
        report.skipped += 1
        return
    quiet = rules.quiet_until(now, recipient.zone, config.quiet_hours) if rules.kind(row.kind).optional else None
    if quiet is not None:
        row.email_state, row.send_after, row.claimed_by = PENDING, quiet, None
        report.deferred += 1
        return
    if row.user_id is not None and row.kind != "digest" \
            and rules.fold_into_digest(row.kind, _sent_today(session, row.user_id, recipient.zone, now)):
        row.email_state, row.claimed_by = FOLDED, None
        report.folded += 1
        return
    try:
        connection.send(_built(row, recipient, config))
    except mailer.SmtpRefused as exc:
        _record(session, row, now, False, exc.code, str(exc))
        row.last_error = str(exc)[:1000]
        if rules.permanent_smtp_error(exc.code) or row.attempts >= MAX_ATTEMPTS:
            row.email_state = FAILED
            report.failed += 1
        else:
            row.email_state, row.send_after = PENDING, now + backoff(row.attempts)
            report.retrying += 1
        report.errors.append(str(exc))
        return
    _record(session, row, now, True, 250)
    row.email_state, row.sent_at, row.last_error = SENT, now, ""
    _scrub(row)
    report.sent += 1


def plan_digests(session: Session, config: Settings, now: dt.datetime) -> int:
    """One digest a day per person of what was folded (from :data:`DIGEST_HOUR` local time, or at once
    for what was folded on an earlier day)."""
    folded = list(session.scalars(select(Notification).where(Notification.email_state == FOLDED)
                                  .order_by(Notification.user_id, Notification.id)))
    by_user: dict[int, list[Notification]] = {}
    for row in folded:
        if row.user_id is not None:
            by_user.setdefault(row.user_id, []).append(row)
    added = 0
    for user_id, rows in by_user.items():
        user = session.get(User, user_id)
        if user is None:
            continue
        zone = rules.zone(user.timezone, config.timezone)
        local_now = now.astimezone(zone)
        older = any(rules.local_day(aware(row.created_at), zone) < local_now.date() for row in rows)
        if local_now.hour < DIGEST_HOUR and not older:
            continue
        language = user.locale or config.default_language
        key = f"digest:{user_id}:{local_now.date().isoformat()}"
        items = [subject_of(row.kind, row.params, language) for row in rows]
        if not queue(session, [Planned(key, "digest", user_id, {"items": items},
                                       link=absolute_url("lms.notify.bell"))], now, off=set()):
            continue  # today's digest went already: these wait for tomorrow's
        digest_id = session.scalar(select(Notification.id).where(Notification.key == key))
        for row in rows:
            row.email_state, row.digest_id = DIGESTED, digest_id
        added += 1
    session.flush()
    return added


# -- the bell -----------------------------------------------------------------------
def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.in_bell.is_(True), Notification.read_at.is_(None))) or 0


def recent(session: Session, user_id: int, limit: int = 50) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.user_id == user_id,
                                                           Notification.in_bell.is_(True))
                                .order_by(Notification.id.desc()).limit(limit)))


def mark_read(session: Session, user_id: int, ids: Iterable[int] | None = None, now: dt.datetime | None = None) -> None:
    condition = and_(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        condition = and_(condition, Notification.id.in_(list(ids)))
    session.execute(update(Notification).where(condition).values(read_at=now or utcnow())
                    .execution_options(synchronize_session=False))
    session.flush()


# -- the admin's view -----------------------------------------------------------------
def queue_counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Notification.email_state, func.count()).group_by(Notification.email_state))
                .all())


def recent_failures(session: Session, limit: int = 20) -> list[tuple[Notification, NotificationAttempt]]:
    return list(session.execute(
        select(Notification, NotificationAttempt).join(NotificationAttempt,
                                                       NotificationAttempt.notification_id == Notification.id)
        .where(NotificationAttempt.ok.is_(False)).order_by(NotificationAttempt.id.desc()).limit(limit)))

