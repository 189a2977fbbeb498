"""Writing a quiz out: the project's Markdown quiz format, and the JSON report of ``lms quiz parse``.

``parse_quiz(quiz_to_markdown(q))`` gives a quiz equal to ``q``: every question
gets an explicit ``{#id}`` and ``Type:`` line, and each question type writes its
own answers (:meth:`~lms.core.quiz.registry.QuestionType.markdown`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import yaml

from ..problems import WARNING, Problem
from .model import Question, Quiz
from .numbers import json_number, percent_text, plain_decimal
from .registry import strategy_for

__all__ = ["quiz_to_markdown", "quiz_to_json", "feedback_lines", "answer_lines", "looks_weighted"]

_LOOKS_WEIGHTED = re.compile(r"^\(\s*[-+]?\d+(?:[.,]\d+)?\s*%\s*\)")


def looks_weighted(text: str) -> bool:
    """Whether ``text`` starts like a ``(50%)`` weight, so writing it needs an explicit weight first."""
    return bool(_LOOKS_WEIGHTED.match(text))


def feedback_lines(feedback: str, indent: str = "  ") -> list[str]:
    """Feedback as ``>`` lines under an option or an answer."""
    if not feedback:
        return []
    return [f"{indent}> {line}".rstrip() for line in feedback.split("\n")]


def answer_lines(spec: str, fraction: Decimal, feedback: str, force_weight: bool) -> list[str]:
    """An ``Answer:`` line (with its weight unless it is 100 %) and its feedback."""
    weight = f"({percent_text(fraction)}%) " if fraction != 1 or force_weight else ""
    return [f"Answer: {weight}{spec}"] + feedback_lines(feedback)


def quiz_to_markdown(quiz: Quiz) -> str:
    """Write ``quiz`` in the project's Markdown quiz format.

    Every question gets an explicit ``{#id}`` and ``Type:`` line, so parsing
    the result gives back an equal quiz (ids and types do not depend on
    position or inference).
    """
    meta = {"type": "quiz", "title": quiz.title}
    for key, value in quiz.settings.to_dict().items():
        meta[key] = value
    parts = ["---", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).rstrip(), "---", ""]
    if quiz.description:
        parts += [quiz.description, ""]
    for q in quiz.questions:
        parts.append(f"## {q.title.replace(chr(10), ' ')} {{#{q.id}}}")
        parts.append("")
        if q.text:
            parts += [q.text, ""]
        parts.append(f"Type: {q.type}")
        default_points = Decimal(1) if q.graded else Decimal(0)
        if q.points != default_points:
            parts.append(f"Points: {plain_decimal(q.points)}")
        if q.category:
            parts.append(f"Category: {q.category}")
        parts.append("")
        body = strategy_for(q).markdown(q)
        if body:
            parts += body + [""]
        if q.explanation:
            parts.append(f"Explanation: {q.explanation}")
        if q.lesson:
            parts.append(f"Lesson: {q.lesson}")
        if q.explanation or q.lesson:
            parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"


def _problem_line(problem: Problem, translate: Callable[[str], str] | None) -> str:
    if translate is None:
        return str(problem)
    prefix = "warning: " if problem.severity == WARNING else ""   # the CLI's marker, as in str(problem)
    return f"{problem.path}:{problem.line}: {prefix}{problem.text(translate)}"


def _question_entry(q: Question) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": q.id, "line": q.line, "type": q.type, "title": q.title, "text": q.text,
        "points": json_number(q.points),
    }
    if q.options:
        entry["options"] = [o.to_dict() for o in q.options]
    if q.answers:
        entry["accepted_answers"] = [a.to_dict() for a in q.answers]
    if q.numeric:
        entry["numeric"] = [n.to_dict() for n in q.numeric]
    if q.pairs:
        entry["pairs"] = [{"left": p.left, "right": p.right} for p in q.pairs]
    if q.items:
        entry["order"] = [i.text for i in q.items]
    if q.rubric:
        entry["rubric"] = list(q.rubric)
    for key in ("explanation", "lesson", "category"):
        if getattr(q, key):
            entry[key] = getattr(q, key)
    return entry


def quiz_to_json(quiz: Quiz, problems: Iterable[Problem],
                 translate: Callable[[str], str] | None = None) -> dict:
    """A readable dump of a parsed quiz with its problems, for the CLI.

    Each question lists type, text, options with weight (-1..1) and feedback,
    accepted answers, numeric values and tolerances, matching pairs and the
    errors found between its heading and the next question. Problems outside
    any question are in the top-level ``errors``; ``ok`` is true when there
    are none at all. Problems are ``path:line: message`` in English, or in the
    reader's language through ``translate`` (a gettext).
    """
    problems = sorted(problems)
    starts = sorted((q.line, q.id) for q in quiz.questions if q.line)
    per_question: dict[str, list[str]] = {q.id: [] for q in quiz.questions}
    general: list[str] = []
    for p in problems:
        owner = None
        for line, qid in starts:
            if p.path == quiz.path and line <= p.line:
                owner = qid
        if owner is None:
            general.append(_problem_line(p, translate))
        else:
            per_question[owner].append(_problem_line(p, translate))
    questions = []
    for q in quiz.questions:
        entry = _question_entry(q)
        entry["errors"] = per_question[q.id]
        questions.append(entry)
    return {
        "path": quiz.path, "title": quiz.title, "settings": quiz.settings.to_dict(),
        "questions": questions, "errors": general, "ok": not problems,
    }
