"""Checks of a quiz's teaching, not its syntax: answers a learner could guess without knowing (pure).

- ``longest-option-bias``: among the single- and multiple-choice questions (at least four), the
  correct option is the strictly longest in more than half: "pick the longest" wins.
- ``position-bias``: the correct option sits at the same authored position in more than 60 % of
  those questions (shuffling hides it on the page, but not from a learner who takes the quiz twice
  without shuffling, or from the printed file).
- ``duplicate-question``: two questions whose normalised texts are at least 90 % alike.

All three are warnings: the quiz works, but measures less than it should. An author who means
it accepts one with a marker (:mod:`lms.core.accept`): ``<!-- accept: duplicate-question -->`` in
a question, or, for the two that concern the whole quiz, ``accept: [position-bias]`` in the front
matter; the warning is still listed, as accepted.
"""
from __future__ import annotations

from collections import Counter
from difflib import SequenceMatcher

from ..problems import WARNING, Problem, define
from ..textnorm import normalize_answer
from .model import Question, Quiz
from .registry import strategy_for

LONGEST_OPTION = define("longest-option-bias",
                        "the correct option is the longest one in %(count)s of %(total)s choice questions: "
                        "a learner who picks the longest answer passes; vary the lengths")
POSITION = define("position-bias",
                  "the correct option is option %(position)s in %(count)s of %(total)s choice questions: "
                  "a learner can guess by position; move some correct options")
DUPLICATE = define("duplicate-question", "this question is almost the same as the one at line %(other)s")

#: the warnings a marker may accept; those about the whole quiz only in the front matter (or before the
#: first question), not in the question they happen to be reported at
WARNING_CODES = frozenset({LONGEST_OPTION, POSITION, DUPLICATE})
QUIZ_WIDE = frozenset({LONGEST_OPTION, POSITION})

#: the fewest choice questions the two bias checks need to say anything
MIN_QUESTIONS = 4
POSITION_SHARE = 0.6
SIMILAR = 0.9


def _choice_questions(quiz: Quiz) -> list[Question]:
    return [q for q in quiz.questions if strategy_for(q).guessable and len(q.options) >= 2]


def _correct(question: Question) -> list[int]:
    """Authored positions (0-based) of the options worth marks: the best one(s) when one is picked."""
    best = max(o.fraction for o in question.options)
    if strategy_for(question).guessable == "one":
        return [i for i, o in enumerate(question.options) if o.fraction == best and best > 0]
    return [i for i, o in enumerate(question.options) if o.fraction > 0]


def _longest_is_correct(question: Question, correct: list[int]) -> bool:
    lengths = [len(o.text.strip()) for o in question.options]
    longest = max(lengths)
    winners = [i for i, length in enumerate(lengths) if length == longest]
    return len(winners) == 1 and winners[0] in correct


def _text(question: Question) -> str:
    return normalize_answer(f"{question.title} {question.text}")


def check_quiz(quiz: Quiz, path: str) -> list[Problem]:
    """The warnings of the checks above for one quiz, at their lines of ``path``."""
    found: list[Problem] = []
    choice = [(q, _correct(q)) for q in _choice_questions(quiz)]
    choice = [(q, correct) for q, correct in choice if correct]
    line = choice[0][0].line if choice else 1
    if len(choice) >= MIN_QUESTIONS:
        longest = sum(1 for q, correct in choice if _longest_is_correct(q, correct))
        if longest * 2 > len(choice):
            found.append(Problem.of(path, line, LONGEST_OPTION, severity=WARNING, count=longest, total=len(choice)))
        positions = Counter(correct[0] for _q, correct in choice)
        position, count = positions.most_common(1)[0]
        if count > POSITION_SHARE * len(choice):
            found.append(Problem.of(path, line, POSITION, severity=WARNING, position=position + 1, count=count,
                                    total=len(choice)))
    texts = [(q, _text(q)) for q in quiz.questions]
    for later, (question, text) in enumerate(texts):
        for earlier, earlier_text in texts[:later]:
            if text and earlier_text and SequenceMatcher(None, text, earlier_text).ratio() >= SIMILAR:
                found.append(Problem.of(path, question.line, DUPLICATE, severity=WARNING, other=earlier.line))
                break
    return found
