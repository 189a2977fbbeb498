"""Item analysis: how each quiz question and each scenario step performed (pure Python).

For quizzes, classical test theory on submitted attempts:

- **facility index**: the share of the attempts that were asked a question
  which answered it fully correctly (``correct is True`` in the graded
  result). High means easy.
- **discrimination index**: Kelley's upper-minus-lower groups. The attempts
  that were asked the question are ranked by their total score (percent);
  the top 27 % and the bottom 27 % (at least one attempt each) form the upper
  and lower groups, and the index is the facility of the upper group minus
  that of the lower group, from -1 to 1. A good question is answered
  correctly more often by strong learners (index well above 0); a negative
  index points to a misleading question or a wrong answer key. It needs at
  least two attempts and is ``None`` below that.
- **most-chosen wrong answer**: for choice questions the wrong option picked
  most often (single/true-false: any option that does not give full marks;
  multiple: options with no positive weight); for short and numeric
  questions the most frequent wrong answer as typed (normalised).

Open answers still waiting for a review are left out of both indices.

For scenarios, how often each reply was chosen at each step (free-text steps
count written replies under the reply id ``"text"``).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .quiz import Quiz, wrong_choices, wrong_text
from .scenario import CHOICE, TEXT, Scenario

#: share of attempts in each of the upper and lower groups (Kelley, 1939)
GROUP_SHARE = Decimal("0.27")
#: reply id under which free-text turns are recorded
TEXT_REPLY = "text"


@dataclass(frozen=True)
class AttemptRecord:
    """What item analysis needs of one submitted attempt.

    ``results`` is ``QuizAttempt.result['results']`` (a list of graded
    question dicts), ``answers`` the saved answers by question id and
    ``percent`` the attempt's total score.
    """

    percent: float
    results: Sequence[Mapping[str, Any]]
    answers: Mapping[str, Any]

    @classmethod
    def from_result(cls, result: Mapping[str, Any] | None, answers: Mapping[str, Any] | None) -> AttemptRecord:
        result = result or {}
        return cls(float(result.get("percent") or 0), tuple(result.get("results") or ()), dict(answers or {}))


@dataclass(frozen=True)
class WrongAnswer:
    """The most frequent wrong answer: an option (``option_id`` set) or a typed text."""

    text: str
    count: int
    option_id: str | None = None


@dataclass(frozen=True)
class QuestionStats:
    question_id: str
    title: str
    type: str
    #: attempts that were asked the question and are graded (not awaiting review)
    attempts: int
    correct: int
    facility: float | None
    discrimination: float | None
    wrong: WrongAnswer | None
    #: what the question asks (``Level:``): recall, application, or None when unmarked
    level: str | None = None


@dataclass(frozen=True)
class ReplyStats:
    reply_id: str
    text: str
    count: int
    share: float | None


@dataclass(frozen=True)
class StepStats:
    step_id: str
    title: str
    kind: str
    total: int
    replies: tuple[ReplyStats, ...]


def _group_size(n: int) -> int:
    return max(1, int((GROUP_SHARE * n).to_integral_value()))


def discrimination_index(scored: Sequence[tuple[float, bool]]) -> float | None:
    """Upper-minus-lower 27 % index of (attempt score, answered correctly) pairs.

    Ties in the score keep their given order, so the caller decides them.
    """
    n = len(scored)
    if n < 2:
        return None
    size = min(_group_size(n), n // 2)
    ranked = sorted(scored, key=lambda pair: pair[0])
    lower, upper = ranked[:size], ranked[-size:]
    return round(_share_correct(upper) - _share_correct(lower), 4)


def _share_correct(group: Sequence[tuple[float, bool]]) -> float:
    return sum(1 for _, ok in group if ok) / len(group)


def analyse_quiz(quiz: Quiz, attempts: Iterable[AttemptRecord]) -> list[QuestionStats]:
    """Statistics for every graded question of ``quiz`` over the given attempts."""
    attempts = list(attempts)
    stats = []
    for question in quiz.graded_questions:
        scored: list[tuple[float, bool]] = []
        options: Counter[str] = Counter()
        typed: Counter[str] = Counter()
        for attempt in attempts:
            graded = next((r for r in attempt.results if r.get("question_id") == question.id), None)
            if graded is None or graded.get("correct") is None:
                continue  # not asked in this attempt, or still waiting for a trainer
            correct = graded["correct"] is True
            scored.append((attempt.percent, correct))
            answer = attempt.answers.get(question.id)
            if correct or answer is None:
                continue
            options.update(wrong_choices(question, answer))
            text = wrong_text(question, answer)
            if text:
                typed[text] += 1
        wrong = None
        if options:
            order = {o.id: n for n, o in enumerate(question.options)}
            option_id, count = max(options.items(), key=lambda kv: (kv[1], -order.get(kv[0], 0)))
            option = question.option(option_id)
            wrong = WrongAnswer(option.text if option else option_id, count, option_id)
        elif typed:
            text, count = typed.most_common(1)[0]
            wrong = WrongAnswer(text, count)
        right = sum(1 for _, ok in scored if ok)
        stats.append(QuestionStats(
            question_id=question.id, title=question.title, type=question.type, attempts=len(scored),
            correct=right, facility=round(right / len(scored), 4) if scored else None,
            discrimination=discrimination_index(scored), wrong=wrong, level=question.level,
        ))
    return stats


def analyse_scenario(scenario: Scenario, counts: Mapping[tuple[str, str], int]) -> list[StepStats]:
    """How often each reply was chosen at each step that asks the learner something.

    ``counts`` maps (step id, reply id) to the number of times it was chosen.
    Steps are in script order; replies in the order the author wrote them,
    including those nobody chose.
    """
    stats = []
    for step in scenario.steps:
        if step.kind == CHOICE:
            replies = [(reply.id, reply.text) for reply in step.replies]
        elif step.kind == TEXT:
            replies = [(TEXT_REPLY, step.prompt)]
        else:
            continue
        total = sum(counts.get((step.id, reply_id), 0) for reply_id, _ in replies)
        stats.append(StepStats(
            step_id=step.id, title=step.title, kind=step.kind, total=total,
            replies=tuple(ReplyStats(reply_id, text, counts.get((step.id, reply_id), 0),
                                     round(counts.get((step.id, reply_id), 0) / total, 4) if total else None)
                          for reply_id, text in replies),
        ))
    return stats
