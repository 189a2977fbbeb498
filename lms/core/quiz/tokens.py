"""Opaque per-attempt tokens: the only names of choices that reach a learner's browser.

A quiz file's ids say too much. Authors tend to write the right option first,
so its id is ``a`` (every single-choice question of the built-in course), and
a script that answers ``a`` everywhere would pass. So a quiz page never shows
an authored id: every choice it offers (single, multiple and true/false
options, matching lefts and rights, ordering items) is named by a token, the
first :data:`TOKEN_LENGTH` url-safe characters of an HMAC-SHA256 of the
attempt, the question, the kind of choice and the authored id, keyed with a
server-side secret.

Tokens look random: neither a token nor the sorted order of a question's
tokens says anything about the authored order or the right answer; they
differ between attempts and between questions; and the way back needs no
storage, because the server recomputes a question's tokens when it reads the
form. Answers are stored, graded, reviewed, analysed and sent to the LRS in
authored ids: tokens exist only between rendering a page and reading its form.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from ..problems import define
from .draw import AttemptPlan, public_question
from .errors import AnswerError
from .model import Question, Quiz
from .registry import strategy_for

__all__ = ["TOKEN_LENGTH", "AttemptTokens"]

UNKNOWN_CHOICE = define("quiz-answer-unknown-choice", "the answer names a choice this attempt did not offer")

#: characters of a token: 60 bits, so two choices of a question practically never share one
TOKEN_LENGTH = 10
#: the lists of :func:`~lms.core.quiz.public_question` that name choices, and the kind of each
_PUBLIC_LISTS = (("options", "option"), ("lefts", "left"), ("rights", "right"), ("items", "item"))


def _authored_ids(question: Question, kind: str) -> list[str]:
    if kind == "option":
        return [o.id for o in question.options]
    if kind == "left":
        return [p.left_id for p in question.pairs]
    if kind == "right":
        return [rid for rid, _ in question.rights()]
    if kind == "item":
        return [i.id for i in question.items]
    raise ValueError(f"unknown kind of choice '{kind}'")  # pragma: no cover


class AttemptTokens:
    """The tokens of one attempt's choices, and the way back to authored ids.

    ``secret`` is the server's secret (the application's secret key); a key
    for this one purpose is derived from it. ``attempt_key`` names the attempt
    (its database id and its random seed), so every attempt gets its own tokens.
    """

    def __init__(self, secret: str | bytes | None, attempt_key: str) -> None:
        raw = secret.encode() if isinstance(secret, str) else bytes(secret or b"")
        if not raw:
            raise ValueError("quiz choice tokens need a secret key")
        self._key = hmac.new(raw, b"lms.quiz.choice-tokens", hashlib.sha256).digest()
        self._attempt = attempt_key
        self._cache: dict[tuple[str, str], dict[str, str]] = {}

    def tokens(self, question: Question, kind: str) -> dict[str, str]:
        """Authored id -> token for the choices of ``kind`` (option, left, right, item)."""
        cached = self._cache.get((question.id, kind))
        if cached is None:
            full = {}
            for authored in _authored_ids(question, kind):
                message = "\x1f".join((self._attempt, question.id, kind, authored)).encode()
                digest = hmac.new(self._key, message, hashlib.sha256).digest()
                full[authored] = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            cached = {authored: token[:TOKEN_LENGTH] for authored, token in full.items()}
            if len(set(cached.values())) < len(cached):  # a 1-in-10^17 clash: use the whole digest
                cached = full
            self._cache[(question.id, kind)] = cached
        return cached

    def authored(self, question: Question, kind: str, token: Any) -> str:
        """The authored id a token names; :class:`~lms.core.quiz.AnswerError` for any other value."""
        if isinstance(token, str):
            for authored, known in self.tokens(question, kind).items():
                if known == token:
                    return authored
        raise AnswerError(question.id, UNKNOWN_CHOICE)

    def public_question(self, quiz: Quiz, question_id: str, plan: AttemptPlan) -> dict:
        """:func:`~lms.core.quiz.public_question` with every choice id replaced by its token.

        The display order is the plan's, unchanged.
        """
        shown = public_question(quiz, question_id, plan)
        question = quiz.question(question_id)
        for field, kind in _PUBLIC_LISTS:
            if field in shown:
                tokens = self.tokens(question, kind)
                shown[field] = [{**entry, "id": tokens[entry["id"]]} for entry in shown[field]]
        return shown

    def to_browser(self, question: Question, answer: Any) -> Any:
        """A stored answer (authored ids) in tokens, to show it checked on the page again."""
        if answer is None:
            return None
        return strategy_for(question).to_browser(question, answer, self)

    def from_browser(self, question: Question, raw: Any) -> Any:
        """A posted answer (tokens, in the shape :func:`~lms.core.quiz.validate_answer`
        takes) in authored ids. ``None`` stays ``None``; a token this attempt did not
        offer for this question raises :class:`~lms.core.quiz.AnswerError`."""
        if raw is None:
            return None
        return strategy_for(question).from_browser(question, raw, self)
