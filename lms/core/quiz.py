"""Quizzes: the model, the Markdown quiz parser, attempt drawing and grading.

A quiz is a Markdown file with YAML front matter (see ``docs/quiz-format.md``
for the authoring guide)::

    ---
    type: quiz
    title: Wine service basics
    pass_mark: 80
    ---

    ## Which glass is used for champagne? {#champagne-glass}

    - [x] Flute
      > Right: the narrow bowl keeps the bubbles.
    - [ ] Tumbler

    Explanation: A flute keeps the wine cold and sparkling.
    Lesson: 02-wine.md

Everything here is pure Python. Numbers that must be exact (points, weights,
numeric answers, scores) are :class:`~decimal.Decimal`; ``to_dict`` methods
give JSON-friendly values (numeric answer bounds as strings, so they stay
exact).
"""
from __future__ import annotations

import difflib
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .frontmatter import Document, split_front_matter
from .problems import Problem
from .textnorm import normalize_answer, normalize_digits

__all__ = [
    "QUESTION_TYPES", "FEEDBACK_MODES", "LAYOUTS", "AnswerError", "ReviewError",
    "Option", "TextAnswer", "NumericAnswer", "MatchPair", "OrderItem", "Question",
    "QuizSettings", "Quiz", "AttemptPlan", "QuestionResult", "AttemptResult", "Review",
    "parse_quiz", "parse_quiz_document", "validate_question", "draw_attempt",
    "public_question", "validate_answer", "grade_question", "grade_attempt",
    "finalize_with_review", "parse_number", "parse_numeric_spec", "quiz_to_json",
]

#: Every question type, in the order used by the documentation.
QUESTION_TYPES: tuple[str, ...] = (
    "single", "multiple", "true_false", "short", "numeric",
    "matching", "ordering", "open", "description",
)
#: Allowed values of the ``feedback`` setting.
FEEDBACK_MODES: tuple[str, ...] = ("immediate", "after_submit", "never")
#: Allowed values of the ``layout`` setting.
LAYOUTS: tuple[str, ...] = ("one_per_page", "all_on_one_page")

_TYPE_ALIASES = {
    "single": "single", "single_choice": "single", "choice": "single", "radio": "single",
    "multiple": "multiple", "multiple_choice": "multiple", "multi": "multiple",
    "checkbox": "multiple", "checkboxes": "multiple",
    "true_false": "true_false", "truefalse": "true_false", "true_or_false": "true_false",
    "tf": "true_false", "boolean": "true_false",
    "short": "short", "short_answer": "short", "text": "short",
    "numeric": "numeric", "number": "numeric", "numerical": "numeric",
    "matching": "matching", "match": "matching", "pairs": "matching",
    "ordering": "ordering", "order": "ordering", "sequence": "ordering",
    "open": "open", "open_answer": "open", "essay": "open", "free_text": "open",
    "description": "description", "info": "description", "text_only": "description",
}

_Q7 = Decimal("0.0000001")       # precision of weights (fractions)
_SCORE_Q = Decimal("0.0001")     # precision of scores in points
_PERCENT_Q = Decimal("0.01")     # precision of percentages
_SUM_TOLERANCE = Decimal("0.005")  # 33.33% x 3 counts as 100 %
MAX_SHORT_ANSWER = 1000
MAX_OPEN_ANSWER = 50_000

_DEFAULT_SETTINGS: dict[str, Any] = {
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
_FRONT_MATTER_KEYS = ("type", "title", *_DEFAULT_SETTINGS)


class AnswerError(ValueError):
    """A submitted answer has the wrong shape or refers to unknown ids."""

    def __init__(self, question_id: str, message: str):
        self.question_id = question_id
        self.message = message
        super().__init__(f"{question_id}: {message}")


class ReviewError(ValueError):
    """A trainer review is not acceptable (wrong question, points out of range)."""


# --------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------

def _num(value: Decimal) -> int | float:
    """JSON number for a Decimal: int when integral, else float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _dec(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


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
        return {"id": self.id, "text": self.text, "fraction": _num(self.fraction),
                "feedback": self.feedback}

    @classmethod
    def from_dict(cls, d: Mapping) -> Option:
        return cls(d["id"], d["text"], _dec(d["fraction"]), d.get("feedback", ""))


@dataclass(frozen=True)
class TextAnswer:
    """An accepted answer of a short-answer question (compared normalised)."""

    text: str
    fraction: Decimal = Decimal(1)
    feedback: str = ""

    def to_dict(self) -> dict:
        return {"text": self.text, "fraction": _num(self.fraction), "feedback": self.feedback}

    @classmethod
    def from_dict(cls, d: Mapping) -> TextAnswer:
        return cls(d["text"], _dec(d["fraction"]), d.get("feedback", ""))


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
            return _plain(self.value) if tol == 0 else f"{_plain(self.value)} ± {_plain(tol)}"
        return f"{_plain(self.low)}..{_plain(self.high)}"

    def to_dict(self) -> dict:
        return {
            "value": None if self.value is None else _plain(self.value),
            "tolerance": None if self.tolerance is None else _plain(self.tolerance),
            "min": _plain(self.low), "max": _plain(self.high),
            "fraction": _num(self.fraction), "feedback": self.feedback,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> NumericAnswer:
        return cls(
            Decimal(d["min"]), Decimal(d["max"]), _dec(d["fraction"]), d.get("feedback", ""),
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
    line: int = field(default=0, compare=False)

    @property
    def graded(self) -> bool:
        """False for ``description`` blocks, which carry no points."""
        return self.type != "description"

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
        return tuple(sorted(seen.items(), key=lambda kv: _id_sort_key(kv[0])))

    def to_dict(self) -> dict:
        return {
            "id": self.id, "type": self.type, "title": self.title, "text": self.text,
            "points": _num(self.points),
            "options": [o.to_dict() for o in self.options],
            "answers": [a.to_dict() for a in self.answers],
            "numeric": [n.to_dict() for n in self.numeric],
            "pairs": [p.to_dict() for p in self.pairs],
            "items": [i.to_dict() for i in self.items],
            "rubric": list(self.rubric),
            "explanation": self.explanation, "lesson": self.lesson,
            "category": self.category, "line": self.line,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Question:
        return cls(
            id=d["id"], type=d["type"], title=d["title"], text=d.get("text", ""),
            points=_dec(d.get("points", 1)),
            options=tuple(Option.from_dict(o) for o in d.get("options", ())),
            answers=tuple(TextAnswer.from_dict(a) for a in d.get("answers", ())),
            numeric=tuple(NumericAnswer.from_dict(n) for n in d.get("numeric", ())),
            pairs=tuple(MatchPair.from_dict(p) for p in d.get("pairs", ())),
            items=tuple(OrderItem.from_dict(i) for i in d.get("items", ())),
            rubric=tuple(d.get("rubric", ())),
            explanation=d.get("explanation", ""), lesson=d.get("lesson"),
            category=d.get("category"), line=int(d.get("line", 0)),
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
            "pass_mark": _num(self.pass_mark), "attempts": self.attempts,
            "time_limit": self.time_limit, "shuffle_questions": self.shuffle_questions,
            "shuffle_options": self.shuffle_options, "pool": self.pool,
            "feedback": self.feedback, "review": self.review, "layout": self.layout,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> QuizSettings:
        base = cls()
        return cls(
            pass_mark=_dec(d.get("pass_mark", base.pass_mark)),
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


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------

_NUM = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?"
_RANGE_RE = re.compile(rf"^({_NUM})\s*\.\.\s*({_NUM})$")
_TOL_RE = re.compile(rf"^({_NUM})\s*(?:±|\+-|\+/-)\s*({_NUM})$")
_EXACT_RE = re.compile(rf"^({_NUM})$")
_LOOKS_NUMERIC_RE = re.compile(rf"^\s*{_NUM}\s*(?:±|\+-|\+/-|\.\.)")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u066b": ".", "\u066c": ","})


def _plain(d: Decimal) -> str:
    """Decimal without exponent and without trailing zeros: 2.50 -> '2.5'."""
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _to_decimal(token: str) -> Decimal:
    token = token.replace(",", ".")
    return Decimal(token)


def parse_number(raw: str | int | float | Decimal) -> Decimal:
    """Parse a learner's number; raise ``ValueError`` if it is not one.

    Accepts ``3.5``, ``3,5`` (comma as decimal separator), ``1 000`` (spaces
    between digit groups), ``1,000.5``, ``-2``, ``1e3``, Arabic-Indic digits
    and the Unicode minus sign. Rejects NaN, infinity and booleans.
    """
    if isinstance(raw, bool):
        raise ValueError("not a number")
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValueError("not a finite number")
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
        return Decimal(repr(raw))
    if not isinstance(raw, str):
        raise ValueError("not a number")
    text = normalize_digits(raw).translate(_MINUS_SIGNS)
    text = re.sub(r"[\s\u00a0\u202f\u2009_']", "", text)
    if "," in text and "." in text:
        text = text.replace(",", "")          # 1,000.5
    if text.count(",") == 1:
        text = text.replace(",", ".")         # 3,5
    if not re.fullmatch(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?", text):
        raise ValueError("not a number")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise ValueError("not a number") from exc


def parse_numeric_spec(spec: str) -> tuple[Decimal, Decimal, Decimal | None, Decimal | None]:
    """Parse an author's numeric answer ``42``, ``42 ± 2``, ``42 +- 2`` or ``10..30``.

    Returns ``(low, high, value, tolerance)``; value/tolerance are ``None``
    for a range. Raises ``ValueError`` with a message saying what to write.
    """
    text = normalize_digits(spec.strip()).translate(_MINUS_SIGNS)
    m = _RANGE_RE.match(text)
    if m:
        low, high = _to_decimal(m.group(1)), _to_decimal(m.group(2))
        if low > high:
            raise ValueError(
                f"range '{spec.strip()}' goes from {_plain(low)} down to {_plain(high)}; "
                f"write the smaller number first ({_plain(high)}..{_plain(low)})")
        return low, high, None, None
    m = _TOL_RE.match(text)
    if m:
        value, tol = _to_decimal(m.group(1)), _to_decimal(m.group(2))
        if tol < 0:
            raise ValueError(f"tolerance in '{spec.strip()}' must not be negative")
        return value - tol, value + tol, value, tol
    m = _EXACT_RE.match(text)
    if m:
        value = _to_decimal(m.group(1))
        return value, value, value, Decimal(0)
    raise ValueError(
        f"numeric answer '{spec.strip()}' is not a number; write a number ('42'), "
        "a number with a tolerance ('42 ± 2' or '42 +- 2') or a range ('10..30')")


def _fraction(value: Decimal) -> Decimal:
    """Round a weight to 7 decimal places (0.3333333) and drop trailing zeros."""
    result = value.quantize(_Q7).normalize()
    return result if result != 0 else Decimal(0)


def _weight_to_fraction(text: str) -> Decimal:
    """'50' / '-33.33' / '50,5' (percent) -> fraction, 7 decimal places."""
    return _fraction(_to_decimal(text) / 100)


def _percent(fraction: Decimal) -> str:
    return _plain((fraction * 100).quantize(Decimal("0.00001")).normalize())


# --------------------------------------------------------------------------
# Ids
# --------------------------------------------------------------------------

def letter_id(index: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa', ..."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def _id_sort_key(ident: str) -> tuple:
    m = re.fullmatch(r"([a-z]*)(\d*)", ident)
    if not m:
        return (2, ident)
    letters, digits = m.groups()
    return (len(letters), letters, int(digits) if digits else 0)


def _ordering_items(texts: Iterable[str]) -> tuple[OrderItem, ...]:
    """Items in the given (correct) order, ids by alphabetical order of text."""
    texts = list(texts)
    ranking = sorted(range(len(texts)), key=lambda i: (texts[i].casefold(), texts[i], i))
    ids = {pos: letter_id(rank) for rank, pos in enumerate(ranking)}
    return tuple(OrderItem(ids[i], t) for i, t in enumerate(texts))


def _matching_pairs(rows: Iterable[tuple[str, str]]) -> tuple[MatchPair, ...]:
    """Pairs with left ids by position and right ids by alphabetical right text."""
    rows = list(rows)
    rights = sorted({r for _, r in rows}, key=lambda t: (t.casefold(), t))
    right_ids = {text: f"r{i + 1}" for i, text in enumerate(rights)}
    return tuple(MatchPair(letter_id(i), left, right_ids[right], right)
                 for i, (left, right) in enumerate(rows))


_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.strip().lower()).strip("-")


# --------------------------------------------------------------------------
# Markdown parsing
# --------------------------------------------------------------------------

_HEADING_RE = re.compile(r"^ {0,3}##(?:[ \t]+(.*?))?[ \t]*$")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TASK_RE = re.compile(r"^ {0,3}[-*+][ \t]+\[([ xX])\](?:[ \t]+(.*?))?[ \t]*$")
_WEIGHT_RE = re.compile(r"^\(\s*([-+]?\d+(?:[.,]\d+)?)\s*%\s*\)\s*(.*)$", re.S)
_NUMBERED_RE = re.compile(r"^ {0,3}\d{1,9}[.)][ \t]+(.*?)[ \t]*$")
_PAIR_RE = re.compile(r"^ {0,3}[-*+][ \t]+(.*?)[ \t]*->[ \t]*(.*?)[ \t]*$")
_BULLET_RE = re.compile(r"^ {0,3}[-*+][ \t]+(?:\[[ xX]\][ \t]+)?(.*?)[ \t]*$")
_QUOTE_RE = re.compile(r"^[ \t]*>[ \t]?(.*?)[ \t]*$")
_CONTINUATION_RE = re.compile(r"^[ \t]{2,}\S")
_KEYS = ("type", "points", "explanation", "lesson", "answer", "rubric", "category")
_KEY_RE = re.compile(r"^ {0,3}(" + "|".join(_KEYS) + r")[ \t]*:[ \t]*(.*?)[ \t]*$", re.I)
_EXPLICIT_ID_RE = re.compile(r"^(.*?)\s*\{#([^}]*)\}$")
_TRUE_WORDS = {"true", "t", "yes"}
_FALSE_WORDS = {"false", "f", "no"}


@dataclass
class _RawOption:
    line: int
    checked: bool
    weight: str | None
    text: str
    feedback: list[str] = field(default_factory=list)


@dataclass
class _RawAnswer:
    line: int
    weight: str | None
    value: str
    feedback: list[str] = field(default_factory=list)


@dataclass
class _RawQuestion:
    line: int
    title: str
    explicit_id: str | None
    parts: list[tuple[str, str]] = field(default_factory=list)  # (kind, raw line)
    options: list[_RawOption] = field(default_factory=list)
    answers: list[_RawAnswer] = field(default_factory=list)
    pairs: list[tuple[int, str, str]] = field(default_factory=list)
    numbered: list[tuple[int, str]] = field(default_factory=list)
    rubric: list[str] = field(default_factory=list)
    keys: dict[str, tuple[int, str]] = field(default_factory=dict)
    explanation: list[str] = field(default_factory=list)


def parse_quiz(text: str, path: str) -> tuple[Quiz, list[Problem]]:
    """Parse a whole quiz file (front matter + Markdown body).

    Returns the quiz (best effort, even when there are problems) and the
    problems found, each with the file line. The quiz should only be
    published when the problem list is empty.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")   # files saved on Windows
    doc = split_front_matter(text, path)
    return parse_quiz_document(doc, source=text)


def parse_quiz_document(doc: Document, source: str | None = None) -> tuple[Quiz, list[Problem]]:
    """Parse a quiz already split by :func:`split_front_matter`.

    Pass the original file text as ``source`` to get exact line numbers for
    bad settings; without it they are reported at line 1.
    """
    problems: list[Problem] = list(doc.problems)
    path = doc.path
    setting_lines = _front_matter_lines(source, doc.body_line) if source is not None else {}

    def report(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    body_lines = [line.rstrip("\r") for line in doc.body.split("\n")]
    intro, raws = _split_sections(body_lines, doc.body_line, report)

    questions: list[Question] = []
    ids_seen: dict[str, int] = {}
    for position, raw in enumerate(raws, start=1):
        before = len(problems)
        q = _build_question(raw, position, report)
        build_failed = len(problems) > before
        if q.id in ids_seen:
            report(raw.line, f"duplicate question id '{q.id}' (also used by the question "
                             f"on line {ids_seen[q.id]}); give each question its own "
                             "'{#id}' at the end of its heading")
        else:
            ids_seen[q.id] = raw.line
        if not build_failed:   # otherwise the specific problems already say it
            for line, message in validate_question(q):
                report(line, message)
        questions.append(q)

    title, settings = _parse_settings(doc.meta, setting_lines, questions, intro, report)
    quiz = Quiz(title=title, questions=tuple(questions), settings=settings,
                description=_strip_blank_lines(intro), path=path)
    if not raws:
        report(doc.body_line, "quiz has no questions; start each question with a "
                              "'## ' heading")
    problems.sort()
    return quiz, problems


def _front_matter_lines(source: str, body_line: int) -> dict[str, int]:
    lines = source.lstrip("\ufeff").split("\n")
    found: dict[str, int] = {}
    for number in range(2, max(2, body_line - 1)):
        if number - 1 >= len(lines):
            break
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", lines[number - 1])
        if m:
            found.setdefault(m.group(1), number)
    return found


def _split_sections(lines: list[str], first_line: int, report) -> tuple[str, list[_RawQuestion]]:
    """Split the body into intro text and raw questions."""
    intro: list[str] = []
    sections: list[tuple[int, str, list[tuple[int, str]]]] = []
    fence: str | None = None
    for offset, line in enumerate(lines):
        number = first_line + offset
        m_fence = _FENCE_RE.match(line)
        if fence is None:
            m = _HEADING_RE.match(line)
            if m:
                sections.append((number, m.group(1) or "", []))
                continue
            if m_fence:
                fence = m_fence.group(1)[0] * 3
        elif m_fence and m_fence.group(1).startswith(fence):
            fence = None
        if sections:
            sections[-1][2].append((number, line))
        else:
            intro.append(line)
    return "\n".join(intro), [_scan_section(n, h, body, report) for n, h, body in sections]


def _scan_section(line: int, heading: str, body: list[tuple[int, str]], report) -> _RawQuestion:
    heading = re.sub(r"[ \t]+#+$", "", heading.strip())
    explicit_id = None
    m = _EXPLICIT_ID_RE.match(heading)
    if m:
        heading, explicit_id = m.group(1).strip(), m.group(2)
    raw = _RawQuestion(line, heading, explicit_id)
    if not heading:
        report(line, "question heading is empty; write the question after '## '")
    i = 0
    fence: str | None = None
    last: _RawOption | _RawAnswer | None = None
    while i < len(body):
        number, text = body[i]
        i += 1
        m_fence = _FENCE_RE.match(text)
        if fence is not None:
            if m_fence and m_fence.group(1).startswith(fence):
                fence = None
            raw.parts.append(("text", text))
            continue
        if m_fence:
            fence = m_fence.group(1)[0] * 3
            raw.parts.append(("text", text))
            last = None
            continue
        if last is not None:
            m = _QUOTE_RE.match(text)
            if m:
                last.feedback.append(m.group(1))
                continue
            if isinstance(last, _RawOption) and not last.feedback and _CONTINUATION_RE.match(text):
                last.text += "\n" + text.strip()
                continue
        last = None
        m = _KEY_RE.match(text)
        if m:
            key, value = m.group(1).lower(), m.group(2)
            raw.parts.append(("break", ""))
            if key == "answer":
                weight, value = _split_weight(value)
                last = _RawAnswer(number, weight, value)
                raw.answers.append(last)
                continue
            if key in raw.keys:
                report(number, f"'{key.capitalize()}:' is given twice in this question "
                               f"(first on line {raw.keys[key][0]}); keep one")
                continue
            raw.keys[key] = (number, value)
            if key == "explanation":
                raw.explanation = [value]
                i = _scan_explanation(body, i, raw.explanation)
            elif key == "rubric":
                if value:
                    raw.rubric.append(value)
                i = _scan_rubric(body, i, raw.rubric)
            continue
        m = _TASK_RE.match(text)
        if m:
            weight, option_text = _split_weight(m.group(2) or "")
            last = _RawOption(number, m.group(1) != " ", weight, option_text)
            raw.options.append(last)
            raw.parts.append(("break", ""))
            continue
        m = _PAIR_RE.match(text)
        if m:
            raw.pairs.append((number, m.group(1), m.group(2)))
            raw.parts.append(("pair", text))
            continue
        m = _NUMBERED_RE.match(text)
        if m:
            raw.numbered.append((number, m.group(1)))
            raw.parts.append(("numbered", text))
            continue
        raw.parts.append(("text", text))
    return raw


def _scan_explanation(body: list[tuple[int, str]], i: int, out: list[str]) -> int:
    fence: str | None = None
    while i < len(body):
        text = body[i][1]
        m_fence = _FENCE_RE.match(text)
        if fence is None:
            if _KEY_RE.match(text):
                break
            if m_fence:
                fence = m_fence.group(1)[0] * 3
        elif m_fence and m_fence.group(1).startswith(fence):
            fence = None
        out.append(text)
        i += 1
    return i


def _scan_rubric(body: list[tuple[int, str]], i: int, out: list[str]) -> int:
    while i < len(body):
        text = body[i][1]
        if not text.strip():
            i += 1
            continue
        m = _BULLET_RE.match(text)
        if not m:
            break
        out.append(m.group(1))
        i += 1
    return i


def _split_weight(text: str) -> tuple[str | None, str]:
    m = _WEIGHT_RE.match(text.strip())
    if m:
        return m.group(1), m.group(2).strip()
    return None, text.strip()


def _strip_blank_lines(text: str) -> str:
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line.rstrip() for line in lines)


def _feedback_text(lines: list[str]) -> str:
    return _strip_blank_lines("\n".join(lines))


def _infer_type(raw: _RawQuestion) -> str | None:
    if raw.options:
        texts = {o.text.strip().casefold() for o in raw.options}
        if len(raw.options) == 2 and texts == {"true", "false"}:
            return "true_false"
        checked = [o for o in raw.options if o.checked]
        if len(checked) == 1 and all(o.weight is None for o in raw.options):
            return "single"
        return "multiple"
    if raw.answers:
        if len(raw.answers) == 1 and raw.answers[0].value.strip().casefold() in ("true", "false"):
            return "true_false"
        parsed = []
        for a in raw.answers:
            try:
                parse_numeric_spec(a.value)
                parsed.append(True)
            except ValueError:
                parsed.append(False)
        if all(parsed):
            return "numeric"
        if any(_LOOKS_NUMERIC_RE.match(normalize_digits(a.value)) for a in raw.answers):
            return "numeric"   # clearly meant as numbers: report what is wrong
        return "short"
    if raw.pairs:
        return "matching"
    if raw.numbered:
        return "ordering"
    if "rubric" in raw.keys:
        return "open"
    return None


_TYPE_USES = {
    "single": "options", "multiple": "options", "true_false": "options",
    "short": "answers", "numeric": "answers", "matching": "pairs",
    "ordering": "numbered", "open": "rubric", "description": None,
}


def _build_question(raw: _RawQuestion, position: int, report) -> Question:
    line = raw.line
    # --- id
    qid = f"q{position}"
    if raw.explicit_id is not None:
        if _ID_RE.match(raw.explicit_id):
            qid = raw.explicit_id
        else:
            suggestion = _slug(raw.explicit_id) or f"q{position}"
            report(line, f"question id '{raw.explicit_id}' may only use lower-case letters, "
                         f"digits, '-' and '_'; write {{#{suggestion}}}")

    # --- type
    qtype = None
    if "type" in raw.keys:
        tline, tvalue = raw.keys["type"]
        qtype = _TYPE_ALIASES.get(re.sub(r"[\s/-]+", "_", tvalue.strip().lower()))
        if qtype is None:
            report(tline, f"unknown question type '{tvalue}'; use one of: "
                          + ", ".join(QUESTION_TYPES))
    if qtype is None:
        qtype = _infer_type(raw)
        if qtype is None and "type" not in raw.keys:
            report(line, "question has no answers: add options ('- [x] right' / '- [ ] wrong'), "
                         "'Answer:' lines, pairs ('- left -> right'), a numbered list for "
                         "ordering, or 'Type: open' / 'Type: description'")
        qtype = qtype or "open"

    # --- mixed structures
    uses = _TYPE_USES[qtype]
    if raw.options and uses != "options":
        report(raw.options[0].line, f"a {qtype} question cannot have options ('- [x]' / '- [ ]'); "
                                    "remove them or change 'Type:'")
    if raw.answers and uses != "answers" and not (qtype == "true_false" and not raw.options):
        report(raw.answers[0].line, f"a {qtype} question cannot have 'Answer:' lines; "
                                    "remove them or change 'Type:'")
    if raw.rubric and qtype != "open":
        report(raw.keys["rubric"][0], "'Rubric:' is only for open questions ('Type: open')")

    # --- text (lists not used as answers stay part of the text)
    consumed = {"pair"} if qtype == "matching" else {"numbered"} if qtype == "ordering" else set()
    text_lines: list[str] = []
    for kind, content in raw.parts:
        if kind == "break":
            if text_lines and text_lines[-1].strip():
                text_lines.append("")
        elif kind not in consumed:
            text_lines.append(content)
    text = _strip_blank_lines("\n".join(text_lines))

    # --- points
    points = Decimal(0) if qtype == "description" else Decimal(1)
    if "points" in raw.keys:
        pline, pvalue = raw.keys["points"]
        try:
            points = parse_number(pvalue)
            if qtype != "description" and points <= 0:
                report(pline, f"points must be more than 0, not '{pvalue}'")
                points = Decimal(1)
        except ValueError:
            report(pline, f"points '{pvalue}' is not a number; write e.g. 'Points: 2'")

    # --- lesson / category / explanation
    lesson = None
    if "lesson" in raw.keys:
        lline, lvalue = raw.keys["lesson"]
        lesson = lvalue.strip() or None
        if lesson is not None:
            message = _lesson_problem(lesson)
            if message:
                report(lline, message)
    category = raw.keys["category"][1].strip() or None if "category" in raw.keys else None
    explanation = _strip_blank_lines("\n".join(raw.explanation))

    fields: dict[str, Any] = {}
    if qtype in ("single", "multiple"):
        fields["options"] = _build_choice(raw, qtype, report)
    elif qtype == "true_false":
        fields["options"] = _build_true_false(raw, report)
    elif qtype == "short":
        fields["answers"] = _build_short(raw, report)
    elif qtype == "numeric":
        fields["numeric"] = _build_numeric(raw, report)
    elif qtype == "matching":
        for pline, left, right in raw.pairs:
            if not left or not right:
                report(pline, "a matching pair needs text on both sides: '- left -> right'")
        fields["pairs"] = _matching_pairs((left, right) for _, left, right in raw.pairs
                                          if left and right)
    elif qtype == "ordering":
        fields["items"] = _ordering_items(t for _, t in raw.numbered)
    elif qtype == "open":
        fields["rubric"] = tuple(r for r in raw.rubric if r)

    return Question(id=qid, type=qtype, title=raw.title, text=text, points=points,
                    explanation=explanation, lesson=lesson, category=category, line=line,
                    **fields)


def _lesson_problem(lesson: str) -> str | None:
    target = lesson.split("#", 1)[0]
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("/", "\\")):
        return (f"lesson '{lesson}' must be a relative path to a lesson file in this "
                "course, like '01-reality.md'")
    if not target.endswith(".md"):
        return f"lesson '{lesson}' must name a lesson file ending in '.md', like '01-reality.md'"
    return None


def _parse_weight(raw_weight: str, line: int, report, lo: int = -100) -> Decimal | None:
    try:
        fraction = _weight_to_fraction(raw_weight)
    except (InvalidOperation, ValueError):
        report(line, f"weight '{raw_weight}%' is not a number")
        return None
    if not Decimal(lo) / 100 <= fraction <= 1:
        report(line, f"weight {raw_weight}% is out of range; use {lo}% to 100%")
        return None
    return fraction


def _build_choice(raw: _RawQuestion, qtype: str, report) -> tuple[Option, ...]:
    checked = [o for o in raw.options if o.checked]
    explicit: dict[int, Decimal] = {}
    for index, opt in enumerate(raw.options):
        if not opt.text:
            report(opt.line, "option has no text; write it after '- [ ]' or '- [x]'")
        if opt.weight is None:
            continue
        fraction = _parse_weight(opt.weight, opt.line, report)
        if fraction is None:
            continue
        if qtype == "single":
            if opt.checked and fraction != 1:
                report(opt.line, f"in a single-choice question the right answer ('- [x]') is "
                                 f"worth 100%, not {opt.weight}%; for partial credit mark the "
                                 f"option '- [ ]' with a weight, e.g. '- [ ] ({opt.weight}%) ...'")
            elif not opt.checked and fraction >= 1:
                report(opt.line, "option is worth 100% but marked wrong with '- [ ]'; "
                                 "mark it '- [x]'")
        elif opt.checked and fraction <= 0:
            report(opt.line, f"option is marked correct with '- [x]' but its weight is "
                             f"{opt.weight}%; give it a positive weight or mark it '- [ ]'")
        elif not opt.checked and fraction > 0:
            report(opt.line, f"option is marked wrong with '- [ ]' but its weight is "
                             f"{opt.weight}%; mark it '- [x]' or make the weight 0 or negative")
        explicit[index] = fraction

    fractions: list[Decimal] = []
    if qtype == "single":
        for index, opt in enumerate(raw.options):
            fractions.append(explicit.get(index, Decimal(1) if opt.checked else Decimal(0)))
    else:
        unweighted_right = [i for i, o in enumerate(raw.options) if o.checked and i not in explicit]
        explicit_right = sum((f for i, f in explicit.items() if raw.options[i].checked and f > 0),
                             Decimal(0))
        share = Decimal(0)
        if unweighted_right:
            rest = Decimal(1) - explicit_right
            if rest <= 0:
                report(raw.options[unweighted_right[0]].line,
                       f"the weighted correct options already add up to {_percent(explicit_right)}%, "
                       "leaving nothing for the correct options without a weight; give every "
                       "correct option a weight")
            else:
                share = _fraction(rest / len(unweighted_right))
        penalty = _fraction(-Decimal(1) / len(checked)) if checked else Decimal(0)
        for index, opt in enumerate(raw.options):
            if index in explicit:
                fractions.append(explicit[index])
            else:
                fractions.append(share if opt.checked else penalty)
    return tuple(Option(letter_id(i), o.text, f, _feedback_text(o.feedback))
                 for i, (o, f) in enumerate(zip(raw.options, fractions, strict=True)))


def _build_true_false(raw: _RawQuestion, report) -> tuple[Option, ...]:
    if not raw.options:
        labels = {"true": ("True", Decimal(0), ""), "false": ("False", Decimal(0), "")}
        if len(raw.answers) != 1:
            report(raw.line, "a true/false question needs one 'Answer: true' or 'Answer: false' "
                             "line, or the two options '- [x] True' and '- [ ] False'")
        if raw.answers:
            answer = raw.answers[0]
            word = answer.value.strip().casefold()
            if word in _TRUE_WORDS | {"верно", "да", "صح", "صحيح"}:
                labels["true"] = ("True", Decimal(1), _feedback_text(answer.feedback))
            elif word in _FALSE_WORDS | {"неверно", "нет", "خطأ"}:
                labels["false"] = ("False", Decimal(1), _feedback_text(answer.feedback))
            else:
                report(answer.line, f"true/false answer must be 'true' or 'false', "
                                    f"not '{answer.value}'")
        return tuple(Option(i, *labels[i]) for i in ("true", "false"))
    if len(raw.options) != 2:
        report(raw.line, f"a true/false question needs exactly two options (True and False), "
                         f"not {len(raw.options)}")
    opts = list(raw.options[:2])
    for opt in opts:
        if opt.weight is not None:
            report(opt.line, "true/false options cannot have weights; mark the right one "
                             "'- [x]' and the other '- [ ]'")
    words = [o.text.strip().casefold() for o in opts]
    if len(opts) == 2 and words[0] in _FALSE_WORDS and words[1] in _TRUE_WORDS:
        opts.reverse()          # keep True first
    result = []
    for ident, opt in zip(("true", "false"), opts, strict=False):
        result.append(Option(ident, opt.text, Decimal(1) if opt.checked else Decimal(0),
                             _feedback_text(opt.feedback)))
    return tuple(result)


def _build_short(raw: _RawQuestion, report) -> tuple[TextAnswer, ...]:
    out = []
    for a in raw.answers:
        fraction = Decimal(1)
        if a.weight is not None:
            parsed = _parse_weight(a.weight, a.line, report, lo=0)
            fraction = parsed if parsed is not None else Decimal(0)
        if not normalize_answer(a.value):
            report(a.line, "accepted answer is empty (only spaces or punctuation); "
                           "write the answer after 'Answer:'")
            continue
        out.append(TextAnswer(a.value, fraction, _feedback_text(a.feedback)))
    return tuple(out)


def _build_numeric(raw: _RawQuestion, report) -> tuple[NumericAnswer, ...]:
    out = []
    for a in raw.answers:
        fraction = Decimal(1)
        if a.weight is not None:
            parsed = _parse_weight(a.weight, a.line, report, lo=0)
            fraction = parsed if parsed is not None else Decimal(0)
        try:
            low, high, value, tol = parse_numeric_spec(a.value)
        except ValueError as exc:
            report(a.line, str(exc))
            continue
        out.append(NumericAnswer(low, high, fraction, _feedback_text(a.feedback), value, tol))
    return tuple(out)


def validate_question(q: Question) -> list[tuple[int, str]]:
    """Structural checks shared by the Markdown and GIFT parsers.

    Returns ``(line, message)`` pairs, reported at the question's line.
    """
    out: list[tuple[int, str]] = []
    line = q.line

    def add(message: str) -> None:
        out.append((line, message))

    if q.type not in QUESTION_TYPES:
        add(f"unknown question type '{q.type}'; use one of: " + ", ".join(QUESTION_TYPES))
        return out
    if q.type in ("single", "multiple"):
        if len(q.options) < 2:
            add(f"a choice question needs at least 2 options, it has {len(q.options)}")
        if not any(o.fraction > 0 for o in q.options):
            add("no correct option: mark the right answer(s) with '- [x]'")
        elif q.type == "single":
            if not any(o.fraction == 1 for o in q.options):
                add("no option gives full marks: mark the right answer with '- [x]' "
                    "and no weight (or weight 100%)")
        else:
            total = sum((o.fraction for o in q.options if o.fraction > 0), Decimal(0))
            if abs(total - 1) > _SUM_TOLERANCE:
                add(f"the weights of the correct options add up to {_percent(total)}%, so "
                    "the question cannot be scored 100%; make them add up to 100% "
                    "(e.g. two correct options at 50% each)")
        texts = [o.text.strip().casefold() for o in q.options]
        if len(set(texts)) != len(texts):
            add("two options have the same text; make every option different")
    elif q.type == "true_false":
        if len(q.options) == 2 and sorted(o.fraction for o in q.options) != [0, 1]:
            add("a true/false question needs exactly one correct option: mark it '- [x]'")
    elif q.type == "short":
        if not q.answers:
            add("short-answer question has no accepted answers; add 'Answer: ...' lines")
        elif not any(a.fraction == 1 for a in q.answers):
            add("no accepted answer gives full marks; give one 'Answer:' without a weight")
    elif q.type == "numeric":
        if q.numeric and not any(a.fraction == 1 for a in q.numeric):
            add("no numeric answer gives full marks; give one 'Answer:' without a weight")
        elif not q.numeric:
            add("numeric question has no valid answer; add e.g. 'Answer: 42 ± 2'")
    elif q.type == "matching":
        if len(q.pairs) < 2:
            add(f"a matching question needs at least 2 pairs ('- left -> right'), "
                f"it has {len(q.pairs)}")
        lefts = [p.left.strip().casefold() for p in q.pairs]
        if len(set(lefts)) != len(lefts):
            add("two pairs have the same left side; make every left side different")
    elif q.type == "ordering":
        if len(q.items) < 2:
            add(f"an ordering question needs at least 2 items in a numbered list, "
                f"it has {len(q.items)}")
        texts = [i.text.strip().casefold() for i in q.items]
        if len(set(texts)) != len(texts):
            add("two items have the same text; make every item different")
    return out


def _parse_settings(meta: Mapping, lines: Mapping[str, int], questions: list[Question],
                    intro: str, report) -> tuple[str, QuizSettings]:
    def where(key: str) -> int:
        return lines.get(key, 1)

    values = dict(_DEFAULT_SETTINGS)
    for key in meta:
        key = str(key)
        if key in _DEFAULT_SETTINGS or key in ("type", "title"):
            continue
        close = difflib.get_close_matches(key, _FRONT_MATTER_KEYS, n=1, cutoff=0.75)
        if close:
            report(where(key), f"unknown setting '{key}'; did you mean '{close[0]}'?")

    kind = meta.get("type")
    if kind is not None and kind != "quiz":
        report(where("type"), f"front matter says 'type: {kind}'; a quiz file needs 'type: quiz'")

    title = meta.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        h1 = re.search(r"^ {0,3}#[ \t]+(.+?)[ \t]*$", intro, re.M)
        title = h1.group(1) if h1 else ""
        if not title:
            report(1, "quiz has no title; add 'title: ...' to the front matter")
    title = str(title).strip()

    def number(key: str, lo: int, hi: int | None, integer: bool, hint: str) -> None:
        if key not in meta:
            return
        value = meta[key]
        ok = not isinstance(value, bool) and isinstance(value, (int, float) if not integer else int)
        if isinstance(value, float) and integer and value.is_integer():
            value, ok = int(value), True
        if ok and not (lo <= value and (hi is None or value <= hi)):
            ok = False
        if not ok:
            report(where(key), f"{key} must be {hint}, not '{meta[key]}'")
            return
        values[key] = _dec(value) if not integer else int(value)

    number("pass_mark", 0, 100, False, "a percentage from 0 to 100 (e.g. 'pass_mark: 80')")
    number("attempts", 0, None, True, "a whole number of attempts, 0 for unlimited")
    number("time_limit", 0, None, True, "a whole number of minutes, 0 for no limit")
    number("pool", 0, None, True, "a whole number of questions to draw, 0 for all")
    for key in ("shuffle_questions", "shuffle_options", "review"):
        if key in meta:
            if isinstance(meta[key], bool):
                values[key] = meta[key]
            else:
                report(where(key), f"{key} must be true or false, not '{meta[key]}'")
    for key, allowed in (("feedback", FEEDBACK_MODES), ("layout", LAYOUTS)):
        if key in meta:
            if meta[key] in allowed:
                values[key] = meta[key]
            else:
                report(where(key), f"{key} must be one of {', '.join(allowed)}, "
                                   f"not '{meta[key]}'")
    graded = sum(1 for q in questions if q.graded)
    if values["pool"] > graded:
        noun = "question" if graded == 1 else "questions"
        report(where("pool"), f"pool is {values['pool']} but the quiz has only {graded} "
                              f"{noun}; lower the pool to {graded} or less (0 = all)")
        values["pool"] = 0
    return title, QuizSettings(**values)


# --------------------------------------------------------------------------
# Attempts
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class AttemptPlan:
    """What one attempt shows: which questions in which order, and for each
    question the display order of its options (matching: lefts; ordering:
    items) and, for matching, of the right-hand choices."""

    seed: int
    question_ids: tuple[str, ...]
    orders: Mapping[str, tuple[str, ...]]
    right_orders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "seed": self.seed, "question_ids": list(self.question_ids),
            "orders": {k: list(v) for k, v in self.orders.items()},
            "right_orders": {k: list(v) for k, v in self.right_orders.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> AttemptPlan:
        return cls(
            seed=int(d["seed"]), question_ids=tuple(d["question_ids"]),
            orders={k: tuple(v) for k, v in d.get("orders", {}).items()},
            right_orders={k: tuple(v) for k, v in d.get("right_orders", {}).items()},
        )


def draw_attempt(quiz: Quiz, seed: int) -> AttemptPlan:
    """Draw an attempt: the same quiz and seed always give the same plan.

    ``pool`` picks that many graded questions at random (description blocks
    are always kept); ``shuffle_questions`` shuffles them (descriptions then
    come first); ``shuffle_options`` shuffles choice options and matching
    lefts. Matching rights and ordering items are always shuffled (ordering
    items never start in the correct order).
    """
    settings = quiz.settings
    rng = random.Random(f"lms-quiz:{seed}")
    graded = [q.id for q in quiz.questions if q.graded]
    chosen = set(graded)
    if 0 < settings.pool < len(graded):
        chosen = set(rng.sample(graded, settings.pool))
    if settings.shuffle_questions:
        picked = [q for q in graded if q in chosen]
        rng.shuffle(picked)
        ids = [q.id for q in quiz.questions if not q.graded] + picked
    else:
        ids = [q.id for q in quiz.questions if not q.graded or q.id in chosen]

    orders: dict[str, tuple[str, ...]] = {}
    right_orders: dict[str, tuple[str, ...]] = {}
    for qid in ids:
        q = quiz.question(qid)
        qrng = random.Random(f"lms-quiz:{seed}:{qid}")
        if q.type in ("single", "multiple"):
            order = [o.id for o in q.options]
            if settings.shuffle_options:
                qrng.shuffle(order)
            orders[qid] = tuple(order)
        elif q.type == "true_false":
            orders[qid] = tuple(o.id for o in q.options)
        elif q.type == "matching":
            lefts = [p.left_id for p in q.pairs]
            if settings.shuffle_options:
                qrng.shuffle(lefts)
            rights = [rid for rid, _ in q.rights()]
            qrng.shuffle(rights)
            orders[qid] = tuple(lefts)
            right_orders[qid] = tuple(rights)
        elif q.type == "ordering":
            correct = [i.id for i in q.items]
            items = list(correct)
            qrng.shuffle(items)
            if items == correct and len(items) > 1:
                items = items[1:] + items[:1]
            orders[qid] = tuple(items)
    return AttemptPlan(seed, tuple(ids), orders, right_orders)


def public_question(quiz: Quiz, question_id: str, plan: AttemptPlan) -> dict:
    """What a learner's page may show for one question of an attempt.

    Contains id, number (1-based position in the attempt), type, title, text
    (Markdown), points, and: ``options`` (single/multiple/true_false),
    ``lefts`` and ``rights`` (matching), ``items`` (ordering), each a list of
    ``{"id", "text"}`` in display order. Never contains weights, correctness,
    accepted answers, feedback or the explanation. The ids are the quiz file's:
    a learner's page shows :meth:`lms.core.quiz_tokens.AttemptTokens.public_question`
    instead, which names every choice by a per-attempt token.
    """
    if question_id not in plan.question_ids:
        raise KeyError(f"question '{question_id}' is not part of this attempt")
    q = quiz.question(question_id)
    out: dict[str, Any] = {
        "id": q.id, "number": plan.question_ids.index(question_id) + 1, "type": q.type,
        "title": q.title, "text": q.text, "points": _num(q.points),
    }
    order = plan.orders.get(q.id, ())
    if q.type in ("single", "multiple", "true_false"):
        by_id = {o.id: o.text for o in q.options}
        out["options"] = [{"id": i, "text": by_id[i]} for i in order if i in by_id]
    elif q.type == "matching":
        lefts = {p.left_id: p.left for p in q.pairs}
        rights = dict(q.rights())
        out["lefts"] = [{"id": i, "text": lefts[i]} for i in order if i in lefts]
        out["rights"] = [{"id": i, "text": rights[i]}
                         for i in plan.right_orders.get(q.id, ()) if i in rights]
    elif q.type == "ordering":
        items = {i.id: i.text for i in q.items}
        out["items"] = [{"id": i, "text": items[i]} for i in order if i in items]
    return out


def validate_answer(question: Question, raw: Any) -> Any:
    """Check a submitted answer's shape and return it in canonical form.

    Shapes: single/true_false: option id; multiple: list of option ids
    (returned in option order, duplicates refused); short/open: string;
    numeric: string or number (returned as a canonical decimal string);
    matching: ``{left_id: right_id}`` (unanswered lefts may be left out);
    ordering: list of all item ids. Raises :class:`AnswerError`.
    """
    qid, t = question.id, question.type

    def fail(message: str) -> AnswerError:
        return AnswerError(qid, message)

    if t in ("single", "true_false"):
        if not isinstance(raw, str):
            raise fail("choose one option")
        if question.option(raw) is None:
            raise fail(f"'{raw}' is not an option of this question")
        return raw
    if t == "multiple":
        if not isinstance(raw, (list, tuple)) or not all(isinstance(x, str) for x in raw):
            raise fail("expected a list of option ids")
        if len(set(raw)) != len(raw):
            raise fail("the same option was chosen twice")
        known = [o.id for o in question.options]
        unknown = [x for x in raw if x not in known]
        if unknown:
            raise fail(f"'{unknown[0]}' is not an option of this question")
        return [o for o in known if o in raw]
    if t in ("short", "open"):
        if not isinstance(raw, str):
            raise fail("expected text")
        limit = MAX_SHORT_ANSWER if t == "short" else MAX_OPEN_ANSWER
        if len(raw) > limit:
            raise fail(f"answer is too long (more than {limit} characters)")
        return raw
    if t == "numeric":
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)):
            raise fail("expected a number")
        if isinstance(raw, str) and len(raw) > 100:
            raise fail("answer is too long to be a number")
        try:
            return _plain(parse_number(raw))
        except ValueError:
            raise fail(f"'{raw}' is not a number") from None
    if t == "matching":
        if not isinstance(raw, Mapping):
            raise fail("expected a mapping of left ids to right ids")
        lefts = [p.left_id for p in question.pairs]
        rights = {rid for rid, _ in question.rights()}
        for left, right in raw.items():
            if left not in lefts:
                raise fail(f"'{left}' is not a left side of this question")
            if not isinstance(right, str) or right not in rights:
                raise fail(f"'{right}' is not a right side of this question")
        return {left: raw[left] for left in lefts if left in raw}
    if t == "ordering":
        if not isinstance(raw, (list, tuple)) or not all(isinstance(x, str) for x in raw):
            raise fail("expected a list of item ids")
        expected = sorted(i.id for i in question.items)
        if sorted(raw) != expected:
            raise fail("the order must list every item exactly once")
        return list(raw)
    if t == "description":
        raise fail("a description takes no answer")
    raise fail(f"unknown question type '{t}'")  # pragma: no cover


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
            "score": _num(self.score), "max_points": _num(self.max_points),
            "fraction": _num(self.fraction.quantize(_Q7)), "correct": self.correct,
            "answered": self.answered, "feedback": list(self.feedback),
            "explanation": self.explanation, "lesson": self.lesson,
        }


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
            "points": _num(self.points), "max_points": _num(self.max_points),
            "percent": _num(self.percent), "passed": self.passed,
            "pending": list(self.pending), "results": [r.to_dict() for r in self.results],
        }


def _clamp(fraction: Decimal) -> Decimal:
    return max(Decimal(0), min(Decimal(1), fraction))


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
    base = dict(question_id=q.id, type=q.type, max_points=q.points,
                explanation=q.explanation, lesson=q.lesson)
    if q.type == "description":
        return QuestionResult(score=Decimal(0), fraction=Decimal(0), correct=True,
                              answered=False, **base)
    if answer is None or (q.type in ("short", "open") and isinstance(answer, str)
                          and not answer.strip()):
        return QuestionResult(score=Decimal(0), fraction=Decimal(0), correct=False,
                              answered=False, **base)
    answer = validate_answer(q, answer)
    feedback: list[str] = []
    correct: bool | None

    if q.type in ("single", "true_false"):
        opt = q.option(answer)
        assert opt is not None
        fraction = _clamp(opt.fraction)
        correct = opt.fraction == 1
        if opt.feedback:
            feedback.append(opt.feedback)
    elif q.type == "multiple":
        chosen = set(answer)
        right = {o.id for o in q.options if o.fraction > 0}
        correct = chosen == right
        total = sum((o.fraction for o in q.options if o.id in chosen), Decimal(0))
        fraction = Decimal(1) if correct else _clamp(total)
        feedback.extend(o.feedback for o in q.options if o.id in chosen and o.feedback)
    elif q.type == "short":
        given = normalize_answer(answer)
        best = None
        for accepted in q.answers:
            if normalize_answer(accepted.text) == given and (best is None or accepted.fraction > best.fraction):
                best = accepted
        fraction = best.fraction if best else Decimal(0)
        correct = fraction == 1
        if best and best.feedback:
            feedback.append(best.feedback)
    elif q.type == "numeric":
        number = Decimal(answer)
        best_n = None
        for accepted_n in q.numeric:
            if accepted_n.matches(number) and (best_n is None or accepted_n.fraction > best_n.fraction):
                best_n = accepted_n
        fraction = best_n.fraction if best_n else Decimal(0)
        correct = fraction == 1
        if best_n and best_n.feedback:
            feedback.append(best_n.feedback)
    elif q.type == "matching":
        right_count = sum(1 for p in q.pairs if answer.get(p.left_id) == p.right_id)
        fraction = Decimal(right_count) / len(q.pairs) if q.pairs else Decimal(0)
        correct = right_count == len(q.pairs)
    elif q.type == "ordering":
        position = {item.id: n for n, item in enumerate(q.items)}
        steps = sum(1 for a, b in zip(answer, answer[1:], strict=False) if position[b] == position[a] + 1)
        fraction = Decimal(steps) / (len(q.items) - 1) if len(q.items) > 1 else Decimal(1)
        correct = list(answer) == [i.id for i in q.items]
    elif q.type == "open":
        if review is None:
            return QuestionResult(score=Decimal(0), fraction=Decimal(0), correct=None,
                                  answered=True, **base)
        points = _review_points(q, review)
        fraction = points / q.points if q.points else Decimal(0)
        correct = points == q.points
        if review.comment:
            feedback.append(review.comment)
        return QuestionResult(score=points, fraction=fraction, correct=correct, answered=True,
                              feedback=tuple(feedback), **base)
    else:  # pragma: no cover
        raise AnswerError(q.id, f"unknown question type '{q.type}'")

    score = (fraction * q.points).quantize(_SCORE_Q, ROUND_HALF_UP)
    return QuestionResult(score=score, fraction=fraction, correct=correct, answered=True,
                          feedback=tuple(feedback), **base)


def _review_points(q: Question, review: Review) -> Decimal:
    try:
        points = _dec(review.points)
    except (InvalidOperation, ValueError):
        raise ReviewError(f"{q.id}: review points '{review.points}' are not a number") from None
    if not points.is_finite() or points < 0 or points > q.points:
        raise ReviewError(f"{q.id}: review points must be between 0 and {_plain(q.points)}, "
                          f"not {review.points}")
    return points.quantize(_SCORE_Q, ROUND_HALF_UP)


def grade_attempt(quiz: Quiz, plan: AttemptPlan, answers: Mapping[str, Any],
                  reviews: Mapping[str, Review | int | float | str | Decimal] | None = None
                  ) -> AttemptResult:
    """Grade an attempt: every question of ``plan`` (missing answers score 0).

    Raises :class:`AnswerError` for an answer to a question that is not in
    the plan or an answer of the wrong shape, and :class:`ReviewError` for a
    review of a question that is not an open question of the plan.
    """
    reviews = dict(reviews or {})
    in_plan = set(plan.question_ids)
    for qid in answers:
        if qid not in in_plan:
            raise AnswerError(qid, "this question is not part of the attempt")
    for qid, review in reviews.items():
        if qid not in in_plan or quiz.question(qid).type != "open":
            raise ReviewError(f"{qid}: only open questions of this attempt can be reviewed")
        if not isinstance(review, Review):
            reviews[qid] = Review(_dec(review))

    results = []
    for qid in plan.question_ids:
        q = quiz.question(qid)
        results.append(grade_question(q, answers.get(qid), reviews.get(qid)))
    graded = [r for r in results if r.type != "description"]
    points = sum((r.score for r in graded), Decimal(0))
    max_points = sum((r.max_points for r in graded), Decimal(0))
    percent = (points * 100 / max_points) if max_points else Decimal(100)
    pending = tuple(r.question_id for r in graded if r.correct is None)
    passed = None if pending else percent >= quiz.settings.pass_mark
    return AttemptResult(points=points, max_points=max_points,
                         percent=percent.quantize(_PERCENT_Q, ROUND_HALF_UP),
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


# --------------------------------------------------------------------------
# JSON report (for ``lms quiz parse FILE``)
# --------------------------------------------------------------------------

def quiz_to_json(quiz: Quiz, problems: Iterable[Problem]) -> dict:
    """A readable dump of a parsed quiz with its problems, for the CLI.

    Each question lists type, text, options with weight (-1..1) and feedback,
    accepted answers, numeric values and tolerances, matching pairs and the
    errors found between its heading and the next question. Problems outside
    any question are in the top-level ``errors``; ``ok`` is true when there
    are none at all.
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
            general.append(str(p))
        else:
            per_question[owner].append(str(p))
    questions = []
    for q in quiz.questions:
        entry: dict[str, Any] = {
            "id": q.id, "line": q.line, "type": q.type, "title": q.title, "text": q.text,
            "points": _num(q.points),
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
        entry["errors"] = per_question[q.id]
        questions.append(entry)
    return {
        "path": quiz.path, "title": quiz.title, "settings": quiz.settings.to_dict(),
        "questions": questions, "errors": general, "ok": not problems,
    }
