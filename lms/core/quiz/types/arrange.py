"""Arranging answers: matching (each left side to a right side) and ordering (a numbered list)."""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from ...problems import define
from ...xapi import Component, Interaction, response_list, response_pairs
from ..errors import AnswerError
from ..model import Question, id_sort_key, matching_pairs, ordering_items
from ..registry import FormValues, Outcome, QuestionType, Report, form_value
from ..scan import RawQuestion

__all__ = ["Matching", "Ordering"]

PAIR_INCOMPLETE = define("quiz-pair-incomplete", "a matching pair needs text on both sides: '- left -> right'")
TOO_FEW_PAIRS = define(
    "quiz-too-few-pairs", "a matching question needs at least 2 pairs ('- left -> right'), it has %(count)s")
DUPLICATE_LEFT = define("quiz-duplicate-left", "two pairs have the same left side; make every left side different")
TOO_FEW_ITEMS = define(
    "quiz-too-few-items", "an ordering question needs at least 2 items in a numbered list, it has %(count)s")
DUPLICATE_ITEM = define("quiz-duplicate-item", "two items have the same text; make every item different")
NOT_MAPPING = define("quiz-answer-not-mapping", "expected a mapping of left ids to right ids")
UNKNOWN_LEFT = define("quiz-answer-unknown-left", "'%(left)s' is not a left side of this question")
UNKNOWN_RIGHT = define("quiz-answer-unknown-right", "'%(right)s' is not a right side of this question")
NOT_ITEM_LIST = define("quiz-answer-not-item-list", "expected a list of item ids")
INCOMPLETE_ORDER = define("quiz-answer-incomplete-order", "the order must list every item exactly once")
NOT_CHOICE_MAPPING = define(
    "quiz-answer-not-choice-mapping", "expected a mapping of left choices to right choices")
NOT_ITEMS = define("quiz-answer-not-items", "expected a list of items")

#: a position the learner left empty sorts after every numbered one, in display order
_UNSET = 10_000


class Matching(QuestionType):
    """Matching: ``- left -> right`` pairs; a share of the marks for each left matched right."""

    name = "matching"
    aliases = ("match", "pairs")
    structure = "pairs"
    consumes = frozenset({"pair"})

    def build(self, raw: RawQuestion, report: Report) -> dict[str, Any]:
        for pline, left, right in raw.pairs:
            if not left or not right:
                report(pline, PAIR_INCOMPLETE)
        return {"pairs": matching_pairs((left, right) for _, left, right in raw.pairs if left and right)}

    def validate(self, question: Question) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = []
        if len(question.pairs) < 2:
            out.append((TOO_FEW_PAIRS, {"count": len(question.pairs)}))
        lefts = [p.left.strip().casefold() for p in question.pairs]
        if len(set(lefts)) != len(lefts):
            out.append((DUPLICATE_LEFT, {}))
        return out

    def draw(self, question: Question, rng: random.Random, shuffle_options: bool
             ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        lefts = [p.left_id for p in question.pairs]
        if shuffle_options:
            rng.shuffle(lefts)
        rights = [rid for rid, _ in question.rights()]
        rng.shuffle(rights)
        return tuple(lefts), tuple(rights)

    def public(self, question: Question, order: Sequence[str], rights: Sequence[str]) -> dict[str, Any]:
        lefts = {p.left_id: p.left for p in question.pairs}
        texts = dict(question.rights())
        return {"lefts": [{"id": i, "text": lefts[i]} for i in order if i in lefts],
                "rights": [{"id": i, "text": texts[i]} for i in rights if i in texts]}

    def check(self, question: Question, raw: Any) -> Any:
        if not isinstance(raw, Mapping):
            raise AnswerError(question.id, NOT_MAPPING)
        lefts = [p.left_id for p in question.pairs]
        rights = {rid for rid, _ in question.rights()}
        for left, right in raw.items():
            if left not in lefts:
                raise AnswerError(question.id, UNKNOWN_LEFT, left=str(left))
            if not isinstance(right, str) or right not in rights:
                raise AnswerError(question.id, UNKNOWN_RIGHT, right=str(right))
        return {left: raw[left] for left in lefts if left in raw}

    def grade(self, question: Question, answer: Any, review: Any) -> Outcome:
        pairs = question.pairs
        right_count = sum(1 for p in pairs if answer.get(p.left_id) == p.right_id)
        fraction = Decimal(right_count) / len(pairs) if pairs else Decimal(0)
        return Outcome(fraction, right_count == len(pairs))

    def read(self, shown: Mapping[str, Any], form: FormValues) -> Any:
        name = f"q-{shown['id']}"
        chosen = {left["id"]: form_value(form, f"{name}-{left['id']}") for left in shown["lefts"]}
        return {k: v for k, v in chosen.items() if v}

    def describe(self, question: Question, answer: Any) -> str:
        rights = dict(question.rights())
        return "; ".join(f"{p.left} → {rights.get(answer.get(p.left_id), '—')}" for p in question.pairs)

    def solution(self, question: Question) -> str:
        return "; ".join(f"{p.left} → {p.right}" for p in question.pairs)

    def interaction(self, question: Question) -> Interaction:
        """A matching: the left sides are the source, the distinct right sides the target."""
        return Interaction("matching", (response_pairs((p.left_id, p.right_id) for p in question.pairs),), (
            ("source", tuple(Component(p.left_id, p.left) for p in question.pairs)),
            ("target", tuple(Component(rid, text) for rid, text in question.rights()))))

    def response(self, question: Question, answer: Any) -> str:
        """The pairs the learner matched, in the question's order (a left left unmatched is left out)."""
        return response_pairs((p.left_id, answer[p.left_id]) for p in question.pairs if p.left_id in answer)

    def to_browser(self, question: Question, answer: Any, tokens: Any) -> Any:
        lefts, rights = tokens.tokens(question, "left"), tokens.tokens(question, "right")
        return {lefts[left]: rights[right] for left, right in answer.items() if left in lefts and right in rights}

    def from_browser(self, question: Question, raw: Any, tokens: Any) -> Any:
        if not isinstance(raw, Mapping):
            raise AnswerError(question.id, NOT_CHOICE_MAPPING)
        return {tokens.authored(question, "left", left): tokens.authored(question, "right", right)
                for left, right in raw.items()}

    def markdown(self, question: Question) -> list[str]:
        return [f"- {p.left} -> {p.right}" for p in question.pairs]


class Ordering(QuestionType):
    """Ordering: a numbered list in the right order; a share of the marks per neighbouring pair kept."""

    name = "ordering"
    aliases = ("order", "sequence")
    structure = "numbered"
    consumes = frozenset({"numbered"})

    def build(self, raw: RawQuestion, report: Report) -> dict[str, Any]:
        return {"items": ordering_items(t for _, t in raw.numbered)}

    def validate(self, question: Question) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = []
        if len(question.items) < 2:
            out.append((TOO_FEW_ITEMS, {"count": len(question.items)}))
        texts = [i.text.strip().casefold() for i in question.items]
        if len(set(texts)) != len(texts):
            out.append((DUPLICATE_ITEM, {}))
        return out

    def draw(self, question: Question, rng: random.Random, shuffle_options: bool
             ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        correct = [i.id for i in question.items]
        items = list(correct)
        rng.shuffle(items)
        if items == correct and len(items) > 1:   # never start in the right order
            items = items[1:] + items[:1]
        return tuple(items), None

    def public(self, question: Question, order: Sequence[str], rights: Sequence[str]) -> dict[str, Any]:
        items = {i.id: i.text for i in question.items}
        return {"items": [{"id": i, "text": items[i]} for i in order if i in items]}

    def check(self, question: Question, raw: Any) -> Any:
        if not isinstance(raw, list | tuple) or not all(isinstance(x, str) for x in raw):
            raise AnswerError(question.id, NOT_ITEM_LIST)
        if sorted(raw) != sorted(i.id for i in question.items):
            raise AnswerError(question.id, INCOMPLETE_ORDER)
        return list(raw)

    def grade(self, question: Question, answer: Any, review: Any) -> Outcome:
        items = question.items
        position = {item.id: n for n, item in enumerate(items)}
        steps = sum(1 for a, b in zip(answer, answer[1:], strict=False) if position[b] == position[a] + 1)
        fraction = Decimal(steps) / (len(items) - 1) if len(items) > 1 else Decimal(1)
        return Outcome(fraction, list(answer) == [i.id for i in items])

    def read(self, shown: Mapping[str, Any], form: FormValues) -> Any:
        name = f"q-{shown['id']}"
        positions = []
        for index, item in enumerate(shown["items"]):
            raw = form_value(form, f"{name}-{item['id']}", "") or ""
            position = int(raw) if raw.isdigit() else _UNSET + index
            positions.append((position, index, item["id"]))
        if all(p[0] >= _UNSET for p in positions):
            return None
        return [item_id for _, _, item_id in sorted(positions)]

    def describe(self, question: Question, answer: Any) -> str:
        items = {i.id: i.text for i in question.items}
        return " → ".join(items.get(i, "?") for i in answer)

    def solution(self, question: Question) -> str:
        return " → ".join(item.text for item in question.items)

    def interaction(self, question: Question) -> Interaction:
        """A sequencing: the items are its choices, listed by id (their order says nothing)."""
        choices = sorted(question.items, key=lambda item: id_sort_key(item.id))
        return Interaction("sequencing", (response_list(i.id for i in question.items),),
                           (("choices", tuple(Component(i.id, i.text) for i in choices)),))

    def response(self, question: Question, answer: Any) -> str:
        return response_list(answer)

    def to_browser(self, question: Question, answer: Any, tokens: Any) -> Any:
        items = tokens.tokens(question, "item")
        return [items[i] for i in answer if i in items]

    def from_browser(self, question: Question, raw: Any, tokens: Any) -> Any:
        if not isinstance(raw, list | tuple):
            raise AnswerError(question.id, NOT_ITEMS)
        return [tokens.authored(question, "item", token) for token in raw]

    def markdown(self, question: Question) -> list[str]:
        return [f"{n}. {item.text}" for n, item in enumerate(question.items, start=1)]
