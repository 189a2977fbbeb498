"""Open answers a trainer scores, and description blocks that ask nothing."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ...problems import define
from ...xapi import Interaction
from ..errors import AnswerError, ReviewError
from ..model import Question
from ..numbers import SCORE_STEP, plain_decimal, to_decimal
from ..registry import Outcome, QuestionType, Report
from ..scan import RawQuestion
from .typed import _Typed, check_text

__all__ = ["OpenAnswer", "Description", "MAX_OPEN_ANSWER"]

#: longest open answer a learner may submit, in characters
MAX_OPEN_ANSWER = 50_000

REVIEW_NOT_NUMBER = define("quiz-review-not-number", "review points '%(points)s' are not a number")
REVIEW_OUT_OF_RANGE = define(
    "quiz-review-out-of-range", "review points must be between 0 and %(max)s, not %(points)s")
DESCRIPTION_NO_ANSWER = define("quiz-answer-description", "a description takes no answer")


class OpenAnswer(_Typed):
    """Open answer (essay): waits for a trainer's review, which gives points and a comment."""

    name = "open"
    aliases = ("open_answer", "essay", "free_text")
    structure = "rubric"
    reviewed = True

    def build(self, raw: RawQuestion, report: Report) -> dict[str, Any]:
        return {"rubric": tuple(r for r in raw.rubric if r)}

    def check(self, question: Question, raw: Any) -> Any:
        return check_text(question, raw, MAX_OPEN_ANSWER)

    def grade(self, question: Question, answer: Any, review: Any) -> Outcome:
        if review is None:
            return Outcome(Decimal(0), None, score=Decimal(0))
        points = review_points(question, review)
        fraction = points / question.points if question.points else Decimal(0)
        return Outcome(fraction, points == question.points, (review.comment,) if review.comment else (),
                       score=points)

    def interaction(self, question: Question) -> Interaction:
        """A long-fill-in with no correct responses pattern: a trainer scores it."""
        return Interaction("long-fill-in")

    def markdown(self, question: Question) -> list[str]:
        if not question.rubric:
            return []
        return ["Rubric:"] + [f"- {item}" for item in question.rubric]


def review_points(question: Question, review: Any) -> Decimal:
    """A review's points, checked against ``0..question.points``; :class:`ReviewError` otherwise."""
    try:
        points = to_decimal(review.points)
    except (InvalidOperation, ValueError):
        raise ReviewError(question.id, REVIEW_NOT_NUMBER, points=str(review.points)) from None
    if not points.is_finite() or points < 0 or points > question.points:
        raise ReviewError(question.id, REVIEW_OUT_OF_RANGE, max=plain_decimal(question.points),
                          points=str(review.points))
    return points.quantize(SCORE_STEP, ROUND_HALF_UP)


class Description(QuestionType):
    """A block of text between questions: no points, no answer."""

    name = "description"
    aliases = ("info", "text_only")
    graded = False

    def check(self, question: Question, raw: Any) -> Any:
        raise AnswerError(question.id, DESCRIPTION_NO_ANSWER)
