"""Notifications (pure): the kinds, when each reminder falls due, quiet hours, the daily cap, SMTP settings.

Every notification is a row with a unique ``key`` (``due:3:7:2026-12-10:1``): the planner
derives the rows from the state of the database and inserts each key once, so a reminder is
never planned twice however often or from however many hosts ``flask lms notify send`` runs.
The rules that decide *when* live here, without a clock: the callers pass ``today``/``now``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class Kind:
    """A kind of notification: who may turn it off, and whether it shows in the bell."""

    name: str
    #: a person may turn its e-mail off on the preferences page (invitations and password resets: no)
    optional: bool = True
    #: listed under the bell (a password reset is not: it is for someone who cannot sign in)
    in_bell: bool = True
    #: e-mailed only to people who asked for it (the refresher e-mail)
    opt_in: bool = False


KINDS: tuple[Kind, ...] = (
    Kind("invitation", optional=False, in_bell=False),
    Kind("password_reset", optional=False, in_bell=False),
    Kind("assigned"),
    Kind("due_soon"),
    Kind("overdue"),
    Kind("review_released"),
    Kind("certificate_issued"),
    Kind("certificate_expiring"),
    Kind("reassigned"),
    Kind("trainer_digest"),
    Kind("hr_summary"),
    Kind("refresher", opt_in=True),
    #: the day's other notifications, folded into one e-mail (not a kind anyone chooses)
    Kind("digest", optional=False, in_bell=False),
)
BY_NAME = {kind.name: kind for kind in KINDS}
#: the kinds a person sees on the preferences page (and an organisation may turn off)
CHOOSABLE = tuple(kind.name for kind in KINDS if kind.optional)
#: the kinds an organisation may turn off (an invitation or a reset link always goes)
ORGANISATION_TOGGLES = CHOOSABLE

DEFAULT_REMIND_DAYS: tuple[int, ...] = (3, 1)
OVERDUE_EVERY_DAYS = 7
OVERDUE_TIMES = 4
EXPIRY_WARNING_DAYS = 30
#: events older than this when first planned are not announced (an upgrade does not mail the past)
LOOKBACK_DAYS = 7


def kind(name: str) -> Kind:
    """The kind called ``name``; ``KeyError`` for an unknown one."""
    return BY_NAME[name]


def parse_days(value: str | Iterable[int] | None) -> tuple[int, ...]:
    """``LMS_REMIND_DAYS`` (``"3,1"`` or a list) as distinct positive days, largest first."""
    if value is None or value == "":
        return DEFAULT_REMIND_DAYS
    items = value.split(",") if isinstance(value, str) else list(value)
    days = sorted({int(str(item).strip()) for item in items if str(item).strip()}, reverse=True)
    if any(day < 0 for day in days):
        raise ValueError("LMS_REMIND_DAYS takes whole days of 0 or more, such as 3,1")
    return tuple(days)


def due_reminder(due: dt.date, today: dt.date, remind_days: Sequence[int]) -> int | None:
    """Which reminder is due today for a course due on ``due``: the smallest of ``remind_days``
    that is at least the days left (``3`` three days before, then ``1`` the day before), or None
    when the course is overdue or no reminder applies yet."""
    left = (due - today).days
    if left < 0:
        return None
    fitting = [day for day in remind_days if left <= day]
    return min(fitting) if fitting else None


def overdue_notice(due: dt.date, today: dt.date, every: int = OVERDUE_EVERY_DAYS,
                   times: int = OVERDUE_TIMES) -> int | None:
    """Which overdue notice is due today: 0 the day after the due date, then 1, 2, 3 a week apart;
    None before that and after the last (a notice the sender missed is replaced by the next)."""
    late = (today - due).days
    if late < 1:
        return None
    number = (late - 1) // every
    return number if number < times else None


def expiring_soon(expires_at: dt.datetime, now: dt.datetime, days: int = EXPIRY_WARNING_DAYS) -> bool:
    """Whether a certificate expiring at ``expires_at`` is within ``days`` of expiry (and not past it)."""
    return now < expires_at <= now + dt.timedelta(days=days)


# -- time zones and quiet hours --------------------------------------------------
def zone(name: str | None, fallback: str = "UTC") -> dt.tzinfo:
    """The time zone ``name`` (an IANA name such as ``Europe/Moscow``), else ``fallback``, else UTC."""
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return dt.UTC


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_quiet_hours(value: str | None) -> tuple[int, int] | None:
    """``LMS_QUIET_HOURS`` (``"21-8"``: from 21:00 to 08:00 local time) as hours; empty: none."""
    if not value:
        return None
    try:
        start, end = (int(part) for part in value.split("-"))
    except ValueError:
        raise ValueError(f"LMS_QUIET_HOURS takes two hours such as 21-8, not {value!r}") from None
    if not (0 <= start < 24 and 0 <= end < 24) or start == end:
        raise ValueError(f"LMS_QUIET_HOURS takes two different hours from 0 to 23, not {value!r}")
    return start, end


def quiet_until(now: dt.datetime, tz: dt.tzinfo, hours: tuple[int, int] | None) -> dt.datetime | None:
    """When the quiet hours around ``now`` end in ``tz`` (a UTC moment), or None outside them."""
    if hours is None:
        return None
    start, end = hours
    local = now.astimezone(tz)
    hour = local.hour
    quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return None
    day = local.date() if hour < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(end), tz).astimezone(dt.UTC)


def local_day(now: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return now.astimezone(tz).date()


def fold_into_digest(kind_name: str, sent_today: Iterable[str]) -> bool:
    """Whether an e-mail of ``kind_name`` waits for the day's digest: the person already had one
    of that kind today (at most one e-mail per kind per day; the rest go in one digest)."""
    return kind(kind_name).optional and kind_name in set(sent_today)


# -- SMTP ------------------------------------------------------------------------
@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    #: ``plain`` (smtp://), ``tls`` (smtps://, TLS from the first byte) or ``starttls`` (smtp+starttls://)
    security: str
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never print the password
        return f"SmtpSettings({self.security}://{self.host}:{self.port}, user={self.username!r})"


SCHEMES = {"smtp": ("plain", 25), "smtps": ("tls", 465), "smtp+starttls": ("starttls", 587)}


def parse_smtp_url(url: str) -> SmtpSettings:
    """``LMS_SMTP_URL`` (``smtp://user:pass@host:port``, ``smtps://…``, ``smtp+starttls://…``) as settings.

    The user name and password may be percent-encoded (``%40`` for ``@``). Raises ``ValueError``
    with a readable message for anything else.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES:
        raise ValueError("LMS_SMTP_URL must start with smtp://, smtps:// or smtp+starttls://")
    if not parts.hostname:
        raise ValueError("LMS_SMTP_URL has no host name (smtp://host:port)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("LMS_SMTP_URL takes no path or query (smtp://user:pass@host:port)")
    security, default_port = SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise ValueError("LMS_SMTP_URL has a port that is not a number from 1 to 65535") from None
    return SmtpSettings(parts.hostname, port, security,
                        unquote(parts.username) if parts.username else None,
                        unquote(parts.password) if parts.password is not None else None)


def permanent_smtp_error(code: int | None) -> bool:
    """A 5xx refusal of the recipient or the message: trying again will not help."""
    return code is not None and 500 <= code < 600
