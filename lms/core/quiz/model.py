"""The quiz model: questions with their options or accepted answers, settings, and ids.

Numbers that must be exact (points, weights, numeric answers) are
:class:`~decimal.Decimal`; ``to_dict`` methods give JSON-friendly values
(numeric answer bounds as strings, so they stay exact).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .numbers import json_number, plain_decimal, to_decimal
from .registry import strategy_for

__all__ = [
    "FEEDBACK_MODES", "LAYOUTS", "DEFAULT_SETTINGS", "Option", "TextAnswer", "NumericAnswer",
    "MatchPair", "OrderItem", "Question", "QuizSettings", "Quiz", "letter_id", "id_sort_key",
    "ordering_items", "matching_pairs",
]

#: Allowed values of the ``feedback`` setting.
FEEDBACK_MODES: tuple[str, ...] = ("immediate", "after_submit", "never")
#: Allowed values of the ``layout`` setting.
LAYOUTS: tuple[str, ...] = ("one_per_page", "all_on_one_page")
#: Every quiz setting with its default value.
DEFAULT_SETTINGS: Mapping[str, Any] = {
    "pass_mark": Decimal(80),
    "attempts": 0,
    "time_limit": 0,
    "shuffle_questions": False,
    "shuffle_options": False,
    "pool": 0,
    "feedback": "after_submit",
    "review": True,
    "layout": "one_per_page",
}


@dataclass(frozen=True)
class Option:
    """A choice of a single/multiple/true-false question.

    ``fraction`` is the share of the question's points the option is worth,
    from -1 to 1. ``feedback`` is shown when the learner picked it.
    """

    id: str
    text: str
    fraction: Decimal
    feedback: str = ""

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "fraction": json_number(self.fraction),
                "feedback": self.feedback}

    @classmethod
    def from_dict(cls, d: Mapping) -> Option:
        return cls(d["id"], d["text"], to_decimal(d["fraction"]), d.get("feedback", ""))


@dataclass(frozen=True)
class TextAnswer:
    """An accepted answer of a short-answer question (compared normalised)."""

    text: str
    fraction: Decimal = Decimal(1)
    feedback: str = ""

    def to_dict(self) -> dict:
        return {"text": self.text, "fraction": json_number(self.fraction), "feedback": self.feedback}

    @classmethod
    def from_dict(cls, d: Mapping) -> TextAnswer:
        return cls(d["text"], to_decimal(d["fraction"]), d.get("feedback", ""))


@dataclass(frozen=True)
class NumericAnswer:
    """An accepted numeric answer: any number in ``[low, high]`` (inclusive).

    Written either as ``value ± tolerance`` (then ``value`` and ``tolerance``
    are set) or as a range ``low..high`` (then they are ``None``).
    """

    low: Decimal
    high: Decimal
    fraction: Decimal = Decimal(1)
    feedback: str = ""
    value: Decimal | None = None
    tolerance: Decimal | None = None

    def matches(self, number: Decimal) -> bool:
        return self.low <= number <= self.high

    def spec(self) -> str:
        """The answer as written in a quiz file: ``42``, ``42 ± 2`` or ``10..30``."""
        if self.value is not None:
            tol = self.tolerance or Decimal(0)
            return plain_decimal(self.value) if tol == 0 else f"{plain_decimal(self.value)} ± {plain_decimal(tol)}"
        return f"{plain_decimal(self.low)}..{plain_decimal(self.high)}"

    def to_dict(self) -> dict:
        return {
            "value": None if self.value is None else plain_decimal(self.value),
            "tolerance": None if self.tolerance is None else plain_decimal(self.tolerance),
            "min": plain_decimal(self.low), "max": plain_decimal(self.high),
            "fraction": json_number(self.fraction), "feedback": self.feedback,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> NumericAnswer:
        return cls(
            Decimal(d["min"]), Decimal(d["max"]), to_decimal(d["fraction"]), d.get("feedback", ""),
            None if d.get("value") is None else Decimal(d["value"]),
            None if d.get("tolerance") is None else Decimal(d["tolerance"]),
        )


@dataclass(frozen=True)
class MatchPair:
    """One row of a matching question: ``left`` must be matched to ``right``.

    ``left_id`` follows the file order (a, b, ...); ``right_id`` (r1, r2, ...)
    follows the alphabetical order of the right-hand texts, so ids never reveal
    which right belongs to which left. Equal right texts share one id.
    """

    left_id: str
    left: str
    right_id: str
    right: str

    def to_dict(self) -> dict:
        return {"left_id": self.left_id, "left": self.left,
                "right_id": self.right_id, "right": self.right}

    @classmethod
    def from_dict(cls, d: Mapping) -> MatchPair:
        return cls(d["left_id"], d["left"], d["right_id"], d["right"])


@dataclass(frozen=True)
class OrderItem:
    """An item of an ordering question. Items are stored in the correct order;
    ids (a, b, ...) follow the alphabetical order of the texts, so they do not
    reveal the answer."""

    id: str
    text: str

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text}

    @classmethod
    def from_dict(cls, d: Mapping) -> OrderItem:
        return cls(d["id"], d["text"])


@dataclass(frozen=True)
class Question:
    """One question of a quiz (or a ``description`` block with no answer).

    ``title`` is the heading, ``text`` the Markdown below it. Only the fields
    of the question's ``type`` are filled: ``options`` (single, multiple,
    true_false), ``answers`` (short), ``numeric`` (numeric), ``pairs``
    (matching), ``items`` (ordering, correct order), ``rubric`` (open).
    ``line`` is the file line of the heading; it is not part of equality.
    """

    id: str
    type: str
    title: str
    text: str = ""
    points: Decimal = Decimal(1)
    options: tuple[Option, ...] = ()
    answers: tuple[TextAnswer, ...] = ()
    numeric: tuple[NumericAnswer, ...] = ()
    pairs: tuple[MatchPair, ...] = ()
    items: tuple[OrderItem, ...] = ()
    rubric: tuple[str, ...] = ()
    explanation: str = ""
    lesson: str | None = None
    category: str | None = None
    #: ``recall`` or ``application`` (``Level:``), None when the author did not say
    level: str | None = None
    line: int = field(default=0, compare=False)

    @property
    def graded(self) -> bool:
        """False for ``description`` blocks, which carry no points."""
        return strategy_for(self.type).graded

    def option(self, option_id: str) -> Option | None:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        return None

    def rights(self) -> tuple[tuple[str, str], ...]:
        """Distinct right-hand sides of a matching question as (id, text), by id."""
        seen: dict[str, str] = {}
        for pair in self.pairs:
            seen.setdefault(pair.right_id, pair.right)
        return tuple(sorted(seen.items(), key=lambda kv: id_sort_key(kv[0])))

    def to_dict(self) -> dict:
        return {
            "id": self.id, "type": self.type, "title": self.title, "text": self.text,
            "points": json_number(self.points),
            "options": [o.to_dict() for o in self.options],
            "answers": [a.to_dict() for a in self.answers],
            "numeric": [n.to_dict() for n in self.numeric],
            "pairs": [p.to_dict() for p in self.pairs],
            "items": [i.to_dict() for i in self.items],
            "rubric": list(self.rubric),
            "explanation": self.explanation, "lesson": self.lesson,
            "category": self.category, "level": self.level, "line": self.line,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Question:
        return cls(
            id=d["id"], type=d["type"], title=d["title"], text=d.get("text", ""),
            points=to_decimal(d.get("points", 1)),
            options=tuple(Option.from_dict(o) for o in d.get("options", ())),
            answers=tuple(TextAnswer.from_dict(a) for a in d.get("answers", ())),
            numeric=tuple(NumericAnswer.from_dict(n) for n in d.get("numeric", ())),
            pairs=tuple(MatchPair.from_dict(p) for p in d.get("pairs", ())),
            items=tuple(OrderItem.from_dict(i) for i in d.get("items", ())),
            rubric=tuple(d.get("rubric", ())),
            explanation=d.get("explanation", ""), lesson=d.get("lesson"),
            category=d.get("category"), level=d.get("level"), line=int(d.get("line", 0)),
        )


@dataclass(frozen=True)
class QuizSettings:
    """Quiz settings from the front matter (defaults in brackets).

    pass_mark [80] percent needed to pass; attempts [0 = unlimited];
    time_limit [0 = none] minutes; shuffle_questions / shuffle_options
    [false]; pool [0 = all] questions drawn per attempt; feedback
    [after_submit] ``immediate`` | ``after_submit`` | ``never``; review [true]
    may the learner see their answers afterwards; layout [one_per_page]
    ``one_per_page`` | ``all_on_one_page``.
    """

    pass_mark: Decimal = Decimal(80)
    attempts: int = 0
    time_limit: int = 0
    shuffle_questions: bool = False
    shuffle_options: bool = False
    pool: int = 0
    feedback: str = "after_submit"
    review: bool = True
    layout: str = "one_per_page"

    def to_dict(self) -> dict:
        return {
            "pass_mark": json_number(self.pass_mark), "attempts": self.attempts,
            "time_limit": self.time_limit, "shuffle_questions": self.shuffle_questions,
            "shuffle_options": self.shuffle_options, "pool": self.pool,
            "feedback": self.feedback, "review": self.review, "layout": self.layout,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> QuizSettings:
        base = cls()
        return cls(
            pass_mark=to_decimal(d.get("pass_mark", base.pass_mark)),
            attempts=int(d.get("attempts", base.attempts)),
            time_limit=int(d.get("time_limit", base.time_limit)),
            shuffle_questions=bool(d.get("shuffle_questions", base.shuffle_questions)),
            shuffle_options=bool(d.get("shuffle_options", base.shuffle_options)),
            pool=int(d.get("pool", base.pool)),
            feedback=d.get("feedback", base.feedback),
            review=bool(d.get("review", base.review)),
            layout=d.get("layout", base.layout),
        )


@dataclass(frozen=True)
class Quiz:
    """A parsed quiz. ``description`` is the Markdown before the first question."""

    title: str
    questions: tuple[Question, ...]
    settings: QuizSettings = QuizSettings()
    description: str = ""
    path: str = field(default="", compare=False)

    def question(self, question_id: str) -> Question:
        """The question with this id; ``KeyError`` if there is none."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    @property
    def graded_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.graded)

    def to_dict(self) -> dict:
        """Everything, answers included: for server-side storage only."""
        return {
            "title": self.title, "description": self.description, "path": self.path,
            "settings": self.settings.to_dict(),
            "questions": [q.to_dict() for q in self.questions],
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Quiz:
        return cls(
            title=d["title"],
            questions=tuple(Question.from_dict(q) for q in d.get("questions", ())),
            settings=QuizSettings.from_dict(d.get("settings", {})),
            description=d.get("description", ""), path=d.get("path", ""),
        )


# -- ids: they follow the file's or the alphabet's order, never the answer --------------

def letter_id(index: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa', ..."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def id_sort_key(ident: str) -> tuple:
    """Sort key of generated ids: a < b < ... < z < aa, r1 < r2 < ... < r10."""
    m = re.fullmatch(r"([a-z]*)(\d*)", ident)
    if not m:
        return (2, ident)
    letters, digits = m.groups()
    return (len(letters), letters, int(digits) if digits else 0)


def ordering_items(texts: Iterable[str]) -> tuple[OrderItem, ...]:
    """Items in the given (correct) order, ids by alphabetical order of text."""
    texts = list(texts)
    ranking = sorted(range(len(texts)), key=lambda i: (texts[i].casefold(), texts[i], i))
    ids = {pos: letter_id(rank) for rank, pos in enumerate(ranking)}
    return tuple(OrderItem(ids[i], t) for i, t in enumerate(texts))


def matching_pairs(rows: Iterable[tuple[str, str]]) -> tuple[MatchPair, ...]:
    """Pairs with left ids by position and right ids by alphabetical right text."""
    rows = list(rows)
    rights = sorted({r for _, r in rows}, key=lambda t: (t.casefold(), t))
    right_ids = {text: f"r{i + 1}" for i, text in enumerate(rights)}
    return tuple(MatchPair(letter_id(i), left, right_ids[right], right)
                 for i, (left, right) in enumerate(rows))
