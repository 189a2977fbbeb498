"""The studio's outline edits, stored as drafts: add, rename, reorder and delete modules and activities."""
from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from ..core import outline
from ..core.content import Limits
from ..core.problems import define
from ..models import AuditEntry, Course, User
from . import authoring

TOO_LARGE = define("outline.too-large", "the change makes %(path)s larger than the limit")


def revision(data: bytes | None) -> str:
    """A short fingerprint of a file's text: what an editor started from, to notice another editor's save."""
    return hashlib.sha256(data or b"").hexdigest()[:16]


def apply(session: Session, course: Course, changes: outline.Changes, actor: User | None, limits: Limits,
          action: str) -> None:
    """Store ``changes`` as drafts of ``course`` and audit them; nothing is stored when one is refused."""
    for path, data in changes.items():
        if data is not None and len(data) > limits.for_path(path):
            raise authoring.AuthoringError(TOO_LARGE, path=path)
    for path, data in sorted(changes.items()):
        authoring.save_draft(session, course, path, data, actor)
    session.add(AuditEntry(actor_id=actor.id if actor else None, action=f"course.outline.{action}",
                           target=course.slug, details={"files": sorted(changes)}))
    session.flush()


class Conflict(Exception):
    """Another editor saved the file after this editor opened it."""

    def __init__(self, theirs: bytes | None, who: str, when: object):
        self.theirs = theirs
        self.who = who
        self.when = when
        super().__init__("conflict")


def save_text(session: Session, course: Course, path: str, text: bytes, base: str | None, actor: User) -> None:
    """Save one file's draft, unless it changed since the editor opened it (``base``, see :func:`revision`)."""
    files = authoring.working_files(session, course)
    current = files.get(path)
    if base is not None and revision(current) != base and current != text:
        draft = authoring.drafts(session, course).get(path)
        person = session.get(User, draft.updated_by_id) if draft is not None and draft.updated_by_id else None
        who = person.name if person is not None else ""
        raise Conflict(current, who, draft.updated_at if draft is not None else None)
    authoring.save_draft(session, course, path, text, actor)
