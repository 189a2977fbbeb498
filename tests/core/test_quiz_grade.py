"""Drawing attempts, what learners may see, answer validation and grading."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from lms.core.quiz import (
    AnswerError,
    AttemptPlan,
    Quiz,
    Review,
    ReviewError,
    draw_attempt,
    finalize_with_review,
    grade_attempt,
    grade_question,
    parse_number,
    parse_quiz,
    public_question,
    validate_answer,
)
from lms.core.textnorm import normalize_answer

QUIZ = """---
type: quiz
title: Wine
pass_mark: 75
---

## Champagne glass? {#glass}
- [x] Flute
  > Right.
- [ ] Tumbler
  > No, water.
- [ ] (50%) Tulip
Type: single

## Red grapes? {#red}
Points: 2
- [x] Merlot
  > Yes.
- [x] Syrah
- [ ] Chardonnay
  > White!
- [ ] Riesling

## Sparkling is chilled. {#tf}
- [x] True
  > Correct.
- [ ] False
  > It is chilled.

## Wine waiter? {#short}
Answer: sommelier
Answer: (50%) waiter
  > French please.

## Temperature? {#num}
Answer: 13 ± 1
  > Spot on.
Answer: (50%) 10..16

## Match {#match}
- Champagne -> Flute
- Port -> Small glass
- Bordeaux -> Large bowl

## Order {#order}
1. Present
2. Open
3. Taste
4. Serve

## Corked? {#open}
Type: open
Points: 4
Rubric:
- Apologises

Explanation: Stay calm.
Lesson: 03-complaints.md
"""


@pytest.fixture(scope="module")
def quiz() -> Quiz:
    q, problems = parse_quiz(QUIZ, "wine.md")
    assert problems == []
    return q


def grade(quiz: Quiz, qid: str, answer):
    return grade_question(quiz.question(qid), answer)


# ---------------------------------------------------------------- choice

def test_single_choice(quiz):
    right = grade(quiz, "glass", "a")
    assert (right.score, right.fraction, right.correct, right.feedback) == (1, 1, True, ("Right.",))
    partial = grade(quiz, "glass", "c")
    assert (partial.score, partial.correct) == (Decimal("0.5"), False)
    wrong = grade(quiz, "glass", "b")
    assert (wrong.score, wrong.correct, wrong.feedback) == (0, False, ("No, water.",))


@pytest.mark.parametrize("chosen, score, correct", [
    (["a", "b"], Decimal(2), True),          # exactly the right ones
    (["a"], Decimal(1), False),              # half the credit
    (["a", "b", "c"], Decimal(1), False),    # one wrong tick cancels one right tick
    (["a", "b", "c", "d"], Decimal(0), False),
    (["c", "d"], Decimal(0), False),         # negative sum clamps at 0
    ([], Decimal(0), False),
])
def test_multiple_choice_partial_credit(quiz, chosen, score, correct):
    result = grade(quiz, "red", chosen)
    assert result.score == score
    assert result.correct is correct
    assert Decimal(0) <= result.fraction <= 1
    assert result.max_points == 2


def test_multiple_choice_thirds_give_full_marks_when_all_right():
    q, _ = parse_quiz("---\ntitle: T\n---\n## Q\n- [x] A\n- [x] B\n- [x] C\n- [ ] D\n", "t.md")
    (question,) = q.questions
    full = grade_question(question, ["a", "b", "c"])
    assert (full.fraction, full.score, full.correct) == (1, 1, True)
    two = grade_question(question, ["a", "b"])
    assert two.score == Decimal("0.6667")


def test_multiple_choice_feedback_of_chosen_options_only(quiz):
    assert grade(quiz, "red", ["a", "c"]).feedback == ("Yes.", "White!")


def test_true_false(quiz):
    assert grade(quiz, "tf", "true").correct is True
    wrong = grade(quiz, "tf", "false")
    assert (wrong.correct, wrong.score, wrong.feedback) == (False, 0, ("It is chilled.",))


# ---------------------------------------------------------------- short answer

@pytest.mark.parametrize("typed", ["sommelier", "  Sommelier. ", "SOMMELIER!", "«sommelier»"])
def test_short_answer_normalised(quiz, typed):
    assert grade(quiz, "short", typed).correct is True


def test_short_answer_partial_and_wrong(quiz):
    partial = grade(quiz, "short", "Waiter")
    assert (partial.score, partial.correct, partial.feedback) == (Decimal("0.5"), False, ("French please.",))
    assert grade(quiz, "short", "cook").score == 0


@pytest.mark.parametrize("a, b", [
    ("Ёжик", "ежик"),
    ("أحمد", "احمد"),
    ("إسلام", "اسلام"),
    ("آمن", "امن"),
    ("مستشفى", "مستشفي"),
    ("مدرسة", "مدرسه"),
    ("مُحَمَّد", "محمد"),          # harakat and shadda
    ("عـــلي", "علي"),             # tatweel
    ("  wine   glass. ", "Wine Glass"),
    ("ＷＩＮＥ", "wine"),           # full-width letters
])
def test_textnorm_equivalences(a, b):
    assert normalize_answer(a) == normalize_answer(b)


@pytest.mark.parametrize("a, b", [("C#", "C"), ("St-Emilion", "St Emilion"), ("-5", "5"), ("red", "rot")])
def test_textnorm_keeps_meaningful_differences(a, b):
    assert normalize_answer(a) != normalize_answer(b)


# ---------------------------------------------------------------- numeric

@pytest.mark.parametrize("typed, score", [
    ("13", Decimal(1)), ("12", Decimal(1)), ("14", Decimal(1)),       # tolerance is inclusive
    ("14.0001", Decimal("0.5")), ("10", Decimal("0.5")), ("16", Decimal("0.5")),
    ("9.999", Decimal(0)), (13, Decimal(1)), (12.5, Decimal(1)), ("13,5", Decimal(1)),
    ("١٣", Decimal(1)),            # Arabic-Indic digits
    ("−1", Decimal(0)),            # Unicode minus
])
def test_numeric_tolerance_and_range(quiz, typed, score):
    assert grade(quiz, "num", typed).score == score


def test_numeric_is_exact_with_decimal_fractions():
    q, problems = parse_quiz("---\ntitle: T\n---\n## Sum\nAnswer: 0.3\n## Tol\nAnswer: 0.1 ± 0.2\n", "n.md")
    assert problems == []
    exact, tol = q.questions
    assert grade_question(exact, 0.1 + 0.2).correct is False   # 0.30000000000000004 is not 0.3
    assert grade_question(exact, "0.30").correct is True
    assert grade_question(tol, "0.3").correct is True          # 0.1 + 0.2 edge is included
    assert grade_question(tol, "-0.1").correct is True
    assert grade_question(tol, "0.3000001").correct is False


def test_numeric_feedback_from_best_matching_answer(quiz):
    assert grade(quiz, "num", "13").feedback == ("Spot on.",)


@pytest.mark.parametrize("raw, expected", [
    ("1 000", Decimal(1000)), ("1,000.5", Decimal("1000.5")), ("3,5", Decimal("3.5")),
    ("+2", Decimal(2)), ("1e3", Decimal(1000)), (".5", Decimal("0.5")),
])
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "NaN", "inf", "1..2", "1,2,3", True, None, float("nan")])
def test_parse_number_rejects(raw):
    with pytest.raises(ValueError):
        parse_number(raw)


# ---------------------------------------------------------------- matching / ordering / open

def test_matching(quiz):
    question = quiz.question("match")
    right = {p.left_id: p.right_id for p in question.pairs}
    assert grade(quiz, "match", right).correct is True
    one_wrong = dict(right, a=right["b"])
    result = grade(quiz, "match", one_wrong)
    assert (result.correct, result.score) == (False, Decimal("0.6667"))
    assert grade(quiz, "match", {}).score == 0


def test_ordering_credit_for_neighbouring_pairs(quiz):
    ids = [i.id for i in quiz.question("order").items]
    assert grade(quiz, "order", ids).correct is True
    swapped_last = ids[:2] + [ids[3], ids[2]]              # Present, Open, Serve, Taste
    result = grade(quiz, "order", swapped_last)
    assert (result.correct, result.score) == (False, Decimal("0.3333"))
    assert grade(quiz, "order", list(reversed(ids))).score == 0


def test_open_answer_awaits_review_then_is_graded(quiz):
    pending = grade(quiz, "open", "I would apologise.")
    assert pending.correct is None and pending.awaiting_review and pending.score == 0
    assert pending.explanation == "Stay calm." and pending.lesson == "03-complaints.md"
    reviewed = grade_question(quiz.question("open"), "I would apologise.", Review(Decimal(3), "Good"))
    assert (reviewed.score, reviewed.correct, reviewed.feedback) == (3, False, ("Good",))
    assert reviewed.fraction == Decimal("0.75")
    blank = grade(quiz, "open", "   ")
    assert (blank.correct, blank.answered) == (False, False)


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("qid, raw", [
    ("glass", "z"), ("glass", ["a"]), ("glass", 1),
    ("red", "a"), ("red", ["a", "a"]), ("red", ["a", "x"]),
    ("tf", "yes"),
    ("num", "twelve"), ("num", True), ("num", [13]), ("num", "nan"),
    ("short", 42), ("short", "x" * 1001),
    ("match", ["a"]), ("match", {"z": "r1"}), ("match", {"a": "r9"}), ("match", {"a": 1}),
    ("order", ["a", "b"]), ("order", ["a", "b", "c", "c"]), ("order", "abcd"),
    ("open", {"text": "x"}),
])
def test_validate_answer_refuses_wrong_shapes(quiz, qid, raw):
    with pytest.raises(AnswerError) as info:
        validate_answer(quiz.question(qid), raw)
    assert info.value.question_id == qid


def test_option_id_of_another_question_is_refused(quiz):
    # 'true' is an option id of the true/false question, not of the single-choice one
    with pytest.raises(AnswerError):
        validate_answer(quiz.question("glass"), "true")


def test_validate_answer_canonical_forms(quiz):
    assert validate_answer(quiz.question("red"), ["b", "a"]) == ["a", "b"]
    assert validate_answer(quiz.question("num"), " 13,50 ") == "13.5"
    assert validate_answer(quiz.question("num"), 0.1) == "0.1"


# ---------------------------------------------------------------- attempts

def test_draw_attempt_is_deterministic_and_respects_pool():
    body = "".join(f"## Q{i}\n- [x] A\n- [ ] B\n- [ ] C\n- [ ] D\n\n" for i in range(1, 11))
    text = ("---\ntitle: T\npool: 4\nshuffle_questions: true\nshuffle_options: true\n---\n"
            "## Intro\nType: description\nRead.\n\n" + body)
    q, problems = parse_quiz(text, "p.md")
    assert [p.code for p in problems] == ["position-bias"]  # every answer is A: the checker says so
    plans = [draw_attempt(q, seed) for seed in range(20)]
    assert draw_attempt(q, 3) == plans[3]
    for plan in plans:
        assert plan.question_ids[0] == "q1"                      # the description comes first
        assert len(plan.question_ids) == 5
        assert len(set(plan.question_ids)) == 5
        for qid in plan.question_ids[1:]:
            assert sorted(plan.orders[qid]) == ["a", "b", "c", "d"]
    assert len({p.question_ids for p in plans}) > 1              # different seeds differ
    assert len({p.orders[p.question_ids[1]] for p in plans}) > 1
    assert AttemptPlan.from_dict(json.loads(json.dumps(plans[0].to_dict()))) == plans[0]


def test_draw_attempt_without_shuffle_keeps_file_order(quiz):
    plan = draw_attempt(quiz, 1)
    assert plan.question_ids == tuple(q.id for q in quiz.questions)
    assert plan.orders["glass"] == ("a", "b", "c")
    assert plan.orders["tf"] == ("true", "false")
    correct = tuple(i.id for i in quiz.question("order").items)
    for seed in range(30):           # ordering items never start in the right order
        assert draw_attempt(quiz, seed).orders["order"] != correct


def test_public_question_hides_answers(quiz):
    plan = draw_attempt(quiz, 5)
    allowed_keys = {"id", "number", "type", "title", "text", "points",
                    "options", "lefts", "rights", "items"}
    secrets = ("Right.", "No, water.", "White!", "sommelier", "French please", "Spot on",
               "Stay calm", "03-complaints", "Apologises", "0.5", "13")
    for qid in plan.question_ids:
        shown = public_question(quiz, qid, plan)
        assert set(shown) <= allowed_keys, (qid, set(shown) - allowed_keys)
        for key in ("options", "lefts", "rights", "items"):
            for entry in shown.get(key, ()):
                assert set(entry) == {"id", "text"}
        dumped = json.dumps(shown, ensure_ascii=False)
        for secret in secrets:
            assert secret not in dumped, (qid, secret)
    glass = public_question(quiz, "glass", plan)
    assert glass["options"] == [{"id": "a", "text": "Flute"}, {"id": "b", "text": "Tumbler"},
                                {"id": "c", "text": "Tulip"}]
    match = public_question(quiz, "match", plan)
    assert [x["text"] for x in match["lefts"]] == ["Champagne", "Port", "Bordeaux"]
    assert sorted(x["text"] for x in match["rights"]) == ["Flute", "Large bowl", "Small glass"]
    order = public_question(quiz, "order", plan)
    assert sorted(x["text"] for x in order["items"]) == ["Open", "Present", "Serve", "Taste"]
    with pytest.raises(KeyError):
        public_question(quiz, "missing", plan)


def test_grade_attempt_pending_then_finalized(quiz):
    plan = draw_attempt(quiz, 11)
    match_q, order_q = quiz.question("match"), quiz.question("order")
    answers = {
        "glass": "a", "red": ["a", "b"], "tf": "true", "short": "Sommelier", "num": "13",
        "match": {p.left_id: p.right_id for p in match_q.pairs},
        "order": [i.id for i in order_q.items], "open": "Apologise, offer another bottle.",
    }
    result = grade_attempt(quiz, plan, answers)
    assert (result.points, result.max_points) == (Decimal(8), Decimal(12))
    assert result.passed is None and result.pending == ("open",)
    json.dumps(result.to_dict())

    final = finalize_with_review(quiz, plan, answers, {"open": Review(Decimal(1), "Too short")})
    assert (final.points, final.percent, final.passed) == (Decimal(9), Decimal("75.00"), True)
    assert final.pending == ()
    low = finalize_with_review(quiz, plan, answers, {"open": 0})
    assert (low.percent, low.passed) == (Decimal("66.67"), False)


def test_grade_attempt_missing_answers_score_zero(quiz):
    plan = draw_attempt(quiz, 2)
    result = grade_attempt(quiz, plan, {"glass": "a"})
    assert result.points == 1 and result.passed is False and result.pending == ()
    assert [r.answered for r in result.results].count(True) == 1


def test_grade_attempt_refuses_foreign_answers_and_bad_reviews(quiz):
    plan = draw_attempt(quiz, 2)
    with pytest.raises(AnswerError):
        grade_attempt(quiz, plan, {"elsewhere": "a"})
    with pytest.raises(AnswerError):
        grade_attempt(quiz, plan, {"glass": "true"})
    with pytest.raises(ReviewError):
        finalize_with_review(quiz, plan, {"open": "x"}, {"glass": 1})
    with pytest.raises(ReviewError):
        finalize_with_review(quiz, plan, {"open": "x"}, {"open": 5})   # max is 4
    with pytest.raises(ReviewError):
        finalize_with_review(quiz, plan, {"open": "x"}, {"open": -1})


def test_pool_answers_only_for_drawn_questions():
    body = "".join(f"## Q{i}\n- [x] A\n- [ ] B\n\n" for i in range(1, 6))
    q, _ = parse_quiz("---\ntitle: T\npool: 2\npass_mark: 100\n---\n" + body, "p.md")
    plan = draw_attempt(q, 9)
    assert len(plan.question_ids) == 2
    result = grade_attempt(q, plan, {qid: "a" for qid in plan.question_ids})
    assert (result.points, result.max_points, result.passed) == (2, 2, True)
    not_drawn = next(x.id for x in q.questions if x.id not in plan.question_ids)
    with pytest.raises(AnswerError):
        grade_attempt(q, plan, {not_drawn: "a"})
