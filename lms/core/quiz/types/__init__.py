"""One strategy class per question type, registered in the order of the documentation.

single, multiple, true_false (:mod:`.choice`); short, numeric (:mod:`.typed`);
matching, ordering (:mod:`.arrange`); open, description (:mod:`.open`).
"""
from __future__ import annotations

from ..registry import register
from .arrange import Matching, Ordering
from .choice import MultipleChoice, SingleChoice, TrueFalse
from .open import MAX_OPEN_ANSWER, Description, OpenAnswer, review_points
from .typed import MAX_SHORT_ANSWER, Numeric, ShortAnswer

__all__ = ["SingleChoice", "MultipleChoice", "TrueFalse", "ShortAnswer", "Numeric", "Matching", "Ordering",
           "OpenAnswer", "Description", "MAX_SHORT_ANSWER", "MAX_OPEN_ANSWER", "review_points"]

for _kind in (SingleChoice, MultipleChoice, TrueFalse, ShortAnswer, Numeric, Matching, Ordering, OpenAnswer,
              Description):
    register(_kind)
