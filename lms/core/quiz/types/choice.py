"""Choice questions: single choice, multiple choice and true/false."""
from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from ...problems import define
from ...xapi import Component, Interaction, response_list
from ..errors import AnswerError
from ..model import Option, Question, letter_id
from ..numbers import SUM_TOLERANCE, percent_text, round_fraction
from ..registry import FormValues, Outcome, QuestionType, Report, form_list, form_value
from ..scan import RawOption, RawQuestion, feedback_text, weight_of
from ..writer import feedback_lines, looks_weighted

__all__ = ["SingleChoice", "MultipleChoice", "TrueFalse"]

# -- problems found when parsing ------------------------------------------------------
OPTION_EMPTY = define("quiz-option-empty", "option has no text; write it after '- [ ]' or '- [x]'")
SINGLE_RIGHT_NOT_FULL = define(
    "quiz-single-right-not-full",
    "in a single-choice question the right answer ('- [x]') is worth 100%%, not %(weight)s%%; for partial "
    "credit mark the option '- [ ]' with a weight, e.g. '- [ ] (%(weight)s%%) ...'")
SINGLE_FULL_MARKED_WRONG = define(
    "quiz-single-full-marked-wrong", "option is worth 100% but marked wrong with '- [ ]'; mark it '- [x]'")
RIGHT_OPTION_NOT_POSITIVE = define(
    "quiz-right-option-not-positive",
    "option is marked correct with '- [x]' but its weight is %(weight)s%%; give it a positive weight or "
    "mark it '- [ ]'")
WRONG_OPTION_POSITIVE = define(
    "quiz-wrong-option-positive",
    "option is marked wrong with '- [ ]' but its weight is %(weight)s%%; mark it '- [x]' or make the "
    "weight 0 or negative")
NO_WEIGHT_LEFT = define(
    "quiz-no-weight-left",
    "the weighted correct options already add up to %(total)s%%, leaving nothing for the correct options "
    "without a weight; give every correct option a weight")
TRUE_FALSE_NEEDS_ANSWER = define(
    "quiz-true-false-needs-answer",
    "a true/false question needs one 'Answer: true' or 'Answer: false' line, or the two options "
    "'- [x] True' and '- [ ] False'")
TRUE_FALSE_BAD_ANSWER = define(
    "quiz-true-false-bad-answer", "true/false answer must be 'true' or 'false', not '%(value)s'")
TRUE_FALSE_OPTION_COUNT = define(
    "quiz-true-false-option-count",
    "a true/false question needs exactly two options (True and False), not %(count)s")
TRUE_FALSE_WEIGHT = define(
    "quiz-true-false-weight",
    "true/false options cannot have weights; mark the right one '- [x]' and the other '- [ ]'")
# -- structural problems (Markdown and GIFT) ------------------------------------------
TOO_FEW_OPTIONS = define("quiz-too-few-options", "a choice question needs at least 2 options, it has %(count)s")
NO_CORRECT_OPTION = define("quiz-no-correct-option", "no correct option: mark the right answer(s) with '- [x]'")
NO_FULL_OPTION = define(
    "quiz-no-full-option",
    "no option gives full marks: mark the right answer with '- [x]' and no weight (or weight 100%)")
WEIGHTS_NOT_100 = define(
    "quiz-weights-not-100",
    "the weights of the correct options add up to %(total)s%%, so the question cannot be scored 100%%; "
    "make them add up to 100%% (e.g. two correct options at 50%% each)")
DUPLICATE_OPTION = define("quiz-duplicate-option", "two options have the same text; make every option different")
TRUE_FALSE_ONE_CORRECT = define(
    "quiz-true-false-one-correct", "a true/false question needs exactly one correct option: mark it '- [x]'")
# -- refused answers ------------------------------------------------------------------
CHOOSE_ONE = define("quiz-answer-choose-one", "choose one option")
UNKNOWN_OPTION = define("quiz-answer-unknown-option", "'%(choice)s' is not an option of this question")
NOT_OPTION_LIST = define("quiz-answer-not-option-list", "expected a list of option ids")
OPTION_TWICE = define("quiz-answer-option-twice", "the same option was chosen twice")
NOT_CHOICE_LIST = define("quiz-answer-not-choice-list", "expected a list of choices")

_TRUE_WORDS = {"true", "t", "yes"}
_FALSE_WORDS = {"false", "f", "no"}


def _clamp(fraction: Decimal) -> Decimal:
    return max(Decimal(0), min(Decimal(1), fraction))


class _Options(QuestionType):
    """What every choice question shares: options with weights, shown in the plan's order."""

    structure = "options"
    shuffles = True

    def draw(self, question: Question, rng: random.Random, shuffle_options: bool
             ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        order = [o.id for o in question.options]
        if shuffle_options and self.shuffles:
            rng.shuffle(order)
        return tuple(order), None

    def public(self, question: Question, order: Sequence[str], rights: Sequence[str]) -> dict[str, Any]:
        by_id = {o.id: o.text for o in question.options}
        return {"options": [{"id": i, "text": by_id[i]} for i in order if i in by_id]}

    def _checked(self, option: Option) -> bool:
        return option.fraction == 1

    def _choices(self, question: Question) -> tuple[tuple[str, tuple[Component, ...]], ...]:
        return (("choices", tuple(Component(o.id, o.text) for o in question.options)),)

    def _shows_weight(self, option: Option, checked: bool) -> bool:
        default = Decimal(1) if checked else Decimal(0)
        return option.fraction != default or looks_weighted(option.text)

    def markdown(self, question: Question) -> list[str]:
        out = []
        for opt in question.options:
            checked = self._checked(opt)
            weight = f"({percent_text(opt.fraction)}%) " if self._shows_weight(opt, checked) else ""
            first, *more = opt.text.split("\n")
            out.append(f"- [{'x' if checked else ' '}] {weight}{first}".rstrip())
            out.extend(f"  {line}" for line in more)
            out.extend(feedback_lines(opt.feedback))
        return out


class _OneOption(_Options):
    """Answered with one option id: single choice and true/false."""

    def check(self, question: Question, raw: Any) -> Any:
        if not isinstance(raw, str):
            raise AnswerError(question.id, CHOOSE_ONE)
        if question.option(raw) is None:
            raise AnswerError(question.id, UNKNOWN_OPTION, choice=raw)
        return raw

    def grade(self, question: Question, answer: Any, review: Any) -> Outcome:
        opt = question.option(answer)
        assert opt is not None
        return Outcome(_clamp(opt.fraction), opt.fraction == 1, (opt.feedback,) if opt.feedback else ())

    def read(self, shown: Mapping[str, Any], form: FormValues) -> Any:
        return form_value(form, f"q-{shown['id']}") or None

    def describe(self, question: Question, answer: Any) -> str:
        return next((o.text for o in question.options if o.id == answer), "")

    def solution(self, question: Question) -> str:
        return " / ".join(o.text for o in question.options if o.fraction == 1)

    def wrong_choices(self, question: Question, answer: Any) -> list[str]:
        option = question.option(answer) if isinstance(answer, str) else None
        return [option.id] if option is not None and option.fraction < 1 else []

    def response(self, question: Question, answer: Any) -> str:
        return str(answer)

    def to_browser(self, question: Question, answer: Any, tokens: Any) -> Any:
        return tokens.tokens(question, "option").get(answer)

    def from_browser(self, question: Question, raw: Any, tokens: Any) -> Any:
        return tokens.authored(question, "option", raw)


class _Weighted(_Options, ABC):
    """Single and multiple choice: options written ``- [x]`` / ``- [ ]`` with optional weights."""

    def build(self, raw: RawQuestion, report: Report) -> dict[str, Any]:
        explicit: dict[int, Decimal] = {}
        for index, opt in enumerate(raw.options):
            if not opt.text:
                report(opt.line, OPTION_EMPTY)
            if opt.weight is None:
                continue
            fraction = weight_of(opt.weight, opt.line, report)
            if fraction is None:
                continue
            self._check_weight(opt, fraction, report)
            explicit[index] = fraction
        fractions = self._fractions(raw, explicit, report)
        return {"options": tuple(Option(letter_id(i), o.text, f, feedback_text(o.feedback))
                                 for i, (o, f) in enumerate(zip(raw.options, fractions, strict=True)))}

    @abstractmethod
    def _check_weight(self, opt: RawOption, fraction: Decimal, report: Report) -> None:
        """Report a weight this type cannot take (single: above 100 %)."""

    @abstractmethod
    def _fractions(self, raw: RawQuestion, explicit: dict[int, Decimal], report: Report) -> list[Decimal]:
        """Every option's fraction: the written weights, and the marked options' share of the rest."""

    def validate(self, question: Question) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = []
        if len(question.options) < 2:
            out.append((TOO_FEW_OPTIONS, {"count": len(question.options)}))
        if not any(o.fraction > 0 for o in question.options):
            out.append((NO_CORRECT_OPTION, {}))
        else:
            out.extend(self._full_marks(question))
        texts = [o.text.strip().casefold() for o in question.options]
        if len(set(texts)) != len(texts):
            out.append((DUPLICATE_OPTION, {}))
        return out

    @abstractmethod
    def _full_marks(self, question: Question) -> list[tuple[str, dict[str, Any]]]:
        """Problems if no answer can earn the question's full marks."""


class SingleChoice(_Weighted, _OneOption):
    name = "single"
    guessable = "one"
    aliases = ("single_choice", "choice", "radio")

    def _check_weight(self, opt: RawOption, fraction: Decimal, report: Report) -> None:
        if opt.checked and fraction != 1:
            report(opt.line, SINGLE_RIGHT_NOT_FULL, weight=opt.weight)
        elif not opt.checked and fraction >= 1:
            report(opt.line, SINGLE_FULL_MARKED_WRONG)

    def _fractions(self, raw: RawQuestion, explicit: dict[int, Decimal], report: Report) -> list[Decimal]:
        return [explicit.get(index, Decimal(1) if opt.checked else Decimal(0))
                for index, opt in enumerate(raw.options)]

    def _full_marks(self, question: Question) -> list[tuple[str, dict[str, Any]]]:
        if not any(o.fraction == 1 for o in question.options):
            return [(NO_FULL_OPTION, {})]
        return []

    def interaction(self, question: Question) -> Interaction:
        """A choice; each full-mark option is a correct response of its own."""
        return Interaction("choice", tuple(o.id for o in question.options if o.fraction == 1),
                           self._choices(question))


class MultipleChoice(_Weighted):
    name = "multiple"
    guessable = "many"
    aliases = ("multiple_choice", "multi", "checkbox", "checkboxes")

    def _check_weight(self, opt: RawOption, fraction: Decimal, report: Report) -> None:
        if opt.checked and fraction <= 0:
            report(opt.line, RIGHT_OPTION_NOT_POSITIVE, weight=opt.weight)
        elif not opt.checked and fraction > 0:
            report(opt.line, WRONG_OPTION_POSITIVE, weight=opt.weight)

    def _fractions(self, raw: RawQuestion, explicit: dict[int, Decimal], report: Report) -> list[Decimal]:
        checked = [o for o in raw.options if o.checked]
        unweighted_right = [i for i, o in enumerate(raw.options) if o.checked and i not in explicit]
        explicit_right = sum((f for i, f in explicit.items() if raw.options[i].checked and f > 0), Decimal(0))
        share = Decimal(0)
        if unweighted_right:
            rest = Decimal(1) - explicit_right
            if rest <= 0:
                report(raw.options[unweighted_right[0]].line, NO_WEIGHT_LEFT, total=percent_text(explicit_right))
            else:
                share = round_fraction(rest / len(unweighted_right))
        penalty = round_fraction(-Decimal(1) / len(checked)) if checked else Decimal(0)
        return [explicit[index] if index in explicit else share if opt.checked else penalty
                for index, opt in enumerate(raw.options)]

    def _full_marks(self, question: Question) -> list[tuple[str, dict[str, Any]]]:
        total = sum((o.fraction for o in question.options if o.fraction > 0), Decimal(0))
        if abs(total - 1) > SUM_TOLERANCE:
            return [(WEIGHTS_NOT_100, {"total": percent_text(total)})]
        return []

    def _checked(self, option: Option) -> bool:
        return option.fraction > 0

    def _shows_weight(self, option: Option, checked: bool) -> bool:
        return True

    def check(self, question: Question, raw: Any) -> Any:
        if not isinstance(raw, list | tuple) or not all(isinstance(x, str) for x in raw):
            raise AnswerError(question.id, NOT_OPTION_LIST)
        if len(set(raw)) != len(raw):
            raise AnswerError(question.id, OPTION_TWICE)
        known = [o.id for o in question.options]
        unknown = [x for x in raw if x not in known]
        if unknown:
            raise AnswerError(question.id, UNKNOWN_OPTION, choice=unknown[0])
        return [o for o in known if o in raw]

    def grade(self, question: Question, answer: Any, review: Any) -> Outcome:
        chosen = set(answer)
        right = {o.id for o in question.options if o.fraction > 0}
        correct = chosen == right
        total = sum((o.fraction for o in question.options if o.id in chosen), Decimal(0))
        feedback = tuple(o.feedback for o in question.options if o.id in chosen and o.feedback)
        return Outcome(Decimal(1) if correct else _clamp(total), correct, feedback)

    def read(self, shown: Mapping[str, Any], form: FormValues) -> Any:
        return form_list(form, f"q-{shown['id']}")

    def describe(self, question: Question, answer: Any) -> str:
        return "; ".join(o.text for o in question.options if o.id in answer)

    def solution(self, question: Question) -> str:
        return "; ".join(o.text for o in question.options if o.fraction > 0)

    def wrong_choices(self, question: Question, answer: Any) -> list[str]:
        if not isinstance(answer, list):
            return []
        return [o.id for o in question.options if o.id in answer and o.fraction <= 0]

    def interaction(self, question: Question) -> Interaction:
        """A choice whose one correct response is every option with a positive weight."""
        right = [o.id for o in question.options if o.fraction > 0]
        return Interaction("choice", (response_list(right),) if right else (), self._choices(question))

    def response(self, question: Question, answer: Any) -> str:
        return response_list(answer)

    def to_browser(self, question: Question, answer: Any, tokens: Any) -> Any:
        options = tokens.tokens(question, "option")
        return [options[i] for i in answer if i in options]

    def from_browser(self, question: Question, raw: Any, tokens: Any) -> Any:
        if not isinstance(raw, list | tuple):
            raise AnswerError(question.id, NOT_CHOICE_LIST)
        return [tokens.authored(question, "option", token) for token in raw]


class TrueFalse(_OneOption):
    """True/false: two options with the ids ``true`` and ``false``, never shuffled."""

    name = "true_false"
    aliases = ("truefalse", "true_or_false", "tf", "boolean")
    shuffles = False

    def accepts(self, raw: RawQuestion, structure: str) -> bool:
        return structure == "options" or (structure == "answers" and not raw.options)

    def build(self, raw: RawQuestion, report: Report) -> dict[str, Any]:
        if not raw.options:
            return {"options": self._from_answer(raw, report)}
        if len(raw.options) != 2:
            report(raw.line, TRUE_FALSE_OPTION_COUNT, count=len(raw.options))
        opts = list(raw.options[:2])
        for opt in opts:
            if opt.weight is not None:
                report(opt.line, TRUE_FALSE_WEIGHT)
        words = [o.text.strip().casefold() for o in opts]
        if len(opts) == 2 and words[0] in _FALSE_WORDS and words[1] in _TRUE_WORDS:
            opts.reverse()          # keep True first
        return {"options": tuple(Option(ident, opt.text, Decimal(1) if opt.checked else Decimal(0),
                                        feedback_text(opt.feedback))
                                 for ident, opt in zip(("true", "false"), opts, strict=False))}

    def _from_answer(self, raw: RawQuestion, report: Report) -> tuple[Option, ...]:
        labels = {"true": ("True", Decimal(0), ""), "false": ("False", Decimal(0), "")}
        if len(raw.answers) != 1:
            report(raw.line, TRUE_FALSE_NEEDS_ANSWER)
        if raw.answers:
            answer = raw.answers[0]
            word = answer.value.strip().casefold()
            if word in _TRUE_WORDS | {"верно", "да", "صح", "صحيح"}:
                labels["true"] = ("True", Decimal(1), feedback_text(answer.feedback))
            elif word in _FALSE_WORDS | {"неверно", "нет", "خطأ"}:
                labels["false"] = ("False", Decimal(1), feedback_text(answer.feedback))
            else:
                report(answer.line, TRUE_FALSE_BAD_ANSWER, value=answer.value)
        return tuple(Option(i, *labels[i]) for i in ("true", "false"))

    def validate(self, question: Question) -> list[tuple[str, dict[str, Any]]]:
        if len(question.options) == 2 and sorted(o.fraction for o in question.options) != [0, 1]:
            return [(TRUE_FALSE_ONE_CORRECT, {})]
        return []

    def _shows_weight(self, option: Option, checked: bool) -> bool:
        return False

    def interaction(self, question: Question) -> Interaction:
        """A true-false: the option ids are ``true`` and ``false``, as the response format wants."""
        return Interaction("true-false", tuple(o.id for o in question.options if o.fraction == 1))
