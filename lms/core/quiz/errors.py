"""Refused answers and refused reviews: a problem code with its parameters, worded at the edge."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..problems import Problem, define

__all__ = ["AnswerError", "ReviewError", "NOT_IN_ATTEMPT"]

NOT_IN_ATTEMPT = define("quiz-answer-not-in-attempt", "this question is not part of the attempt")


class _QuestionError(ValueError):
    """An error about one question: ``code`` and ``params`` say what is wrong.

    ``message`` is the English text (logs, tests); :meth:`text` words it in the
    reader's language with their gettext. ``str()`` is ``"<question id>: <message>"``.
    """

    def __init__(self, question_id: str, code: str, /, **params: Any):
        self.question_id = question_id
        self.code = code
        self.params = params
        self.problem = Problem.of(question_id, 0, code, **params)
        self.message = self.problem.message
        super().__init__(f"{question_id}: {self.message}")

    def text(self, translate: Callable[[str], str] | None = None) -> str:
        """The message, through ``translate`` (a gettext) when given."""
        return self.problem.text(translate)


class AnswerError(_QuestionError):
    """A submitted answer has the wrong shape or refers to unknown ids.

    ``AnswerError(question_id, CODE, **params)``; a ``code`` that is not a defined
    problem code is shown as it is (so an English sentence still works).
    """


class ReviewError(_QuestionError):
    """A trainer review is not acceptable (wrong question, points out of range)."""
