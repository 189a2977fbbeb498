"""Certificates, pure: the issue rule, serials, status, the PDF's layout data and the Open Badge.

No Flask and no database here. The services decide *when* to issue; this module
decides *whether* a rule is met and *what* a certificate says.

The issue rule is the ``certificate:`` mapping of ``course.md``::

    certificate:
      require: completed      # the only rule today: the course is complete under its
                              # ``completion:`` rules (every module done, every quiz
                              # passed, every scenario at or above its threshold)
      min_score: 80           # optional extra threshold, 0-100: the mean of the course's
                              # quiz percentages (best kept by the quiz); 0 = no threshold
      validity_months: 12     # optional; 0 or absent = never expires
      title: Сертификат       # optional heading printed on the certificate
      trainer: Анна Петрова   # optional trainer's name printed on the certificate
      description: ...        # optional; the Open Badge's achievement description

A course without a ``certificate:`` mapping issues no certificate.
"""
from __future__ import annotations

import base64
import calendar
import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from .problems import Problem, define

RULE_KEYS = ("require", "min_score", "validity_months", "title", "trainer", "description")
REQUIREMENTS = ("completed",)
DEFAULT_RULE: dict[str, Any] = {
    "require": "completed", "min_score": 0, "validity_months": 0, "title": "", "trainer": "", "description": "",
}
VALID, EXPIRED, REVOKED = "valid", "expired", "revoked"
SERIAL_BYTES = 10  # 80 random bits: 16 base32 characters
SERIAL_RE = re.compile(r"^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$")



# -- the rule ---------------------------------------------------------------
NOT_A_MAPPING = define("certificate.not-a-mapping",
                       "'certificate:' must be a mapping such as {require: completed, validity_months: 12}")
UNKNOWN_KEY = define("certificate.unknown-key", "unknown certificate key '%(key)s' (known: %(known)s)")
BAD_REQUIREMENT = define("certificate.bad-require", "certificate 'require: %(value)s' must be one of: %(allowed)s")
BAD_MIN_SCORE = define("certificate.bad-min-score", "certificate 'min_score: %(value)s' must be a number from 0 to 100")
BAD_VALIDITY = define("certificate.bad-validity", "certificate 'validity_months: %(value)s' must be a whole number "
                                                  "of months from 0 (never expires) to 600")
BAD_TEXT = define("certificate.bad-text", "certificate '%(key)s:' must be text of at most 200 characters")


def check_rule(raw: Any) -> tuple[dict[str, Any], list[tuple[str | None, Problem]]]:
    """Normalise a ``certificate:`` mapping; return the rule and its problems, each with its key.

    A problem is reported at no path (``""``, line 0): the caller knows the file and finds the
    key's line (:meth:`Problem.relocated`). An empty or missing mapping gives ``{}``: the
    course issues no certificate.
    """
    if raw is None or raw == {}:
        return {}, []
    if not isinstance(raw, dict):
        return {}, [(None, Problem.of("", 0, NOT_A_MAPPING))]
    problems: list[tuple[str | None, Problem]] = []

    def report(key: str, code: str, /, **params: Any) -> None:
        problems.append((key, Problem.of("", 0, code, **params)))

    rule = dict(DEFAULT_RULE)
    for key, value in raw.items():
        if key not in RULE_KEYS:
            report(key, UNKNOWN_KEY, key=key, known=RULE_KEYS)
        elif key == "require":
            if value not in REQUIREMENTS:
                report(key, BAD_REQUIREMENT, value=value, allowed=REQUIREMENTS)
            else:
                rule[key] = value
        elif key == "min_score":
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
                report(key, BAD_MIN_SCORE, value=value)
            else:
                rule[key] = value
        elif key == "validity_months":
            if value is None:
                rule[key] = 0
            elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 600:
                report(key, BAD_VALIDITY, value=value)
            else:
                rule[key] = value
        elif value is None:
            rule[key] = ""
        elif not isinstance(value, str) or len(value) > 200:
            report(key, BAD_TEXT, key=key)
        else:
            rule[key] = value.strip()
    return rule, problems


def rule_met(rule: dict[str, Any], completed: bool, score: float | None) -> bool:
    """Whether a learner with this completion and score earns the certificate."""
    if not rule or not completed:
        return False
    minimum = rule.get("min_score") or 0
    # A course without quizzes has no score: its completion alone decides.
    return minimum <= 0 or score is None or score >= minimum


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` plus whole calendar months (31 January + 1 month = 28/29 February)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def expiry(rule: dict[str, Any], issued_at: dt.datetime) -> dt.datetime | None:
    months = rule.get("validity_months") or 0
    return add_months(issued_at, months) if months else None


def status(expires_at: dt.datetime | None, revoked_at: dt.datetime | None, now: dt.datetime) -> str:
    """valid, expired or revoked; a revocation wins over an expiry."""
    if revoked_at is not None:
        return REVOKED
    if expires_at is not None and _aware(expires_at) <= _aware(now):
        return EXPIRED
    return VALID


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# -- serials ----------------------------------------------------------------
def new_serial() -> str:
    """An unguessable serial such as ``K7QX-M2PA-9DZR-F4TB`` (80 random bits, never sequential)."""
    text = base64.b32encode(secrets.token_bytes(SERIAL_BYTES)).decode()
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


def normalise_serial(text: str) -> str | None:
    """A serial as typed (any case, with or without dashes) in its canonical form, or None."""
    compact = re.sub(r"[\s-]", "", text or "").upper()
    if len(compact) != 16:
        return None
    serial = "-".join(compact[i:i + 4] for i in range(0, 16, 4))
    return serial if SERIAL_RE.match(serial) else None


# -- the PDF's content ------------------------------------------------------
@dataclass(frozen=True)
class Sheet:
    """Everything printed on a certificate, already translated; the renderer only lays it out."""

    heading: str
    intro: str
    holder: str
    completed_line: str
    course: str
    date_label: str
    date: str
    organisation_label: str
    organisation: str
    trainer_label: str
    trainer: str
    serial_label: str
    serial: str
    verify_label: str
    verify_url: str
    expires_label: str = ""
    expires: str = ""
    rtl: bool = False
    #: set on a revoked certificate: printed across the sheet ("Revoked on 3 December 2026")
    revoked: str = ""
