"""Invitation links by e-mail: the one rule the staff import (page and command) and a person's
"new invitation" share.

With e-mail configured (``LMS_SMTP_URL``), each new person with an address gets an ``invitation``
notification (the link is kept in the outbox only until it is sent); HR is not shown the link.
Without, nothing is queued and the link is shown once, as before.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..models import User
from ..people.links import invitation_url
from ..services.people import RowOutcome, token_hash
from .outbox import Planned, queue, settings


def email_configured() -> bool:
    """Whether invitations go by e-mail (a malformed ``LMS_SMTP_URL`` counts as none: HR gets the links)."""
    try:
        return settings().configured
    except ValueError:
        return False


def email_invitations(session: Session, invited: Iterable[tuple[User, str]], days: int,
                      now: dt.datetime | None = None) -> set[int]:
    """Queue an invitation e-mail for each ``(person, token)`` when e-mail is configured; returns the ids
    of the people it will reach (show the others their link). Flushes; the caller commits."""
    if not email_configured():
        return set()
    planned = []
    for person, token in invited:
        url = invitation_url(token)
        if not url or not person.email or "@" not in person.email:
            continue
        planned.append(Planned(f"invitation:{token_hash(token)[:32]}", "invitation", person.id,
                               {"name": person.name, "url": url, "days": days},
                               to_address=person.email, language=person.locale))
    queue(session, planned, now)
    return {item.user_id for item in planned if item.user_id is not None}


@dataclass(frozen=True)
class Delivery:
    """How a staff import's invitations reach people: ``mailed`` (user ids) by e-mail, the others by
    ``links`` (line of the file → address) that HR is shown once."""

    mailed: set[int]
    links: dict[int, str]


def deliver_import_invitations(session: Session, rows: Iterable[RowOutcome], days: int,
                               now: dt.datetime | None = None) -> Delivery:
    """The staff import's invitations (``ImportResult.invitations``): e-mailed when possible (see
    :func:`email_invitations`), else left for HR to hand out. Flushes; the caller commits."""
    invited = [(row, session.get(User, row.user_id) if row.user_id else None) for row in rows if row.invitation]
    mailed = email_invitations(session, [(person, row.invitation) for row, person in invited
                                         if person is not None and row.invitation], days, now)
    links = {row.line: invitation_url(row.invitation) or "" for row, person in invited
             if row.invitation and (person is None or person.id not in mailed)}
    return Delivery(mailed, links)
