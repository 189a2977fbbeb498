"""Item analysis of quizzes and scenarios: facility, discrimination, wrong answers, reply counts."""
from __future__ import annotations

import pytest

from lms.core.item_analysis import (
    AttemptRecord,
    analyse_quiz,
    analyse_scenario,
    discrimination_index,
)
from lms.core.quiz import draw_attempt, grade_attempt, parse_quiz
from lms.core.scenario import parse_scenario

QUIZ = """---
title: Analysis
---

## Pick the flute {#glass}

- [x] Flute
- [ ] Tumbler
- [ ] Mug

## Tick the warm greetings {#greet}

- [x] Hello
- [x] Welcome
- [ ] Next!

## Name the host {#host}

Answer: hostess

## How many minutes? {#minutes}

Answer: 10..30

## Describe an apology {#apology}

Type: open
Points: 2
"""

SCENARIO = """---
title: Call
outcomes:
  done: Done
---
## Call {#call}

**Customer:** Where is my order?

- [Tomorrow at noon.](#letter)
- [No idea.](#letter)
- [Call back later.](#letter)

## Letter {#letter}

Write your reply: Write to the customer

- [ ] apologised (1)

-> #end

## End {#end}

outcome: done
"""


@pytest.fixture(scope="module")
def quiz():
    parsed, problems = parse_quiz(QUIZ, "analysis.md")
    assert problems == []
    return parsed


def attempt(quiz, answers, reviews=None) -> AttemptRecord:
    result = grade_attempt(quiz, draw_attempt(quiz, 1), answers, reviews)
    return AttemptRecord.from_result(result.to_dict(), answers)


def by_id(stats):
    return {s.question_id: s for s in stats}


def test_facility_counts_fully_correct_answers_among_attempts_asked(quiz):
    attempts = [
        attempt(quiz, {"glass": "a", "greet": ["a", "b"], "host": "Hostess", "minutes": "15"}),
        attempt(quiz, {"glass": "b", "greet": ["a"], "host": "waiter", "minutes": "15"}),
        attempt(quiz, {"glass": "a", "greet": ["a", "b", "c"]}),
        attempt(quiz, {"glass": "c"}),
    ]
    stats = by_id(analyse_quiz(quiz, attempts))
    assert (stats["glass"].attempts, stats["glass"].correct, stats["glass"].facility) == (4, 2, 0.5)
    assert stats["greet"].facility == 0.25  # partial credit is not "correct"
    assert stats["minutes"].facility == 0.5  # unanswered counts as not correct
    assert [s.question_id for s in analyse_quiz(quiz, attempts)] == ["glass", "greet", "host", "minutes", "apology"]


def test_open_answers_awaiting_review_are_left_out_until_reviewed(quiz):
    pending = attempt(quiz, {"apology": "Sorry!"})
    reviewed = attempt(quiz, {"apology": "We are sorry, it comes at noon."}, {"apology": 2})
    stats = by_id(analyse_quiz(quiz, [pending, reviewed]))
    assert (stats["apology"].attempts, stats["apology"].facility) == (1, 1.0)
    assert stats["apology"].discrimination is None  # one graded attempt tells nothing


def test_the_most_chosen_wrong_option_and_typed_answer(quiz):
    attempts = [
        attempt(quiz, {"glass": "b", "greet": ["a", "c"], "host": " Waiter ", "minutes": "45"}),
        attempt(quiz, {"glass": "c", "greet": ["c"], "host": "waiter", "minutes": "45"}),
        attempt(quiz, {"glass": "c", "greet": ["a", "b"], "host": "cook", "minutes": "5"}),
        attempt(quiz, {"glass": "a", "greet": ["a", "b"], "host": "hostess", "minutes": "20"}),
    ]
    stats = by_id(analyse_quiz(quiz, attempts))
    assert (stats["glass"].wrong.option_id, stats["glass"].wrong.text, stats["glass"].wrong.count) == ("c", "Mug", 2)
    assert (stats["greet"].wrong.option_id, stats["greet"].wrong.count) == ("c", 2)  # only the wrong ticks count
    assert (stats["host"].wrong.text, stats["host"].wrong.count, stats["host"].wrong.option_id) == ("waiter", 2, None)
    assert (stats["minutes"].wrong.text, stats["minutes"].wrong.count) == ("45", 2)
    assert stats["apology"].wrong is None


def test_nobody_wrong_means_no_wrong_answer_and_no_attempts_means_no_index(quiz):
    right = attempt(quiz, {"glass": "a"})
    stats = by_id(analyse_quiz(quiz, [right, right]))
    assert stats["glass"].wrong is None and stats["glass"].facility == 1.0
    assert stats["glass"].discrimination == 0.0
    empty = by_id(analyse_quiz(quiz, []))
    assert (empty["glass"].attempts, empty["glass"].facility, empty["glass"].discrimination) == (0, None, None)


def test_discrimination_is_upper_minus_lower_27_percent():
    # 10 attempts: groups of round(2.7) = 3; the strongest three got it right, the weakest three did not
    scored = [(float(score), score >= 70) for score in range(10, 110, 10)]
    assert discrimination_index(scored) == 1.0
    reversed_key = [(score, not ok) for score, ok in scored]
    assert discrimination_index(reversed_key) == -1.0
    # upper group 2 of 3 right, lower group 1 of 3 right
    mixed = [(10.0, True), (20.0, False), (30.0, False), (50.0, True), (60.0, False),
             (70.0, False), (80.0, True), (90.0, True), (100.0, False), (40.0, False)]
    assert discrimination_index(mixed) == pytest.approx(1 / 3, abs=1e-4)
    assert discrimination_index([(50.0, True)]) is None
    assert discrimination_index([(10.0, False), (90.0, True)]) == 1.0  # one in each group


def test_scenario_reply_counts_per_step_with_texts_and_unchosen_replies():
    scenario, problems = parse_scenario(SCENARIO, "call.md")
    assert problems == []
    stats = analyse_scenario(scenario, {("call", "1"): 3, ("call", "2"): 1, ("letter", "text"): 4,
                                        ("gone", "1"): 9})
    assert [s.step_id for s in stats] == ["call", "letter"]  # endings ask nothing
    call = stats[0]
    assert call.total == 4
    assert [(r.reply_id, r.text, r.count, r.share) for r in call.replies] == [
        ("1", "Tomorrow at noon.", 3, 0.75), ("2", "No idea.", 1, 0.25), ("3", "Call back later.", 0, 0.0)]
    assert [(r.reply_id, r.count) for r in stats[1].replies] == [("text", 4)]
    untouched = analyse_scenario(scenario, {})
    assert untouched[0].total == 0 and untouched[0].replies[0].share is None
