"""The built-in courses in courses/ pass the checker, with their own rules, and import.

What the built-in course must hold (five modules, a quiz and a role-play of a given size in
each, translated editions) is written in its course.md under ``rules:`` and checked by
``flask lms courses check --strict``, as any author's course is: the code's suite asserts
only that the check passes.
"""
from support import ROOT

COURSES = ROOT / "courses"


def test_builtin_courses_pass_the_strict_checker_with_their_own_rules(runner):
    result = runner.invoke(args=["lms", "courses", "check", "--strict", str(COURSES)])
    assert result.exit_code == 0, result.output
    assert "OK service-excellence: 3 language(s)" in result.output
    assert "rules:" in (COURSES / "service-excellence" / "course.md").read_text()


def test_builtin_courses_import(runner):
    result = runner.invoke(args=["lms", "courses", "import", str(COURSES)])
    assert result.exit_code == 0 and "Imported service-excellence: version 1" in result.output
