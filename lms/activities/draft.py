"""Playing a draft: a trainer takes an unpublished quiz or role-play exactly as a learner would.

The studio's play mode (``lms/author/play.py``) finds the activity in the course's working files
and hands a :class:`DraftPlay` to the kind's player, the object ``PLAYER`` in its package's
``draft`` module (``lms/activities/<kind>/draft.py``), for kinds whose ``draft_player`` is true.
A player renders the learner's own templates and answers their forms, but records nothing: no
attempt, no run, no progress, no review, no learning record. Where a learner's work lives in
the database, a play's lives in the signed Flask session (:meth:`DraftPlay.load`,
:meth:`DraftPlay.save`): a few small JSON entries, bounded in number and size, each bound to the
person, the course, the edition, the activity and the draft's revision. A changed draft ends
the play; a state the server cannot read is refused.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol

from flask import current_app, flash, session
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue

from ..i18n import _

if TYPE_CHECKING:
    from ..core.content import Activity, Edition, Module
    from ..models import Course
    from .base import ActivityKind

#: the session key holding the plays in progress
SESSION_KEY = "lms_draft_plays"
#: plays kept at once (one person, several tabs); the oldest goes first
MAX_PLAYS = 3
#: the most the session's cookie may take with the plays in it: browsers keep 4 kB a cookie, name and
#: attributes included, and a flashed message may still join it
MAX_COOKIE_BYTES = 3400
#: the most the plays may take (as JSON) in a session the host keeps on the server
MAX_STATE_BYTES = 32_000


class BadState(ValueError):
    """The saved play cannot be read: not written by this version, or not written by the server."""


class StateTooLarge(ValueError):
    """This play would not fit in the session (long written answers)."""


@dataclass(frozen=True)
class DraftContent:
    """A draft activity with the attributes the learner's templates read of a stored activity."""

    key: str
    kind: str
    title: str
    #: the edition's language
    language: str
    #: the language of the activity's own text (an edition may fall back to another's file)
    content_language: str
    html: str
    data: Mapping[str, Any]


class DraftPlayer(Protocol):
    """What a kind's ``draft.PLAYER`` does: its pages and forms, on the learner's templates."""

    def page(self, play: DraftPlay) -> ResponseReturnValue:
        """The activity's page (GET ``play.base``)."""

    def get(self, play: DraftPlay, action: str) -> ResponseReturnValue:
        """Another page under ``play.base`` (``attempts/1``); ``abort(404)`` for an unknown one."""

    def post(self, play: DraftPlay, action: str) -> ResponseReturnValue:
        """A form posted to ``play.base/<action>`` (``quiz/save``, ``reply``); CSRF is checked already."""


def player_for(kind: ActivityKind) -> DraftPlayer | None:
    """The draft player of ``kind``, or None when its drafts are not played (lessons, tasks)."""
    if not kind.draft_player:
        return None
    player: DraftPlayer = import_module(f"{type(kind).__module__}.draft").PLAYER
    return player


def revision(data: bytes) -> str:
    """The draft's revision: a play started on one revision does not go on over another."""
    return hashlib.sha256(data).hexdigest()[:16]


def new_play_id() -> int:
    """A play's id, in place of an attempt's or a run's: random, and never a small database id."""
    return (1 << 52) | secrets.randbits(52)


@dataclass
class DraftPlay:
    """One person playing one draft activity in one edition."""

    course: Course
    edition: Edition
    module: Module
    activity: Activity
    content: DraftContent
    user_id: int
    #: the draft's revision (:func:`revision` of its file)
    revision: str
    #: the address of the play; the learner's templates add their actions to it (``/quiz/save``)
    base: str
    editor_url: str
    course_url: str
    #: set by :meth:`load` when a saved play was dropped because the draft changed since
    changed: bool = False

    @property
    def key(self) -> str:
        return f"{self.user_id}:{self.course.slug}:{self.edition.language}:{self.content.key}"

    def token_key(self, play_id: int, seed: int) -> str:
        """What makes a play's quiz choice tokens its own (an attempt's are ``id:seed``)."""
        return f"draft:{self.key}:{play_id}:{seed}"

    def _plays(self) -> dict[str, Any]:
        plays = session.get(SESSION_KEY)
        return dict(plays) if isinstance(plays, dict) else {}

    def load(self) -> dict[str, Any] | None:
        """The saved state of this play; None when there is none, or when the draft changed since
        (the play is dropped and :attr:`changed` set). :class:`BadState` when it cannot be read."""
        entry = self._plays().get(self.key)
        if entry is None:
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("rev"), str) or not isinstance(
                entry.get("state"), dict):
            raise BadState("not a draft play")
        if entry["rev"] != self.revision:
            self.clear()
            self.changed = True
            flash(_("The draft changed since you started playing it, so the preview starts again."), "info")
            return None
        state: dict[str, Any] = entry["state"]
        return state

    def save(self, state: dict[str, Any]) -> None:
        """Keep ``state`` as this play's (the newest); older plays go when there is no room.
        :class:`StateTooLarge` when this one alone does not fit."""
        plays = self._plays()
        plays.pop(self.key, None)
        plays[self.key] = {"rev": self.revision, "state": state}
        while len(plays) > MAX_PLAYS or (len(plays) > 1 and _too_large(plays)):
            plays.pop(next(iter(plays)))
        if _too_large(plays):
            raise StateTooLarge(self.key)
        session[SESSION_KEY] = plays

    def clear(self) -> None:
        plays = self._plays()
        if plays.pop(self.key, None) is not None:
            session[SESSION_KEY] = plays


def _too_large(plays: Mapping[str, Any]) -> bool:
    """Whether the session would be too large with ``plays`` in it: its signed cookie, as Flask
    writes it, when the session is a cookie; the plays' JSON otherwise."""
    interface = current_app.session_interface
    if isinstance(interface, SecureCookieSessionInterface):
        serializer = interface.get_signing_serializer(current_app)
        if serializer is not None:
            return len(serializer.dumps({**dict(session), SESSION_KEY: dict(plays)})) > MAX_COOKIE_BYTES
    return len(json.dumps(plays, separators=(",", ":")).encode()) > MAX_STATE_BYTES
