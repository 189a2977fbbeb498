"""Parsing Markdown quizzes: types, settings, ids, and problems at file lines."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from lms.core.frontmatter import split_front_matter
from lms.core.quiz import (
    Quiz,
    QuizSettings,
    parse_quiz,
    parse_quiz_document,
    quiz_to_json,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
DOC = ROOT / "docs" / "quiz-format.md"


def quiz(body: str, front: str = "type: quiz\ntitle: T") -> tuple[Quiz, list[str]]:
    q, problems = parse_quiz(f"---\n{front}\n---\n{body}", "quiz.md")
    return q, [str(p) for p in problems]


def ok(body: str, front: str = "type: quiz\ntitle: T") -> Quiz:
    q, problems = quiz(body, front)
    assert problems == []
    return q


def doc_example() -> str:
    match = re.search(r"````markdown\n(.*?)````", DOC.read_text(encoding="utf-8"), re.S)
    assert match, "docs/quiz-format.md must contain the complete example"
    return match.group(1)


# ---------------------------------------------------------------- types

def test_single_choice_with_feedback_explanation_and_lesson():
    q = ok("""
## Which glass is used for champagne?

Think about the bubbles.

- [x] Flute
  > Right: the narrow bowl keeps the bubbles.
- [ ] Tumbler
  > No.
- [ ] Snifter

Explanation: A flute keeps sparkling wine cold.
It also looks festive.
Lesson: 02-glassware.md
""")
    (question,) = q.questions
    assert question.id == "q1"
    assert question.type == "single"
    assert question.title == "Which glass is used for champagne?"
    assert question.text == "Think about the bubbles."
    assert question.points == 1
    assert [(o.id, o.text, o.fraction) for o in question.options] == [
        ("a", "Flute", 1), ("b", "Tumbler", 0), ("c", "Snifter", 0)]
    assert question.options[0].feedback == "Right: the narrow bowl keeps the bubbles."
    assert question.options[1].feedback == "No."
    assert question.options[2].feedback == ""
    assert question.explanation == "A flute keeps sparkling wine cold.\nIt also looks festive."
    assert question.lesson == "02-glassware.md"


def test_multiple_choice_defaults_share_credit_and_penalise_wrong_options():
    (question,) = ok("""
## Red grapes?
- [x] Merlot
- [x] Syrah
- [ ] Chardonnay
- [ ] (0%) Pinot Gris
""").questions
    assert question.type == "multiple"
    assert [o.fraction for o in question.options] == [
        Decimal("0.5"), Decimal("0.5"), Decimal("-0.5"), Decimal(0)]


def test_multiple_choice_explicit_weights_and_thirds():
    (question,) = ok("""
## Pick
- [x] (50%) A
- [x] (50%) B
- [ ] (-100%) C
""").questions
    assert [o.fraction for o in question.options] == [Decimal("0.5"), Decimal("0.5"), Decimal(-1)]
    (thirds,) = ok("## Pick\n- [x] A\n- [x] B\n- [x] C\n- [ ] D\n").questions
    assert [o.fraction for o in thirds.options][:3] == [Decimal("0.3333333")] * 3
    assert thirds.options[3].fraction == Decimal("-0.3333333")


def test_type_line_forces_multiple_with_one_correct_option():
    (question,) = ok("## Q\nType: multiple\n- [x] A\n- [ ] B\n").questions
    assert question.type == "multiple"
    assert [o.fraction for o in question.options] == [1, -1]


def test_single_choice_with_partial_credit_needs_type_line():
    (question,) = ok("## Q\nType: single\n- [x] A\n- [ ] (50%) B\n- [ ] (-25%) C\n").questions
    assert question.type == "single"
    assert [o.fraction for o in question.options] == [1, Decimal("0.5"), Decimal("-0.25")]


def test_true_false_from_options_and_from_answer_line():
    (tf,) = ok("## Wine is chilled\n- [ ] False\n  > It is chilled.\n- [x] True\n").questions
    assert tf.type == "true_false"
    # True always comes first, whatever the order in the file.
    assert [(o.id, o.text, o.fraction, o.feedback) for o in tf.options] == [
        ("true", "True", 1, ""), ("false", "False", 0, "It is chilled.")]
    (short,) = ok("## Port is from Spain\nAnswer: false\n").questions
    assert short.type == "true_false"
    assert [(o.id, o.fraction) for o in short.options] == [("true", 0), ("false", 1)]


def test_true_false_with_own_words():
    (tf,) = ok("## Верно?\nType: true_false\n- [x] Верно\n- [ ] Неверно\n").questions
    assert [(o.id, o.text, o.fraction) for o in tf.options] == [
        ("true", "Верно", 1), ("false", "Неверно", 0)]


def test_short_answer_with_weights_and_feedback():
    (question,) = ok("""
## French for wine waiter?
Answer: sommelier
Answer: Sommelière
Answer: (50%) waiter
  > Half: we want French.
""").questions
    assert question.type == "short"
    assert [(a.text, a.fraction, a.feedback) for a in question.answers] == [
        ("sommelier", 1, ""), ("Sommelière", 1, ""), ("waiter", Decimal("0.5"), "Half: we want French.")]


def test_numeric_tolerance_range_and_exact():
    (question,) = ok("""
## Temperature?
Answer: 13 ± 1
Answer: (50%) 10..16
Answer: (25%) 20 +- 0.5
Answer: (10%) 7,5
""").questions
    assert question.type == "numeric"
    first, second, third, fourth = question.numeric
    assert (first.value, first.tolerance, first.low, first.high) == (13, 1, 12, 14)
    assert (second.value, second.tolerance, second.low, second.high, second.fraction) == (
        None, None, 10, 16, Decimal("0.5"))
    assert (third.low, third.high, third.fraction) == (Decimal("19.5"), Decimal("20.5"), Decimal("0.25"))
    assert (fourth.low, fourth.high) == (Decimal("7.5"), Decimal("7.5"))


def test_short_answer_stays_short_when_mixed_with_words():
    (question,) = ok("## How many?\nAnswer: 3 glasses\nAnswer: three glasses\n").questions
    assert question.type == "short"
    (forced,) = ok("## Year?\nType: short\nAnswer: 1945\n").questions
    assert forced.type == "short"


def test_matching_pairs_ids_do_not_reveal_answers():
    (question,) = ok("""
## Match
- Champagne -> Flute
- Port -> Small glass
- Bordeaux -> Large bowl
- Prosecco -> Flute
""").questions
    assert question.type == "matching"
    assert [(p.left_id, p.left, p.right) for p in question.pairs] == [
        ("a", "Champagne", "Flute"), ("b", "Port", "Small glass"),
        ("c", "Bordeaux", "Large bowl"), ("d", "Prosecco", "Flute")]
    # right ids follow alphabetical order of the right texts, shared when equal
    assert question.rights() == (("r1", "Flute"), ("r2", "Large bowl"), ("r3", "Small glass"))
    assert question.pairs[0].right_id == question.pairs[3].right_id == "r1"


def test_ordering_items_keep_correct_order_with_alphabetical_ids():
    (question,) = ok("## Order\n1. Present\n2. Open\n3. Pour\n").questions
    assert question.type == "ordering"
    assert [(i.text, i.id) for i in question.items] == [("Present", "c"), ("Open", "a"), ("Pour", "b")]


def test_open_question_with_rubric_and_points():
    (question,) = ok("""
## Corked wine: what do you do?
Type: open
Points: 5
Rubric:
- Apologises
- [ ] Offers a new bottle

Explanation: Stay calm.
""").questions
    assert question.type == "open"
    assert question.points == 5
    assert question.rubric == ("Apologises", "Offers a new bottle")
    assert question.explanation == "Stay calm."


def test_description_has_no_points_and_numbered_list_stays_text():
    (question,) = ok("## Break\nType: description\n\nRead this:\n1. one\n2. two\n").questions
    assert question.type == "description"
    assert question.points == 0
    assert question.text == "Read this:\n1. one\n2. two"


def test_lists_and_code_in_text_are_not_taken_as_answers():
    (question,) = ok("""
## Which is right?
Consider:
- a plain bullet
1. a step

```
## not a heading
Answer: not an answer
```

- [x] Yes
- [ ] No
""").questions
    assert question.type == "single"
    assert "## not a heading" in question.text
    assert "Answer: not an answer" in question.text
    assert question.text.startswith("Consider:\n- a plain bullet\n1. a step")


def test_multiline_option_and_explicit_ids():
    q = ok("## First {#first-one}\n- [x] Line one\n  line two\n- [ ] B\n\n## Second ##\n- [x] A\n- [ ] B\n")
    assert [x.id for x in q.questions] == ["first-one", "q2"]
    assert q.questions[0].options[0].text == "Line one\nline two"
    assert q.questions[1].title == "Second"


# ---------------------------------------------------------------- settings

def test_settings_defaults():
    q = ok("## Q\n- [x] A\n- [ ] B\n")
    assert q.title == "T"
    assert q.settings == QuizSettings()
    assert (q.settings.pass_mark, q.settings.attempts, q.settings.time_limit, q.settings.pool) == (80, 0, 0, 0)
    assert (q.settings.feedback, q.settings.layout, q.settings.review) == ("after_submit", "one_per_page", True)


def test_all_settings_read():
    q = ok("Intro text.\n\n## Q\n- [x] A\n- [ ] B\n## R\n- [x] A\n- [ ] B\n", front="""type: quiz
title: Full
pass_mark: 75.5
attempts: 3
time_limit: 15
shuffle_questions: true
shuffle_options: true
pool: 1
feedback: immediate
review: false
layout: all_on_one_page""")
    s = q.settings
    assert (s.pass_mark, s.attempts, s.time_limit, s.pool) == (Decimal("75.5"), 3, 15, 1)
    assert (s.shuffle_questions, s.shuffle_options, s.review) == (True, True, False)
    assert (s.feedback, s.layout) == ("immediate", "all_on_one_page")
    assert q.description == "Intro text."


# ---------------------------------------------------------------- problems

def test_error_fixture_reports_each_problem_at_its_file_line():
    text = (DATA / "quiz_errors.md").read_text(encoding="utf-8")
    _, problems = parse_quiz(text, "quiz_errors.md")
    lines = {p.line: p.message for p in problems}
    assert "pass_mark must be a percentage from 0 to 100" in lines[4]
    assert "attempts must be a whole number" in lines[5]
    assert "feedback must be one of immediate, after_submit, never" in lines[6]
    assert "layout must be one of" in lines[7]
    assert "shuffle_options must be true or false" in lines[8]
    assert "pool is 20 but the quiz has only 7 questions" in lines[9]
    assert "no correct option" in lines[12]
    assert "add up to 60%" in lines[17] and "cannot be scored 100%" in lines[17]
    assert "numeric answer '12 ± x' is not a number" in lines[25]
    assert "unknown question type 'riddle'" in lines[29]
    assert "at least 2 pairs" in lines[31] and "it has 1" in lines[31]
    assert "duplicate question id 'same'" in lines[40] and "line 35" in lines[40]
    assert len(problems) == 12


def test_line_numbers_follow_front_matter_length():
    long_front = "type: quiz\ntitle: T\n" + "# a comment\n" * 5
    _, problems = quiz("\n## Q\n- [ ] A\n- [ ] B\n", long_front)
    # front matter: lines 1..10 (the string ends in a newline), heading on line 12
    assert problems == ["quiz.md:12: no correct option: mark the right answer(s) with '- [x]'"]


@pytest.mark.parametrize("body, body_line, fragment, code", [
    ("## Q\n- [x] (-50%) A\n- [ ] B\n", 2, "marked correct with '- [x]' but its weight is -50%", "quiz-right-option-not-positive"),
    ("## Q\n- [x] A\n- [ ] (50%) B\n", 3, "marked wrong with '- [ ]' but its weight is 50%", "quiz-wrong-option-positive"),
    ("## Q\n- [x] (150%) A\n- [ ] B\n", 2, "weight 150% is out of range", "quiz-weight-out-of-range"),
    ("## Q\n- [x] (70%) A\n- [x] (70%) B\n", 1, "add up to 140%", "quiz-weights-not-100"),
    ("## Q\n- [x] (100%) A\n- [x] B\n", 3, "leaving nothing for the correct options without a weight", "quiz-no-weight-left"),
    ("## Q\n- [x] A\n", 1, "at least 2 options", "quiz-too-few-options"),
    ("## Q\nType: single\n- [x] (50%) A\n- [ ] B\n", 3, "right answer ('- [x]') is worth 100%", "quiz-single-right-not-full"),
    ("## Q\nType: single\n- [ ] (100%) A\n- [ ] B\n", 3, "worth 100% but marked wrong", "quiz-single-full-marked-wrong"),
    ("## Q\nAnswer: 20..10\n", 2, "write the smaller number first (10..20)", "quiz-numeric-range-reversed"),
    ("## Q\nAnswer: (50%) x\n", 1, "no accepted answer gives full marks", "quiz-short-no-full-answer"),
    ("## Q\n", 1, "question has no answers", "quiz-no-answers"),
    ("## Q\nType: numeric\nAnswer: twelve\n", 3, "'twelve' is not a number", "quiz-numeric-not-number"),
    ("## Q\nPoints: two\n- [x] A\n- [ ] B\n", 2, "points 'two' is not a number", "quiz-points-not-number"),
    ("## Q\nPoints: 0\n- [x] A\n- [ ] B\n", 2, "points must be more than 0", "quiz-points-not-positive"),
    ("## Q {#Bad Id}\n- [x] A\n- [ ] B\n", 1, "write {#bad-id}", "quiz-bad-id"),
    ("## Q\nLesson: https://example.com/x.md\n- [x] A\n- [ ] B\n", 2, "must be a relative path", "quiz-lesson-not-relative"),
    ("## Q\nLesson: intro.html\n- [x] A\n- [ ] B\n", 2, "ending in '.md'", "quiz-lesson-not-markdown"),
    ("## Q\n- [x] A\n- [ ] B\nType: short\n", 2, "cannot have options", "quiz-options-not-allowed"),
    ("## Q\n1. A\n2. A\n", 1, "two items have the same text", "quiz-duplicate-item"),
    ("## Q\n- [x] A\n- [ ] B\nPoints: 2\nPoints: 3\n", 5, "given twice", "quiz-key-twice"),
    ("## Q1 {#x}\n- [x] A\n- [ ] B\n## Q2 {#x}\n- [x] A\n- [ ] B\n", 4, "duplicate question id 'x'", "quiz-duplicate-id"),
    ("## Q1 {#q2}\n- [x] A\n- [ ] B\n## Q2\n- [x] A\n- [ ] B\n", 4, "duplicate question id 'q2'", "quiz-duplicate-id"),
    ("## Q\nType: true_false\n- [x] A\n- [x] B\n", 1, "exactly one correct option", "quiz-true-false-one-correct"),
    ("## Q\n- a -> 1\n- a -> 2\n", 1, "same left side", "quiz-duplicate-left"),
])
def test_problem_codes_messages_and_lines(body, body_line, fragment, code):
    _, problems = parse_quiz(f"---\ntype: quiz\ntitle: T\n---\n{body}", "quiz.md")  # the body starts on line 5
    matching = [p for p in problems if p.code == code]
    assert matching, [str(p) for p in problems]
    assert matching[0].line == 4 + body_line and fragment in matching[0].message, str(matching[0])


def test_misspelt_setting_and_wrong_type_and_missing_title():
    _, problems = quiz("## Q\n- [x] A\n- [ ] B\n", "type: lesson\npass_mak: 80\nauthor: me")
    assert "quiz.md:1: quiz has no title; add 'title: ...' to the front matter" in problems
    assert "quiz.md:2: front matter says 'type: lesson'; a quiz file needs 'type: quiz'" in problems
    assert "quiz.md:3: unknown setting 'pass_mak'; did you mean 'pass_mark'?" in problems
    assert not any("author" in p for p in problems)  # other keys belong to the app


def test_no_questions_is_a_problem():
    _, problems = quiz("Just text.\n")
    assert problems == ["quiz.md:5: quiz has no questions; start each question with a '## ' heading"]


def test_parse_quiz_document_without_source_reports_settings_at_line_1():
    doc = split_front_matter("---\ntitle: T\npool: x\n---\n## Q\n- [x] A\n- [ ] B\n", "a.md")
    _, problems = parse_quiz_document(doc)
    assert [str(p) for p in problems] == [
        "a.md:1: pool must be a whole number of questions to draw, 0 for all, not 'x'"]


def test_windows_line_endings():
    text = "---\r\ntitle: T\r\npool: 9\r\n---\r\n## Q {#q}\r\n- [x] A\r\n  > yes\r\n- [ ] B\r\n"
    q, problems = parse_quiz(text, "w.md")
    assert [str(p) for p in problems] == [
        "w.md:3: pool is 9 but the quiz has only 1 question; lower the pool to 1 or less (0 = all)"]
    assert (q.questions[0].id, q.questions[0].title, q.questions[0].options[0].feedback) == ("q", "Q", "yes")


def test_invalid_yaml_is_reported_and_body_still_parsed():
    q, problems = parse_quiz("---\ntitle: [oops\n---\n## Q\n- [x] A\n- [ ] B\n", "y.md")
    assert any("front matter is not valid YAML" in p.message for p in problems)
    assert [x.type for x in q.questions] == ["single"]


# ---------------------------------------------------------------- serialisation

def test_to_dict_from_dict_round_trip_is_json_safe():
    q, problems = parse_quiz(doc_example(), "example.md")
    assert problems == []
    data = json.loads(json.dumps(q.to_dict()))
    assert Quiz.from_dict(data) == q
    assert data["questions"][0]["options"][0] == {
        "id": "a", "text": "Flute", "fraction": 1,
        "feedback": "Right: the narrow bowl keeps the bubbles."}


def test_doc_example_has_every_type_and_setting():
    text = doc_example()
    q, problems = parse_quiz(text, "example.md")
    assert problems == []
    assert {x.type for x in q.questions} == {
        "single", "multiple", "true_false", "short", "numeric", "matching",
        "ordering", "open", "description"}
    front = text.split("---")[1]
    for key in QuizSettings().to_dict():
        assert re.search(rf"^{key}:", front, re.M), key


def test_quiz_to_json_groups_errors_by_question():
    q, problem_objs = parse_quiz("---\ntype: quiz\ntitle: T\npool: 5\n---\n"
                                 "## Good\n- [x] A\n  > yes\n- [ ] B\n\n## Bad\nAnswer: 3 +- x\n",
                                 "quiz.md")
    out = quiz_to_json(q, problem_objs)
    json.dumps(out)
    assert out["ok"] is False
    assert out["errors"] == ["quiz.md:4: pool is 5 but the quiz has only 2 questions; "
                             "lower the pool to 2 or less (0 = all)"]
    good, bad = out["questions"]
    assert good["type"] == "single" and good["errors"] == []
    assert good["options"][0] == {"id": "a", "text": "A", "fraction": 1, "feedback": "yes"}
    assert bad["type"] == "numeric"
    assert len(bad["errors"]) == 1 and bad["errors"][0].startswith("quiz.md:12: numeric answer")


def test_quiz_to_json_numeric_and_matching_fields():
    q = ok("## N\nAnswer: 42 ± 2\n## M\n- a -> 1\n- b -> 2\n")
    out = quiz_to_json(q, [])
    assert out["ok"] is True
    assert out["questions"][0]["numeric"][0]["value"] == "42"
    assert out["questions"][0]["numeric"][0]["tolerance"] == "2"
    assert out["questions"][1]["pairs"] == [{"left": "a", "right": "1"}, {"left": "b", "right": "2"}]
