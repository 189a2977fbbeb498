"""Question types as strategy objects, and the registry that maps a type name to its strategy.

Everything that varies with the type of a question lives in one class per type
(:mod:`lms.core.quiz.types`): reading it from Markdown, the structural checks,
drawing its choices, what a learner's page may show, checking, grading,
reading and describing an answer, naming choices by tokens, writing it back
as Markdown and presenting it to a learning record store as an xAPI interaction. The rest of the package asks :func:`strategy_for` and never
compares a type name itself.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..problems import define
from ..xapi import Interaction
from .errors import AnswerError

if TYPE_CHECKING:
    from .model import Question
    from .scan import RawQuestion
    from .tokens import AttemptTokens

__all__ = ["Outcome", "FormValues", "Report", "QuestionType", "STRATEGIES", "register", "strategy_for",
           "type_aliases", "form_list", "form_value"]

UNKNOWN_ANSWER_TYPE = define("quiz-answer-unknown-type", "unknown question type '%(type)s'")

#: ``report(line, code, **params)``: how a parser hears about a problem
Report = Callable[..., None]


class FormValues(Protocol):
    """Submitted form values: a ``MultiDict`` or a plain mapping (a list value is every value of a field)."""

    def get(self, key: str, default: Any = None) -> Any: ...  # pragma: no cover


@dataclass(frozen=True)
class Outcome:
    """How an answer scored: ``fraction`` of the points (0..1), ``correct`` (``None``: awaiting
    review), the feedback it earns, and ``score`` in points when the type sets it directly."""

    fraction: Decimal
    correct: bool | None
    feedback: tuple[str, ...] = ()
    score: Decimal | None = None


def form_list(form: Any, name: str) -> list[str]:
    """Every value of field ``name``: ``getlist`` of a MultiDict, or a plain mapping's value."""
    getlist = getattr(form, "getlist", None)
    if getlist is not None:
        return list(getlist(name))
    value = form.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def form_value(form: Any, name: str, default: str | None = None) -> Any:
    """The (first) value of field ``name``."""
    value = form.get(name, default)
    if isinstance(value, list | tuple):
        return value[0] if value else default
    return value


class QuestionType:
    """The behaviour of one question type. Subclasses set ``name`` and override what differs.

    Class attributes: ``aliases`` (other names a quiz file may write after ``Type:``),
    ``graded`` (False: carries no points and takes no answer), ``reviewed`` (a trainer
    scores the answer), ``typed`` (the learner types the answer, so a refused answer is
    a slip to show, not a tampered request), ``structure`` (the Markdown structure
    holding the answers: ``options``, ``answers``, ``pairs``, ``numbered`` or
    ``rubric``) and ``consumes`` (kinds of scanned lines that are answers rather than
    question text).
    """

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    graded: ClassVar[bool] = True
    reviewed: ClassVar[bool] = False
    typed: ClassVar[bool] = False
    structure: ClassVar[str | None] = None
    consumes: ClassVar[frozenset[str]] = frozenset()
    #: "one" or "many" when the learner picks the right option(s) among authored ones that a test-wise
    #: learner could guess by length or position (lms/core/quiz/check.py); None otherwise
    guessable: ClassVar[str | None] = None

    # -- Markdown parsing -------------------------------------------------------------

    def accepts(self, raw: RawQuestion, structure: str) -> bool:
        """Whether a question of this type may contain ``structure`` (options, answers, rubric)."""
        return structure == self.structure

    def build(self, raw: RawQuestion, report: Report) -> dict[str, Any]:
        """The type's fields of :class:`~lms.core.quiz.model.Question` from a scanned section."""
        return {}

    # -- checks shared by the Markdown and GIFT parsers -------------------------------

    def validate(self, question: Question) -> list[tuple[str, dict[str, Any]]]:
        """Structural problems of a built question, as ``(code, params)``."""
        return []

    # -- attempts ---------------------------------------------------------------------

    def draw(self, question: Question, rng: random.Random, shuffle_options: bool
             ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        """The display order of the question's choices and (matching) of its right-hand sides."""
        return None, None

    def public(self, question: Question, order: Sequence[str], rights: Sequence[str]) -> dict[str, Any]:
        """The choices a learner's page shows, in display order; never weights or answers."""
        return {}

    # -- answers ----------------------------------------------------------------------

    def is_blank(self, answer: Any) -> bool:
        """Whether ``answer`` counts as not answered."""
        return answer is None

    def check(self, question: Question, raw: Any) -> Any:
        """A submitted answer in canonical form; :class:`AnswerError` for a wrong shape."""
        raise AnswerError(question.id, UNKNOWN_ANSWER_TYPE, type=question.type)

    def grade(self, question: Question, answer: Any, review: Any) -> Outcome:
        """Score a checked, non-blank answer (``review``: a trainer's, for reviewed types)."""
        raise AnswerError(question.id, UNKNOWN_ANSWER_TYPE, type=question.type)  # pragma: no cover

    def read(self, shown: Mapping[str, Any], form: FormValues) -> Any:
        """The answer a page's form posted for the public question ``shown`` (in its ids)."""
        return None

    def describe(self, question: Question, answer: Any) -> str:
        """A (non-empty) answer in words, with the quiz's own texts."""
        return str(answer)

    def solution(self, question: Question) -> str:
        """The answer that earns full marks, in words (the results page when the quiz shows it);
        ``""`` when there is none to show (open answers, descriptions)."""
        return ""

    def wrong_choices(self, question: Question, answer: Any) -> list[str]:
        """The option ids of a wrong answer that cost marks (item analysis)."""
        return []

    def wrong_text(self, question: Question, answer: Any) -> str | None:
        """A wrong typed answer as item analysis counts it (``None``: not a typed type)."""
        return None

    # -- learning records (xAPI) -------------------------------------------------------

    def interaction(self, question: Question) -> Interaction:
        """The question as an xAPI interaction: its type, correct responses and components (authored ids)."""
        return Interaction("other")

    def response(self, question: Question, answer: Any) -> str:
        """A checked, non-blank answer in the xAPI response format of :meth:`interaction`'s type."""
        return self.describe(question, answer)

    # -- per-attempt tokens -----------------------------------------------------------

    def to_browser(self, question: Question, answer: Any, tokens: AttemptTokens) -> Any:
        """A stored answer (authored ids) in the attempt's tokens."""
        return answer

    def from_browser(self, question: Question, raw: Any, tokens: AttemptTokens) -> Any:
        """A posted answer (tokens) in authored ids; :class:`AnswerError` for a foreign token."""
        return raw

    # -- writing Markdown -------------------------------------------------------------

    def markdown(self, question: Question) -> list[str]:
        """The lines that write the question's answers in the Markdown quiz format."""
        return []

#: type name -> strategy, in the order of the documentation
STRATEGIES: dict[str, QuestionType] = {}
_UNKNOWN = QuestionType()


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Class decorator: add a question type to :data:`STRATEGIES`."""
    if cls.name in STRATEGIES:
        raise ValueError(f"question type {cls.name!r} is registered twice")
    STRATEGIES[cls.name] = cls()
    return cls


def strategy_for(question: Question | str) -> QuestionType:
    """The strategy of a question (or a type name); an unknown type gets one that refuses answers."""
    name = question if isinstance(question, str) else question.type
    return STRATEGIES.get(name, _UNKNOWN)


def type_aliases() -> dict[str, str]:
    """Every name a quiz file may write after ``Type:`` -> the type's name."""
    return {alias: name for name, kind in STRATEGIES.items() for alias in (name, *kind.aliases)}
