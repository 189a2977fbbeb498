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

The package, by job:

* :mod:`.model` -- questions, options, accepted answers, settings, ids;
* :mod:`.numbers` -- learners' and authors' numbers, weights, exact rounding;
* :mod:`.scan` and :mod:`.parse` -- the Markdown parser and its problems;
* :mod:`.writer` -- writing a quiz back as Markdown, and the JSON report;
* :mod:`.draw` -- drawing an attempt and what a learner's page may see;
* :mod:`.grade` -- checking, grading, reading and describing answers;
* :mod:`.tokens` -- the per-attempt tokens that name choices in the browser;
* :mod:`.registry` and :mod:`.types` -- one strategy object per question type,
  which owns everything that varies with the type.

Everything here is pure Python. Problems are :class:`~lms.core.problems.Problem`
codes with parameters; refused answers and reviews (:class:`AnswerError`,
:class:`ReviewError`) carry a code too, so the view words them in the reader's
language.
"""
from __future__ import annotations

from . import types as _types  # noqa: F401  (registers every question type)
from .draw import AttemptPlan, draw_attempt, public_question
from .errors import NOT_IN_ATTEMPT, AnswerError, ReviewError
from .grade import (
    AttemptResult,
    QuestionResult,
    Review,
    describe_answer,
    describe_solution,
    finalize_with_review,
    grade_attempt,
    grade_question,
    read_answer,
    validate_answer,
    wrong_choices,
    wrong_text,
    xapi_interaction,
    xapi_response,
)
from .model import (
    FEEDBACK_MODES,
    LAYOUTS,
    MatchPair,
    NumericAnswer,
    Option,
    OrderItem,
    Question,
    Quiz,
    QuizSettings,
    TextAnswer,
    letter_id,
    matching_pairs,
    ordering_items,
)
from .numbers import NumericSpecError, parse_number, parse_numeric_spec, plain_decimal
from .parse import parse_quiz, parse_quiz_document, validate_question
from .registry import STRATEGIES, QuestionType, strategy_for
from .tokens import TOKEN_LENGTH, AttemptTokens
from .types import MAX_OPEN_ANSWER, MAX_SHORT_ANSWER
from .writer import quiz_to_json, quiz_to_markdown

#: Every question type, in the order used by the documentation.
QUESTION_TYPES: tuple[str, ...] = tuple(STRATEGIES)

__all__ = [
    "QUESTION_TYPES", "FEEDBACK_MODES", "LAYOUTS", "MAX_SHORT_ANSWER", "MAX_OPEN_ANSWER", "NOT_IN_ATTEMPT",
    "AnswerError", "ReviewError", "NumericSpecError",
    "Option", "TextAnswer", "NumericAnswer", "MatchPair", "OrderItem", "Question",
    "QuizSettings", "Quiz", "AttemptPlan", "QuestionResult", "AttemptResult", "Review",
    "parse_quiz", "parse_quiz_document", "validate_question", "draw_attempt",
    "public_question", "validate_answer", "grade_question", "grade_attempt",
    "finalize_with_review", "parse_number", "parse_numeric_spec", "quiz_to_json", "quiz_to_markdown",
    "read_answer", "describe_answer", "describe_solution", "wrong_choices", "wrong_text",
    "xapi_interaction", "xapi_response", "letter_id", "matching_pairs",
    "ordering_items", "plain_decimal", "QuestionType", "STRATEGIES", "strategy_for",
    "TOKEN_LENGTH", "AttemptTokens",
]
