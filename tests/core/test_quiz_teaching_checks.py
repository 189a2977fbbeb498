"""The quiz checks that catch guessable answers: each code on a purpose-made quiz, none on a clean one."""
from lms.core.quiz import parse_quiz

HEAD = "---\ntitle: Checks\ntype: quiz\n---\n"


TITLES = ["Who greets guests at the door?", "How fast do we answer a lead?", "What does a customer hear on the phone?",
          "When is a promise kept?", "Which channel suits an urgent order?", "What goes into a proposal?"]


def question(n: int, options: list[tuple[str, bool]], title: str | None = None) -> str:
    lines = [f"## {title or TITLES[n - 1]} {{#q{n}}}", ""]
    lines += [f"- [{'x' if right else ' '}] {text}" for text, right in options]
    return "\n".join(lines) + "\n\n"


def codes(text: str) -> list[str]:
    quiz, problems = parse_quiz(text, "quiz.md")
    assert all(p.severity == "warning" for p in problems), problems
    return sorted(p.code for p in problems)


def test_a_balanced_quiz_has_no_teaching_warning():
    body = "".join(question(n, [("Short", n % 3 == 0), ("A somewhat longer option", n % 3 == 1), ("Mid size", n % 3 == 2)])
                   for n in range(1, 6))
    assert codes(HEAD + body) == []


def test_the_longest_option_always_right_is_reported():
    body = "".join(question(n, [("No", False), ("The long and detailed correct answer here", True), ("Maybe", False)]
                            if n % 2 else [("Maybe", False), ("No", False), ("The long and detailed correct one", True)])
                   for n in range(1, 6))
    assert codes(HEAD + body) == ["longest-option-bias"]


def test_the_same_position_always_right_is_reported_with_its_line():
    body = "".join(question(n, [("Right one", True), ("Wrong but longer option", False), ("Other", False)])
                   for n in range(1, 6))
    quiz, problems = parse_quiz(HEAD + body, "quiz.md")
    [problem] = problems
    assert problem.code == "position-bias" and problem.line == 5
    assert dict(problem.params) == {"position": 1, "count": 5, "total": 5}


def test_too_few_choice_questions_say_nothing_about_bias():
    body = "".join(question(n, [("Right one and long", True), ("No", False)]) for n in range(1, 4))
    assert codes(HEAD + body) == []


def test_a_near_duplicate_question_points_at_the_first():
    body = (question(1, [("Yes", True), ("No", False)], "How fast should we answer a new lead?")
            + question(2, [("No", False), ("Yes", True)], "How fast should we answer a new lead!"))
    quiz, problems = parse_quiz(HEAD + body, "quiz.md")
    [problem] = problems
    assert problem.code == "duplicate-question" and problem.line == 10 and dict(problem.params) == {"other": 5}


def test_the_command_line_lists_them_as_warnings_in_json(runner, tmp_path):
    import json

    path = tmp_path / "quiz.md"
    path.write_text(HEAD + "".join(question(n, [("Right one", True), ("Wrong but longer", False)])
                                   for n in range(1, 6)), encoding="utf-8")
    result = runner.invoke(args=["lms", "quiz", "parse", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["errors"] == [] and [w["code"] for w in data["warnings"]] == ["position-bias"]
    assert "option 1 in 5 of 5" in data["warnings"][0]["message"]
