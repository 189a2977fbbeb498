"""A course's own rules (course.md ``rules:``): shape checks an author runs, not the code's suite."""
import shutil

import pytest

import lms.activities  # noqa: F401  (registers the activity kinds)
from lms.core.content import check_directory
from lms.core.course_rules import Range, parse_rules

from support import SAMPLE_COURSES

KINDS = ("lesson", "quiz", "scenario", "task")
MEASURES = {"quiz": ("questions", "question_types"), "scenario": ("steps", "endings")}


def with_rules(tmp_path, rules: str):
    root = tmp_path / "courses"
    shutil.copytree(SAMPLE_COURSES, root)
    course = root / "sample" / "course.md"
    text = course.read_text()
    course.write_text(text.replace("completion:\n", rules.strip("\n") + "\ncompletion:\n", 1))
    return root


def lines(checked) -> list[str]:
    """As the command line prints them in English (``Problem.__str__``)."""
    return [str(p) for p in [*checked.problems, *checked.warnings]]


def test_numbers_mean_at_least_and_pairs_mean_a_range():
    rules, problems = parse_rules({"modules": [2, 3], "per_module": {"quiz": 1}}, KINDS, MEASURES)
    assert problems == [] and rules.modules == Range(2, 3) and rules.per_module["quiz"] == Range(1)
    assert str(Range(2, 4)) == "2–4" and str(Range(8)) == "≥ 8" and str(Range(1, 1)) == "1"
    assert Range(2, 4).holds(4) and not Range(2, 4).holds(5) and Range(8).holds(80)


@pytest.mark.parametrize("raw, code", [
    ("five", "rules-not-mapping"),
    ({"modulez": 5}, "rules-unknown-key"),
    ({"modules": -1}, "rules-bad-range"),
    ({"modules": [4, 2]}, "rules-bad-range"),
    ({"per_module": {"video": 1}}, "rules-unknown-type"),
    ({"each": {"quiz": {"pages": 3}}}, "rules-unknown-measure"),
    ({"total": {"pages": 3}}, "rules-unknown-measure"),
    ({"translated": "ru"}, "rules-bad-translated"),
])
def test_a_rule_that_cannot_be_read_is_named(raw, code):
    _rules, problems = parse_rules(raw, KINDS, MEASURES)
    assert [p.code for _key, p in problems] == [code]


def test_a_course_that_meets_its_rules_checks_clean(tmp_path):
    root = with_rules(tmp_path, """
rules:
  modules: [2, 2]
  per_module: {quiz: [0, 1]}
  each: {quiz: {questions: 3}, scenario: {endings: 2}}
""")
    checked = check_directory(root, "courses")
    assert checked.problems == [] and checked.warnings == [], lines(checked)


def test_what_falls_short_of_the_rules_is_a_warning_at_its_place(tmp_path):
    root = with_rules(tmp_path, """
rules:
  modules: 3
  per_module:
    quiz: 1
  each:
    quiz: {questions: 50}
  total:
    free_text_rubrics: 5
  translated: [en]
""")
    checked = check_directory(root, "courses")
    assert checked.problems == [], lines(checked)
    found = lines(checked)
    rules_line = next(i for i, line in enumerate((root / "sample/course.md").read_text().split("\n"), 1)
                      if line.startswith("rules:"))
    assert f"courses/sample/course.md:{rules_line}: warning: the ru edition has 2 modules; the course's rules " \
           "ask for ≥ 3" in found
    assert f"courses/sample/course.md:{rules_line}: warning: module 01-basics (ru) has 0 activities of type quiz; " \
           "the course's rules ask for ≥ 1" in found
    assert any(line.startswith("courses/sample/02-practice/03-quiz.md:1: warning: questions:") and "≥ 50" in line
               for line in found)
    assert "courses/sample/course.md:6: warning: the ru edition has free_text_rubrics: 1 in all; the course's rules " \
           "ask for ≥ 5" in found
    # the English edition shows the Russian quiz: not translated, as its rules ask
    assert any(line.startswith("courses/sample/02-practice/03-quiz.md:1: warning: the en edition shows this file")
               for line in found)
    # warnings never stop an import; only --strict fails on them
    assert checked.courses


def test_a_misspelt_rule_is_a_problem_on_its_line(tmp_path):
    root = with_rules(tmp_path, "rules:\n  per_module:\n    quizz: 1\n")
    checked = check_directory(root, "courses")
    [problem] = checked.problems
    assert problem.code == "rules-unknown-type" and problem.path == "courses/sample/course.md"
    assert problem.line == 7


def test_the_command_line_fails_strictly_on_rules_in_the_readers_language(tmp_path, runner):
    root = with_rules(tmp_path, "rules:\n  modules: 3\n")
    plain = runner.invoke(args=["lms", "courses", "check", str(root)])
    assert plain.exit_code == 0, plain.output
    strict = runner.invoke(args=["lms", "--language", "ru", "courses", "check", "--strict", str(root)])
    assert strict.exit_code == 1
    assert "правила курса требуют ≥ 3" in strict.output, strict.output
