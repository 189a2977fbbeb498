"""Drawing an attempt (which questions, in which order, choices in which order) and what a learner may see."""
from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Quiz
from .numbers import json_number
from .registry import strategy_for

__all__ = ["AttemptPlan", "draw_attempt", "public_question"]


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
        order, rights = strategy_for(q).draw(q, random.Random(f"lms-quiz:{seed}:{qid}"), settings.shuffle_options)
        if order is not None:
            orders[qid] = order
        if rights is not None:
            right_orders[qid] = rights
    return AttemptPlan(seed, tuple(ids), orders, right_orders)


def public_question(quiz: Quiz, question_id: str, plan: AttemptPlan) -> dict:
    """What a learner's page may show for one question of an attempt.

    Contains id, number (1-based position in the attempt), type, title, text
    (Markdown), points, and: ``options`` (single/multiple/true_false),
    ``lefts`` and ``rights`` (matching), ``items`` (ordering), each a list of
    ``{"id", "text"}`` in display order. Never contains weights, correctness,
    accepted answers, feedback or the explanation. The ids are the quiz file's:
    a learner's page shows :meth:`lms.core.quiz.tokens.AttemptTokens.public_question`
    instead, which names every choice by a per-attempt token.
    """
    if question_id not in plan.question_ids:
        raise KeyError(f"question '{question_id}' is not part of this attempt")
    q = quiz.question(question_id)
    out: dict[str, Any] = {
        "id": q.id, "number": plan.question_ids.index(question_id) + 1, "type": q.type,
        "title": q.title, "text": q.text, "points": json_number(q.points),
    }
    out.update(strategy_for(q).public(q, plan.orders.get(q.id, ()), plan.right_orders.get(q.id, ())))
    return out
