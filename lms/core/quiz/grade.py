"""Answers: checking their shape, grading, reading them from a form, and putting them in words."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from ..problems import define
from ..xapi import Interaction
from .draw import AttemptPlan
from .errors import NOT_IN_ATTEMPT, AnswerError, ReviewError
from .model import Question, Quiz
from .numbers import FRACTION_STEP, PERCENT_STEP, SCORE_STEP, json_number, to_decimal
from .registry import FormValues, strategy_for

__all__ = [
    "Review", "QuestionResult", "AttemptResult", "validate_answer", "grade_question", "grade_attempt",
    "finalize_with_review", "read_answer", "describe_answer", "describe_solution", "wrong_choices", "wrong_text",
    "xapi_interaction", "xapi_response",
]

REVIEW_NOT_OPEN = define("quiz-review-not-open", "only open questions of this attempt can be reviewed")


@dataclass(frozen=True)
class Review:
    """A trainer's grading of an open answer: points awarded and a comment."""

    points: Decimal
    comment: str = ""


@dataclass(frozen=True)
class QuestionResult:
    """The grading of one question.

    ``fraction`` is 0..1 (negative sums are clamped at 0); ``score`` is in
    points. ``correct`` is ``None`` while an open answer awaits review.
    ``feedback`` holds the feedback of what the learner chose (and the
    trainer's comment); ``explanation`` and ``lesson`` come from the question.
    """

    question_id: str
    type: str
    score: Decimal
    max_points: Decimal
    fraction: Decimal
    correct: bool | None
    answered: bool
    feedback: tuple[str, ...] = ()
    explanation: str = ""
    lesson: str | None = None

    @property
    def awaiting_review(self) -> bool:
        return self.correct is None

    def to_dict(self) -> dict:
        return {
            "question_id": self.question_id, "type": self.type,
            "score": json_number(self.score), "max_points": json_number(self.max_points),
            "fraction": json_number(self.fraction.quantize(FRACTION_STEP)), "correct": self.correct,
            "answered": self.answered, "feedback": list(self.feedback),
            "explanation": self.explanation, "lesson": self.lesson,
        }


class _ResultBase(TypedDict):
    """The :class:`QuestionResult` fields taken from the question itself."""

    question_id: str
    type: str
    max_points: Decimal
    explanation: str
    lesson: str | None


@dataclass(frozen=True)
class AttemptResult:
    """The grading of an attempt. ``passed`` is ``None`` while open answers
    await review (their ids are in ``pending``)."""

    points: Decimal
    max_points: Decimal
    percent: Decimal
    passed: bool | None
    results: tuple[QuestionResult, ...]
    pending: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "points": json_number(self.points), "max_points": json_number(self.max_points),
            "percent": json_number(self.percent), "passed": self.passed,
            "pending": list(self.pending), "results": [r.to_dict() for r in self.results],
        }


def validate_answer(question: Question, raw: Any) -> Any:
    """Check a submitted answer's shape and return it in canonical form.

    Shapes: single/true_false: option id; multiple: list of option ids
    (returned in option order, duplicates refused); short/open: string;
    numeric: string or number (returned as a canonical decimal string);
    matching: ``{left_id: right_id}`` (unanswered lefts may be left out);
    ordering: list of all item ids. Raises :class:`AnswerError`.
    """
    return strategy_for(question).check(question, raw)


def grade_question(question: Question, answer: Any, review: Review | None = None) -> QuestionResult:
    """Grade one answer (``None`` = not answered). Validates it first.

    Single/true-false: the chosen option's weight. Multiple: sum of the chosen
    weights clamped to 0..1, full marks exactly when all correct and no wrong
    options are chosen. Short: best matching accepted answer after
    normalisation. Numeric: best accepted answer whose range (inclusive)
    holds the number. Matching: share of correct lefts. Ordering: share of
    neighbouring pairs in the right order. Open: awaits ``review``.
    """
    q = question
    kind = strategy_for(q)
    base = _ResultBase(question_id=q.id, type=q.type, max_points=q.points, explanation=q.explanation,
                       lesson=q.lesson)
    if not kind.graded:
        return QuestionResult(score=Decimal(0), fraction=Decimal(0), correct=True, answered=False, **base)
    if kind.is_blank(answer):
        return QuestionResult(score=Decimal(0), fraction=Decimal(0), correct=False, answered=False, **base)
    outcome = kind.grade(q, kind.check(q, answer), review)
    score = outcome.score
    if score is None:
        score = (outcome.fraction * q.points).quantize(SCORE_STEP, ROUND_HALF_UP)
    return QuestionResult(score=score, fraction=outcome.fraction, correct=outcome.correct, answered=True,
                          feedback=outcome.feedback, **base)


def grade_attempt(quiz: Quiz, plan: AttemptPlan, answers: Mapping[str, Any],
                  reviews: Mapping[str, Review | int | float | str | Decimal] | None = None
                  ) -> AttemptResult:
    """Grade an attempt: every question of ``plan`` (missing answers score 0).

    Raises :class:`AnswerError` for an answer to a question that is not in
    the plan or an answer of the wrong shape, and :class:`ReviewError` for a
    review of a question that is not an open question of the plan.
    """
    in_plan = set(plan.question_ids)
    for qid in answers:
        if qid not in in_plan:
            raise AnswerError(qid, NOT_IN_ATTEMPT)
    checked: dict[str, Review] = {}
    for qid, review in (reviews or {}).items():
        if qid not in in_plan or not strategy_for(quiz.question(qid)).reviewed:
            raise ReviewError(qid, REVIEW_NOT_OPEN)
        checked[qid] = review if isinstance(review, Review) else Review(to_decimal(review))

    results = [grade_question(quiz.question(qid), answers.get(qid), checked.get(qid))
               for qid in plan.question_ids]
    graded = [r for r in results if strategy_for(r.type).graded]
    points = sum((r.score for r in graded), Decimal(0))
    max_points = sum((r.max_points for r in graded), Decimal(0))
    percent = (points * 100 / max_points) if max_points else Decimal(100)
    pending = tuple(r.question_id for r in graded if r.correct is None)
    passed = None if pending else percent >= quiz.settings.pass_mark
    return AttemptResult(points=points, max_points=max_points,
                         percent=percent.quantize(PERCENT_STEP, ROUND_HALF_UP),
                         passed=passed, results=tuple(results), pending=pending)


def finalize_with_review(quiz: Quiz, plan: AttemptPlan, answers: Mapping[str, Any],
                         reviews: Mapping[str, Review | int | float | str | Decimal]
                         ) -> AttemptResult:
    """Recompute an attempt once a trainer has scored its open answers.

    ``reviews`` maps open question ids to a :class:`Review` (or plain points).
    Open questions still without a review stay pending (``passed`` is then
    ``None``); points outside ``0..max`` raise :class:`ReviewError`.
    """
    return grade_attempt(quiz, plan, answers, reviews)


def read_answer(shown: Mapping[str, Any], form: FormValues) -> Any:
    """The answer a quiz page posted for one question, in the ids the page named its choices by.

    ``shown`` is the public question the page rendered (:func:`public_question`, or
    :meth:`AttemptTokens.public_question` with tokens); ``form`` the submitted values
    (a ``MultiDict``, or a plain mapping whose list values hold every value of a field).
    Fields: ``q-<id>`` (one option, several options, or the typed text) and, for
    matching and ordering, ``q-<id>-<choice id>`` (the right side chosen; the position
    typed). Returns the shape :func:`validate_answer` takes, or ``None``/empty when
    nothing was answered; it checks nothing.
    """
    return strategy_for(shown["type"]).read(shown, form)


def describe_answer(question: Question, answer: Any) -> str:
    """A learner's answer in words, with the quiz's own texts (results, reviews, records).

    Options by their text (several joined with ``; ``), matching as ``left → right``
    pairs, ordering as ``a → b → c``, typed answers as typed; ``""`` when unanswered.
    """
    if answer is None or answer == "" or answer == []:
        return ""
    return strategy_for(question).describe(question, answer)


def describe_solution(question: Question) -> str:
    """The answer that earns full marks, in words, with the quiz's own texts: the full-mark option(s),
    accepted answer(s) or range(s), every pair, the steps in order; ``""`` for open answers.

    For the results page only, after submission and when the quiz lets learners see it."""
    return strategy_for(question).solution(question)


def wrong_choices(question: Question, answer: Any) -> list[str]:
    """The option ids of a wrong answer that cost marks (single/true-false: the chosen option unless
    it gives full marks; multiple: chosen options with no positive weight). For item analysis."""
    return strategy_for(question).wrong_choices(question, answer)


def wrong_text(question: Question, answer: Any) -> str | None:
    """A wrong typed answer as item analysis counts it: short answers normalised, numbers as
    stored; ``None`` for other types or a blank answer."""
    return strategy_for(question).wrong_text(question, answer)


def xapi_interaction(question: Question) -> Interaction:
    """The question as an xAPI interaction (learning records): single and multiple choice are
    ``choice``, true/false ``true-false``, short ``fill-in``, numeric ``numeric``, matching
    ``matching``, ordering ``sequencing``, open ``long-fill-in``; components by authored ids."""
    return strategy_for(question).interaction(question)


def xapi_response(question: Question, answer: Any) -> str | None:
    """A stored answer (authored ids) in the xAPI response format of :func:`xapi_interaction`:
    ``a[,]c`` for choices and steps, ``a[.]r1[,]b[.]r2`` for matching, the number or text as given.
    ``None`` when there is none: unanswered, a description, or an answer the question no longer takes."""
    kind = strategy_for(question)
    if not kind.graded or kind.is_blank(answer):
        return None
    try:
        return kind.response(question, kind.check(question, answer))
    except AnswerError:
        return None
