"""Typed answers: short answer (text compared normalised) and numeric (a number in a range)."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ...problems import define
from ...textnorm import normalize_answer
from ...xapi import Interaction, response_range
from ..errors import AnswerError
from ..model import NumericAnswer, Question, TextAnswer
from ..numbers import NumericSpecError, parse_number, parse_numeric_spec, plain_decimal
from ..registry import FormValues, Outcome, QuestionType, Report, form_value
from ..scan import RawAnswer, RawQuestion, feedback_text, weight_of
from ..writer import answer_lines, looks_weighted

__all__ = ["ShortAnswer", "Numeric", "MAX_SHORT_ANSWER"]

#: longest short answer a learner may submit, in characters
MAX_SHORT_ANSWER = 1000

EMPTY_ANSWER = define(
    "quiz-empty-answer",
    "accepted answer is empty (only spaces or punctuation); write the answer after 'Answer:'")
SHORT_NO_ANSWERS = define(
    "quiz-short-no-answers", "short-answer question has no accepted answers; add 'Answer: ...' lines")
SHORT_NO_FULL_ANSWER = define(
    "quiz-short-no-full-answer", "no accepted answer gives full marks; give one 'Answer:' without a weight")
NUMERIC_NO_FULL_ANSWER = define(
    "quiz-numeric-no-full-answer", "no numeric answer gives full marks; give one 'Answer:' without a weight")
NUMERIC_NO_ANSWERS = define(
    "quiz-numeric-no-answers", "numeric question has no valid answer; add e.g. 'Answer: 42 ± 2'")
NOT_TEXT = define("quiz-answer-not-text", "expected text")
TOO_LONG = define("quiz-answer-too-long", "answer is too long (more than %(limit)s characters)")
NOT_NUMBER_TYPE = define("quiz-answer-not-number-type", "expected a number")
NUMBER_TOO_LONG = define("quiz-answer-number-too-long", "answer is too long to be a number")
NOT_A_NUMBER = define("quiz-answer-not-a-number", "'%(answer)s' is not a number")


def check_text(question: Question, raw: Any, limit: int) -> str:
    """A typed text answer of at most ``limit`` characters."""
    if not isinstance(raw, str):
        raise AnswerError(question.id, NOT_TEXT)
    if len(raw) > limit:
        raise AnswerError(question.id, TOO_LONG, limit=limit)
    return raw


def _answer_weight(answer: RawAnswer, report: Report) -> Decimal:
    if answer.weight is None:
        return Decimal(1)
    parsed = weight_of(answer.weight, answer.line, report, lo=0)
    return parsed if parsed is not None else Decimal(0)


class _Typed(QuestionType):
    structure = "answers"
    typed = True

    def is_blank(self, answer: Any) -> bool:
        return answer is None or (isinstance(answer, str) and not answer.strip())

    def read(self, shown: Mapping[str, Any], form: FormValues) -> Any:
        return (form_value(form, f"q-{shown['id']}") or "").strip()

    def response(self, question: Question, answer: Any) -> str:
        return str(answer).strip()


class ShortAnswer(_Typed):
    """Short answer: the learner's text is compared with each accepted answer, normalised."""

    name = "short"
    aliases = ("short_answer", "text")

    def build(self, raw: RawQuestion, report: Report) -> dict[str, Any]:
        out = []
        for a in raw.answers:
            fraction = _answer_weight(a, report)
            if not normalize_answer(a.value):
                report(a.line, EMPTY_ANSWER)
                continue
            out.append(TextAnswer(a.value, fraction, feedback_text(a.feedback)))
        return {"answers": tuple(out)}

    def validate(self, question: Question) -> list[tuple[str, dict[str, Any]]]:
        if not question.answers:
            return [(SHORT_NO_ANSWERS, {})]
        if not any(a.fraction == 1 for a in question.answers):
            return [(SHORT_NO_FULL_ANSWER, {})]
        return []

    def check(self, question: Question, raw: Any) -> Any:
        return check_text(question, raw, MAX_SHORT_ANSWER)

    def grade(self, question: Question, answer: Any, review: Any) -> Outcome:
        given = normalize_answer(answer)
        best = None
        for accepted in question.answers:
            if normalize_answer(accepted.text) == given and (best is None or accepted.fraction > best.fraction):
                best = accepted
        fraction = best.fraction if best else Decimal(0)
        return Outcome(fraction, fraction == 1, (best.feedback,) if best and best.feedback else ())

    def wrong_text(self, question: Question, answer: Any) -> str | None:
        return normalize_answer(str(answer)) if str(answer).strip() else None

    def interaction(self, question: Question) -> Interaction:
        """A fill-in; every full-mark answer is a correct response (compared ignoring case, the
        pattern's default)."""
        return Interaction("fill-in", tuple(a.text for a in question.answers if a.fraction == 1))

    def solution(self, question: Question) -> str:
        return " / ".join(a.text for a in question.answers if a.fraction == 1)

    def markdown(self, question: Question) -> list[str]:
        out: list[str] = []
        for a in question.answers:
            out += answer_lines(a.text, a.fraction, a.feedback, looks_weighted(a.text))
        return out


class Numeric(_Typed):
    """Numeric: any number inside an accepted answer's range (``42 ± 2``, ``10..30``)."""

    name = "numeric"
    aliases = ("number", "numerical")

    def build(self, raw: RawQuestion, report: Report) -> dict[str, Any]:
        out = []
        for a in raw.answers:
            fraction = _answer_weight(a, report)
            try:
                low, high, value, tol = parse_numeric_spec(a.value)
            except NumericSpecError as exc:
                report(a.line, exc.code, **exc.params)
                continue
            out.append(NumericAnswer(low, high, fraction, feedback_text(a.feedback), value, tol))
        return {"numeric": tuple(out)}

    def validate(self, question: Question) -> list[tuple[str, dict[str, Any]]]:
        if question.numeric and not any(a.fraction == 1 for a in question.numeric):
            return [(NUMERIC_NO_FULL_ANSWER, {})]
        if not question.numeric:
            return [(NUMERIC_NO_ANSWERS, {})]
        return []

    def check(self, question: Question, raw: Any) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
            raise AnswerError(question.id, NOT_NUMBER_TYPE)
        if isinstance(raw, str) and len(raw) > 100:
            raise AnswerError(question.id, NUMBER_TOO_LONG)
        try:
            return plain_decimal(parse_number(raw))
        except ValueError:
            raise AnswerError(question.id, NOT_A_NUMBER, answer=str(raw)) from None

    def grade(self, question: Question, answer: Any, review: Any) -> Outcome:
        number = Decimal(answer)
        best = None
        for accepted in question.numeric:
            if accepted.matches(number) and (best is None or accepted.fraction > best.fraction):
                best = accepted
        fraction = best.fraction if best else Decimal(0)
        return Outcome(fraction, fraction == 1, (best.feedback,) if best and best.feedback else ())

    def wrong_text(self, question: Question, answer: Any) -> str | None:
        return str(answer) if str(answer).strip() else None

    def interaction(self, question: Question) -> Interaction:
        """A numeric; each full-mark range is a correct response, ``min[:]max`` (``42 ± 2`` is ``40[:]44``)."""
        return Interaction("numeric", tuple(response_range(plain_decimal(a.low), plain_decimal(a.high))
                                            for a in question.numeric if a.fraction == 1))

    def solution(self, question: Question) -> str:
        return " / ".join(a.spec().replace("..", "–") for a in question.numeric if a.fraction == 1)

    def markdown(self, question: Question) -> list[str]:
        out: list[str] = []
        for n in question.numeric:
            out += answer_lines(n.spec(), n.fraction, n.feedback, False)
        return out
