"""One strategy per question type; reading and describing answers; problems as codes in the reader's language."""
from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

from lms.core.gift import parse_gift
from lms.core.problems import MESSAGES
from lms.core.quiz import (
    QUESTION_TYPES,
    STRATEGIES,
    AnswerError,
    AttemptTokens,
    Question,
    ReviewError,
    describe_answer,
    draw_attempt,
    finalize_with_review,
    parse_quiz,
    public_question,
    quiz_to_json,
    read_answer,
    strategy_for,
    validate_answer,
    wrong_choices,
    wrong_text,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lms" / "core" / "quiz"
DATA = Path(__file__).parent / "data"

QUIZ = """---
type: quiz
title: Wine
---

## Glass? {#glass}
- [x] Flute
- [ ] Tumbler

## Grapes? {#red}
- [x] Merlot
- [x] Syrah
- [ ] Chardonnay

## Chilled. {#tf}
Answer: true

## Waiter? {#short}
Answer: sommelier

## Temperature? {#num}
Answer: 13 ± 1

## Match {#match}
- Champagne -> Flute
- Port -> Small glass

## Order {#order}
1. Open
2. Pour
3. Serve

## Essay {#open}
Type: open

## Break {#info}
Type: description
"""


@pytest.fixture(scope="module")
def quiz():
    parsed, problems = parse_quiz(QUIZ, "wine.md")
    assert problems == []
    return parsed


def russian() -> gettext.GNUTranslations:
    return gettext.translation("lms", ROOT / "lms" / "translations", languages=["ru"])


def arabic() -> gettext.GNUTranslations:
    return gettext.translation("lms", ROOT / "lms" / "translations", languages=["ar"])


# ---------------------------------------------------------------- the registry

def test_every_type_has_its_strategy_and_every_alias_resolves(quiz):
    assert QUESTION_TYPES == ("single", "multiple", "true_false", "short", "numeric", "matching",
                              "ordering", "open", "description")
    assert set(STRATEGIES) == set(QUESTION_TYPES)
    assert {q.type for q in quiz.questions} == set(QUESTION_TYPES)
    for alias, name in (("Essay", "open"), ("checkboxes", "multiple"), ("true/false", "true_false"),
                        ("Numerical", "numeric"), ("sequence", "ordering"), ("info", "description")):
        parsed, _ = parse_quiz(f"---\ntitle: T\n---\n## Q\nType: {alias}\n", "a.md")
        assert parsed.questions[0].type == name
    assert strategy_for("riddle").graded is True   # an unknown type refuses answers, it is not a description
    with pytest.raises(AnswerError) as info:
        validate_answer(Question(id="x", type="riddle", title="X"), "a")
    assert info.value.code == "quiz-answer-unknown-type"


def test_nothing_outside_the_strategies_asks_which_type_a_question_is():
    assert PACKAGE.is_dir() and (PACKAGE / "types").is_dir()
    names = "|".join(QUESTION_TYPES)
    asks = re.compile(rf"""(\.type|\[["']type["']\]|\bqtype)\s*(==|!=|(not\s+)?in)\s*[(\[{{]?\s*["']|"""
                      rf"""["']({names})["']\s*(==|!=|in\b)""")
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for path in sorted(PACKAGE.glob("*.py")) for n, line in enumerate(path.read_text().split("\n"), 1)
                 if asks.search(line)]
    assert offenders == []


def test_quiz_modules_and_the_gift_importer_stay_small():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").split("\n"))
             for p in [*PACKAGE.rglob("*.py"), ROOT / "lms" / "core" / "gift.py"]}
    assert {path: n for path, n in sizes.items() if n > 600} == {}


def test_the_gift_importer_uses_no_private_quiz_helper():
    source = (ROOT / "lms" / "core" / "gift.py").read_text(encoding="utf-8")
    imported = re.findall(r"from \.quiz[.\w]* import \(?([^)]*?)\)?\n(?!\s)", source, re.S)
    names = {name.strip() for group in imported for name in group.split(",") if name.strip()}
    assert names and not {name for name in names if name.startswith("_")}


# ---------------------------------------------------------------- answers from a form

class MultiDict(dict):
    """What a submitted form looks like: several values per field."""

    def get(self, key, default=None):
        values = super().get(key)
        return values[0] if values else default

    def getlist(self, key):
        return list(super().get(key, []))


@pytest.mark.parametrize("qid, fields, expected", [
    ("glass", {"q-glass": ["b"]}, "b"),
    ("glass", {}, None),
    ("red", {"q-red": ["a", "c"]}, ["a", "c"]),
    ("red", {}, []),
    ("tf", {"q-tf": ["false"]}, "false"),
    ("short", {"q-short": ["  sommelier \n"]}, "sommelier"),
    ("num", {"q-num": [" 13,5 "]}, "13,5"),
    ("open", {"q-open": ["I would apologise."]}, "I would apologise."),
    ("open", {}, ""),
    ("match", {"q-match-a": ["r2"], "q-match-b": [""]}, {"a": "r2"}),
    ("order", {"q-order-a": ["2"], "q-order-b": ["1"], "q-order-c": ["3"]}, ["b", "a", "c"]),
    ("order", {"q-order-a": ["1"]}, "a first"),  # the positions left empty follow in display order
    ("info", {"q-info": ["x"]}, None),
])
def test_read_answer_from_form_fields(quiz, qid, fields, expected):
    plan = draw_attempt(quiz, 5)
    shown = public_question(quiz, qid, plan)
    if expected == "a first":
        expected = ["a"] + [item["id"] for item in shown["items"] if item["id"] != "a"]
    form = MultiDict(fields)
    assert read_answer(shown, form) == expected
    plain = {name: values if len(values) > 1 else values[0] for name, values in fields.items()}
    assert read_answer(shown, plain) == expected   # a plain mapping works too
    if expected not in (None, "", []):
        validate_answer(quiz.question(qid), expected)   # the shape the grader takes


def test_read_answer_reads_the_tokens_a_learner_page_shows(quiz):
    plan = draw_attempt(quiz, 8)
    tokens = AttemptTokens("a secret", "7:8")
    shown = tokens.public_question(quiz, "match", plan)
    lefts, rights = [e["id"] for e in shown["lefts"]], [e["id"] for e in shown["rights"]]
    raw = read_answer(shown, {f"q-match-{lefts[0]}": rights[0], f"q-match-{lefts[1]}": rights[1]})
    assert set(raw) == set(lefts)
    authored = tokens.from_browser(quiz.question("match"), raw)
    assert set(authored) == {"a", "b"} and set(authored.values()) <= {"r1", "r2"}
    assert tokens.to_browser(quiz.question("match"), authored) == raw


# ---------------------------------------------------------------- answers in words

@pytest.mark.parametrize("qid, answer, words", [
    ("glass", "a", "Flute"),
    ("red", ["a", "c"], "Merlot; Chardonnay"),
    ("tf", "true", "True"),
    ("short", "Sommelier!", "Sommelier!"),
    ("num", "13.5", "13.5"),
    ("match", {"a": "r1"}, "Champagne → Flute; Port → —"),
    ("order", ["c", "a", "b"], "Serve → Open → Pour"),
    ("open", "I would apologise.", "I would apologise."),
    ("glass", None, ""),
    ("red", [], ""),
    ("short", "", ""),
])
def test_describe_answer(quiz, qid, answer, words):
    assert describe_answer(quiz.question(qid), answer) == words


def test_wrong_choices_and_wrong_text_for_item_analysis(quiz):
    assert wrong_choices(quiz.question("glass"), "b") == ["b"]
    assert wrong_choices(quiz.question("glass"), "a") == []
    assert wrong_choices(quiz.question("red"), ["a", "c"]) == ["c"]
    assert wrong_choices(quiz.question("tf"), "false") == ["false"]
    assert wrong_choices(quiz.question("short"), "waiter") == []
    assert wrong_text(quiz.question("short"), " Waiter. ") == "waiter"
    assert wrong_text(quiz.question("num"), "20") == "20"
    assert wrong_text(quiz.question("short"), "  ") is None
    assert wrong_text(quiz.question("glass"), "b") is None
    assert wrong_text(quiz.question("open"), "text") is None


# ---------------------------------------------------------------- problems are codes

BAD_QUIZZES = [
    (DATA / "quiz_errors.md").read_text(encoding="utf-8"),
    "---\ntype: lesson\npass_mak: 80\npool: 3\nreview: maybe\n---\n## {#Bad Id}\nType: riddle\n## Q\nPoints: 0\n"
    "Lesson: http://x\n- [x] (50%) A\n- [ ]\n## Q2\nType: single\n- [ ] (100%) A\n- [x] (-5%) B\n"
    "## Q3\nType: true_false\n- [x] (10%) Yes\n- [ ] No\n- [ ] Maybe\n## Q4\nType: true_false\nAnswer: perhaps\n"
    "## Q5\nAnswer: \nAnswer: (500%) x\n## Q6\nAnswer: 5..1\nAnswer: 1 ± -1\n## Q7\n- a ->\n## Q8\n"
    "Rubric: x\n- [x] A\n## Q9\nType: matching\nAnswer: x\nPoints: x\nPoints: 2\n## Q10\n1. A\n## Q11\n",
]
BAD_GIFT = ("::T {=a}\n\nQ {\n\n$COURSE: x\n\nQ {=a} {=b}\n\nQ } {=a}\n\n{=a}\n\nQ {T#a#b#c}\n\n"
            "Q {=a -> 1 =b}\n\nQ {=a -> 1 = -> 2 =c -> 3}\n\nQ {abc}\n\nQ {~%x%a =b}\n\nQ {#1..x}\n\n"
            "Q {#2 =3}\n\nQ {#=1 ~x}\n\n[html]<script>x</script><img src='@@PLUGINFILE@@/a.png'>Q {T}\n\n"
            "Q {=a ~b} tail\n")


def all_problems():
    for number, text in enumerate(BAD_QUIZZES):
        yield from parse_quiz(text, f"bad{number}.md")[1]
    yield from parse_gift(BAD_GIFT, "bad.gift")[1]
    yield from parse_gift(b"\xff", "latin.gift")[1]
    yield from parse_gift("// nothing\n", "empty.gift")[1]
    yield from parse_quiz("---\ntitle: T\n---\nNo questions.\n", "none.md")[1]


def test_every_problem_of_the_quiz_parser_and_the_gift_importer_is_a_defined_code():
    problems = list(all_problems())
    codes = {p.code for p in problems}
    assert len(codes) > 50
    assert {code for code in codes if not re.fullmatch(r"(quiz|gift)-[a-z0-9-]+", code)} == set()
    assert {code for code in codes if code not in MESSAGES} == set()
    assert all(p.message == (MESSAGES[p.code] % p.arguments if p.params else MESSAGES[p.code]) for p in problems)


@pytest.mark.parametrize("language, marker", [(russian, re.compile("[а-яё]")), (arabic, re.compile("[\u0600-\u06ff]"))])
def test_problems_read_in_the_readers_language(language, marker):
    translate = language().gettext
    for problem in all_problems():
        text = problem.text(translate)
        assert marker.search(text), (problem.code, text)
        for value in problem.arguments.values():
            assert str(value) in text, (problem.code, text)


def test_problem_text_in_russian_keeps_the_file_syntax():
    _, problems = parse_quiz("---\ntitle: T\n---\n## Q\n- [x] (-50%) A\n- [ ] B\n", "q.md")
    (problem,) = [p for p in problems if p.code == "quiz-right-option-not-positive"]
    assert problem.text(russian().gettext) == (
        "вариант отмечен как верный '- [x]', но его вес -50%; дайте ему положительный вес или отметьте его '- [ ]'")


def test_quiz_to_json_words_problems_in_the_readers_language():
    quiz, problems = parse_quiz("---\ntitle: T\npool: 4\n---\n## Q\n- [ ] A\n- [ ] B\n", "q.md")
    english = quiz_to_json(quiz, problems)
    assert english["errors"] == ["q.md:3: pool is 4 but the quiz has only 1 question; "
                                 "lower the pool to 1 or less (0 = all)"]
    translated = quiz_to_json(quiz, problems, russian().gettext)
    assert translated["errors"] == ["q.md:3: pool равно 4, но в тесте всего 1 вопрос; "
                                    "уменьшите pool до 1 или меньше (0 = все)"]
    assert translated["questions"][0]["errors"] == [
        "q.md:5: нет верного варианта: отметьте правильные ответы '- [x]'"]


# ---------------------------------------------------------------- refused answers and reviews are codes

@pytest.mark.parametrize("qid, raw, code, params", [
    ("glass", 3, "quiz-answer-choose-one", {}),
    ("glass", "z", "quiz-answer-unknown-option", {"choice": "z"}),
    ("red", ["a", "a"], "quiz-answer-option-twice", {}),
    ("num", "twelve", "quiz-answer-not-a-number", {"answer": "twelve"}),
    ("short", "x" * 1001, "quiz-answer-too-long", {"limit": 1000}),
    ("match", {"z": "r1"}, "quiz-answer-unknown-left", {"left": "z"}),
    ("order", ["a"], "quiz-answer-incomplete-order", {}),
    ("info", "x", "quiz-answer-description", {}),
])
def test_a_refused_answer_carries_a_code_the_page_can_translate(quiz, qid, raw, code, params):
    with pytest.raises(AnswerError) as info:
        validate_answer(quiz.question(qid), raw)
    error = info.value
    assert (error.question_id, error.code, error.params) == (qid, code, params)
    assert str(error) == f"{qid}: {error.message}"
    assert re.search("[а-яё]", error.text(russian().gettext))


def test_a_refused_review_carries_a_code(quiz):
    plan = draw_attempt(quiz, 1)
    with pytest.raises(ReviewError) as info:
        finalize_with_review(quiz, plan, {"open": "x"}, {"open": 5})
    assert (info.value.code, info.value.params) == ("quiz-review-out-of-range", {"max": "1", "points": "5"})
    assert str(info.value) == "open: review points must be between 0 and 1, not 5"
    with pytest.raises(ReviewError) as info:
        finalize_with_review(quiz, plan, {}, {"glass": 1})
    assert info.value.code == "quiz-review-not-open"
    assert info.value.text(arabic().gettext) == "لا يمكن تقييم سوى الأسئلة المفتوحة في هذه المحاولة"


def test_a_foreign_token_is_refused_with_a_code(quiz):
    tokens = AttemptTokens("a secret", "1:2")
    with pytest.raises(AnswerError) as info:
        tokens.from_browser(quiz.question("glass"), "a")
    assert info.value.code == "quiz-answer-unknown-choice"
    with pytest.raises(AnswerError) as info:
        tokens.from_browser(quiz.question("red"), "not a list")
    assert info.value.code == "quiz-answer-not-choice-list"
