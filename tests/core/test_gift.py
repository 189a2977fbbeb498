"""GIFT import and writing quizzes back as Markdown."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from lms.core.gift import html_to_markdown, parse_gift
from lms.core.quiz import Quiz, grade_question, parse_quiz, quiz_to_markdown

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
DOC = ROOT / "docs" / "quiz-format.md"


@pytest.fixture(scope="module")
def moodle() -> tuple[Quiz, list[str]]:
    quiz, problems = parse_gift((DATA / "moodle.gift").read_bytes(), "moodle.gift")
    return quiz, [str(p) for p in problems]


def by_title(quiz: Quiz, title: str):
    return next(q for q in quiz.questions if q.title == title)


def test_moodle_file_types_ids_lines_and_only_expected_problems(moodle):
    quiz, problems = moodle
    assert quiz.title == "moodle"
    assert [(q.id, q.type, q.line) for q in quiz.questions] == [
        ("q1", "single", 5), ("q2", "multiple", 12), ("q3", "true_false", 18),
        ("q4", "true_false", 20), ("q5", "short", 22), ("q6", "numeric", 24),
        ("q7", "numeric", 26), ("q8", "numeric", 28), ("q9", "matching", 33),
        ("q10", "open", 39), ("q11", "description", 42), ("q12", "single", 44),
        ("q13", "single", 46), ("q14", "true_false", 51)]
    assert problems == [
        "moodle.gift:46: warning: text after the answers: imported as a missing-word "
        "question with '_____' marking the gap"]


def test_single_choice_html_feedback_and_general_feedback(moodle):
    q = by_title(moodle[0], "Champagne glass")
    assert q.text == "Which glass is used for **champagne**?"
    assert [(o.id, o.text, o.fraction, o.feedback) for o in q.options] == [
        ("a", "Flute", 1, "Right: the bubbles last longer."),
        ("b", "Tumbler", 0, "No, that is for water."),
        ("c", "Tulip glass", Decimal("0.5"), "Half right.")]
    assert q.explanation == "A flute keeps the wine cold and fizzy."
    assert q.category == "$course$/top/Wine service"


def test_multiple_choice_weights(moodle):
    q = by_title(moodle[0], "Red grapes")
    assert [(o.text, o.fraction) for o in q.options] == [
        ("Merlot", Decimal("0.5")), ("Syrah", Decimal("0.5")), ("Chardonnay", Decimal(-1))]
    assert q.options[2].feedback == "Chardonnay is white."
    assert grade_question(q, ["a", "b"]).correct is True
    assert grade_question(q, ["a", "c"]).score == 0


def test_true_false_branch_feedback(moodle):
    chilled = by_title(moodle[0], "Chilled")           # {T#wrong fb#right fb}
    assert [(o.id, o.fraction, o.feedback) for o in chilled.options] == [
        ("true", 1, "Yes, well chilled."), ("false", 0, "It is served at 6-8 °C.")]
    port = by_title(moodle[0], "Port")                 # {FALSE}
    assert [(o.id, o.fraction) for o in port.options] == [("true", 0), ("false", 1)]
    assert by_title(moodle[0], "Lager").options[0].fraction == 1   # {TRUE}


def test_short_answer(moodle):
    q = by_title(moodle[0], "Waiter")
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [
        ("sommelier", 1, ""), ("sommelière", 1, ""),
        ("waiter", Decimal("0.5"), "Half marks: the French word please.")]


def test_numeric_tolerance_range_and_multiple_answers(moodle):
    tol = by_title(moodle[0], "Red temperature")       # {#13:1}
    (a,) = tol.numeric
    assert (a.value, a.tolerance, a.low, a.high, a.fraction) == (13, 1, 12, 14, 1)
    rng = by_title(moodle[0], "Bottle range")          # {#5..6}
    (b,) = rng.numeric
    assert (b.value, b.tolerance, b.low, b.high) == (None, None, 5, 6)
    multi = by_title(moodle[0], "Magnum")              # {# =1.5:0#.. =%50%1.5:0.5#..}
    assert [(n.value, n.tolerance, n.fraction, n.feedback) for n in multi.numeric] == [
        (Decimal("1.5"), 0, 1, "Exactly."), (Decimal("1.5"), Decimal("0.5"), Decimal("0.5"), "Close.")]
    assert grade_question(multi, "1.9").score == Decimal("0.5")


def test_matching_essay_description(moodle):
    match = by_title(moodle[0], "Match glasses")
    assert [(p.left, p.right) for p in match.pairs] == [
        ("Champagne", "Flute"), ("Bordeaux", "Large bowl"), ("Port", "Small glass")]
    essay = by_title(moodle[0], "Corked")              # [markdown] kept as is
    assert essay.type == "open" and essay.text == "A guest says the wine is **corked**.\nWhat do you do?"
    info = by_title(moodle[0], "Break")
    assert (info.type, info.points, info.text) == ("description", 0, "You are half way. No answer needed here.")


def test_escapes_and_missing_word(moodle):
    q = by_title(moodle[0], "Escapes")
    # \= \~ \{ \} \: \# become literal characters; \\ is a backslash, escaped for Markdown
    assert q.text == "Is 2 = 2 ~ always {true}: yes\\\\no # ok?"
    assert [o.text for o in q.options] == ["yes#1", "no"]
    gap = by_title(moodle[0], "Missing word")
    assert gap.text == "Champagne comes from _____ in Europe."
    assert [(o.text, o.fraction) for o in gap.options] == [("France", 1), ("Spain", 0)]


def test_categories_switch(moodle):
    cats = [q.category for q in moodle[0].questions]
    assert cats[:13] == ["$course$/top/Wine service"] * 13
    assert cats[13] == "$course$/top/Beer"


def test_round_trip_through_markdown(moodle):
    quiz = moodle[0]
    markdown = quiz_to_markdown(quiz)
    again, problems = parse_quiz(markdown, "moodle.md")
    assert [p for p in problems if p.severity == "error"] == []  # the teaching checks may warn
    assert again == quiz


def test_doc_example_round_trips_through_writer():
    text = re.search(r"````markdown\n(.*?)````", DOC.read_text(encoding="utf-8"), re.S).group(1)
    quiz, problems = parse_quiz(text, "example.md")
    assert problems == []
    again, problems = parse_quiz(quiz_to_markdown(quiz), "example.md")
    assert problems == [] and again == quiz


def test_plain_text_that_looks_like_quiz_syntax_survives_round_trip():
    gift = ("::T::Answer: not a key\n- [x] not an option\n## not a heading\n1. not a list\n"
            "> not feedback\n- a -> b\n{=*yes* =(50%) maybe}")
    quiz, problems = parse_gift(gift, "tricky.gift")
    assert problems == []
    (q,) = quiz.questions
    assert q.type == "short"
    assert [a.text for a in q.answers] == ["*yes*", "(50%) maybe"]   # answers stay literal
    again, problems = parse_quiz(quiz_to_markdown(quiz), "tricky.md")
    assert problems == [] and again == quiz
    assert grade_question(again.questions[0], "(50%) maybe").correct is True


# ---------------------------------------------------------------- problems

def test_unclosed_brace_reported_where_it_opened():
    gift = "Q1 {=a ~b}\n\n::Open::\nWhich one? {\n=a\n~b\n\nNext question {T}\n"
    quiz, problems = parse_gift(gift, "u.gift")
    assert [str(p) for p in problems] == [
        "u.gift:4: '{' opened here is never closed with '}'; close the answers with '}' "
        "(write \\{ for a literal brace)"]
    assert [q.type for q in quiz.questions] == ["single", "true_false"]


def test_not_utf8_refused_with_line():
    data = b"Q1 {T}\n\n" + "Café {F}".encode("latin-1")
    quiz, problems = parse_gift(data, "latin.gift")
    assert quiz.questions == ()
    assert len(problems) == 1
    assert problems[0].line == 3
    assert "file is not UTF-8" in problems[0].message and "save it as UTF-8" in problems[0].message


def test_utf8_bom_and_crlf_accepted():
    quiz, problems = parse_gift("\ufeffQ1 {T}\r\n\r\nQ2 {F}\r\n".encode(), "bom.gift")
    assert problems == [] and [q.line for q in quiz.questions] == [1, 3]


@pytest.mark.parametrize("gift, line, code, fragment", [
    ("Q {abc =d}\n", 1, "gift-unknown-answers", "cannot tell the question type"),
    ("Q {#=1:0 ~Anything else}\n", 1, "gift-numeric-other-feedback", "feedback for any other (wrong) numeric answer"),
    ("Q {#abc}\n", 1, "gift-numeric-not-number", "numeric answer 'abc' is not a number"),
    ("Q {=a -> 1 =b -> 2 = -> 3}\n", 1, "gift-extra-right", "extra right-hand answer '3'"),
    ("Q {=a} and {=b}\n", 1, "gift-two-answer-blocks", "only one answer block"),
    ("Q {=a -> 1}\n", 1, "quiz-too-few-pairs", "at least 2 pairs"),
    ("Q {~a ~b}\n", 1, "quiz-no-correct-option", "no correct option"),
    ("Q {~%30%a ~%30%b ~c}\n", 1, "quiz-weights-not-100", "add up to 60%"),
    ("// c\n$COURSE: x\n", 2, "gift-unknown-command", "unknown GIFT command '$COURSE:'"),
    ("::Title Q {T}\n", 1, "gift-unclosed-title", "no closing '::'"),
    ("Q {~%abc%a =b}\n", 1, "gift-weight-not-number", "weight '%abc%' is not a number"),
    ("Line one\nline two {\n=%150%a ~b}\n", 3, "quiz-weight-out-of-range", "weight 150% is out of range"),
    ("[html]<p>See <img src=\"@@PLUGINFILE@@/x.png\" alt=\"x\"></p>{T}\n", 1, "gift-moodle-image",
     "image '@@PLUGINFILE@@/x.png' is a Moodle file"),
])
def test_gift_problems(gift, line, code, fragment):
    _, problems = parse_gift(gift, "p.gift")
    found = [p for p in problems if p.code == code]
    assert found, [str(p) for p in problems]
    assert found[0].line == line and fragment in found[0].message


@pytest.mark.parametrize("gift, code", [
    ("Q {#=1:0 ~Anything else}\n", "gift-numeric-other-feedback"),
    ("Q {=a -> 1 =b -> 2 = -> 3}\n", "gift-extra-right"),
    ("[html]<p>See <img src=\"@@PLUGINFILE@@/x.png\" alt=\"x\"></p>{T}\n", "gift-moodle-image"),
    ("[html]<p>Hi<script>x()</script></p>{T}\n", "gift-html-removed"),
    ("Q {=a ~b} more text\n", "gift-missing-word"),
    ("Q {T#no#yes#extra}\n", "gift-extra-feedback"),
])
def test_lossy_conversions_are_warnings_that_do_not_stop_the_import(gift, code):
    quiz, problems = parse_gift(gift, "w.gift")
    (problem,) = problems
    assert (problem.code, problem.severity, problem.is_error) == (code, "warning", False)
    assert str(problem).startswith("w.gift:1: warning: ")
    assert len(quiz.questions) == 1


def test_escaped_characters_in_problem_parameters_are_shown_literally():
    _, problems = parse_gift("Q {=a -> 1 =b -> 2 =c\\=d}\n", "e.gift")
    assert [(p.code, p.arguments) for p in problems] == [("gift-pair-no-arrow", {"answer": "c=d"})]
    assert problems[0].message == "matching answer 'c=d' has no '->'; write '=left -> right'"


def test_multiline_question_without_title_uses_first_line_as_heading():
    quiz, problems = parse_gift("// comment\nWhat is\nthe answer?\n{#42}\n", "m.gift")
    assert problems == []
    (q,) = quiz.questions
    assert (q.title, q.text, q.line) == ("What is", "the answer?", 2)


def test_html_to_markdown():
    html = ('<p>Serve <strong>cold</strong> &amp; <em>fast</em>.<br>Next line</p>'
            '<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>'
            '<p><a href="https://example.com">link</a> <code>x*y</code> <script>alert(1)</script></p>'
            '<h2>Title</h2>')
    assert html_to_markdown(html) == (
        "Serve **cold** & *fast*.\nNext line\n\n- one\n- two\n\n1. first\n\n"
        "[link](https://example.com) `x\\*y`\n\n**Title**")


def test_plain_format_escapes_markdown():
    quiz, problems = parse_gift("::T::[plain]Use *all* <b>glasses</b>_now {}", "p.gift")
    assert problems == []
    assert quiz.questions[0].text == "Use \\*all\\* \\<b>glasses\\</b>\\_now"
