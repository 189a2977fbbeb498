"""The role-play checks of the teaching (unused-variable, condemned-reply-passes, requirement-violated) and the
markers that accept a warning, in scenarios and quizzes: each code on a purpose-made file, none on a clean one."""
import json
import shutil

from lms.core.content import check_directory
from lms.core.quiz import parse_quiz
from lms.core.scenario import Scenario, check_scenario, parse_scenario
from lms.core.scenario_explore import apply_effects, competency_gains, transitions
from lms.core.scenario_model import ENDING, Step

from support import ROOT, SAMPLE_COURSES

HEAD = """---
title: Promise
type: scenario
variables:
  promised: false
pass: {outcomes: [kept]}
---
"""

#: a customer asks for a date; the second reply is the one the lesson condemns
BODY = """## Ask {#ask}

**Клиент:** When will the proposal come?

- [By three o'clock.](#wait) promised=true promises+1 points+1
- [Soon, we are swamped.](#wait) promises-2

## Wait {#wait}

- [Call back with news.](#check) experience+1
- [Do nothing.](#check)

## Check {#check}

-> #kept if promised
-> #lost

## Kept {#kept}

outcome: kept

## Lost {#lost}

outcome: lost
"""
CLEAN = HEAD + BODY


def check(text: str, **kwargs):
    scenario, problems = parse_scenario(text, "s.md")
    assert problems == [], problems
    return check_scenario(scenario, **kwargs)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def codes(report) -> list[str]:
    return sorted(p.code for p in (*report.errors, *report.warnings))


def test_a_clean_scenario_has_no_teaching_problem():
    report = check(CLEAN)
    assert report.ok and report.warnings == () and report.accepted == ()


# -- unused-variable --------------------------------------------------------------------------

def test_a_variable_set_but_never_read_is_reported_at_its_declaration():
    text = CLEAN.replace("  promised: false\n", "  promised: false\n  noted: false   # a note\n").replace(
        "(#check) experience+1", "(#check) experience+1 noted=true")
    [warning] = check(text).warnings
    assert (warning.code, warning.line, warning.arguments) == ("unused-variable", 6, {"name": "noted"})
    assert warning.message.startswith("no condition reads variable 'noted'")


def test_a_declared_variable_nothing_sets_or_reads_is_reported_too_but_built_in_ones_never():
    text = CLEAN.replace("  promised: false\n", "  promised: false\n  calls: 0\n  points: 2\n  experience: 1\n")
    assert [(w.code, w.line) for w in check(text).warnings] == [("unused-variable", 6)]


def test_a_variable_read_only_by_an_endings_requirement_is_used():
    text = CLEAN.replace("  promised: false\n", "  promised: false\n  noted: false\n").replace(
        "(#check) experience+1", "(#check) noted=true").replace("outcome: kept", "requires: promised or not noted\n"
                                                                                "outcome: kept")
    assert check(text).warnings == ()


# -- condemned-reply-passes -------------------------------------------------------------------

LENIENT = CLEAN.replace("-> #kept if promised\n", "-> #kept if promised or mood > 0\n")


def test_a_condemned_reply_that_can_still_pass_names_its_line_the_runs_and_one_of_them():
    [warning] = check(LENIENT).warnings
    line = line_of(LENIENT, "we are swamped")
    assert (warning.code, warning.line) == ("condemned-reply-passes", line)
    assert warning.arguments == {"line": line, "lowers": "promises-2", "passing": "1", "runs": "2",
                                 "path": "ask → wait → check → kept"}
    assert warning.message.startswith(f"the reply at line {line} lowers promises-2, yet 1 of the 2 runs that take "
                                      "it still pass the scenario, e.g. ask → wait → check → kept;")


def test_no_warning_when_every_run_after_the_condemned_reply_fails():
    assert "condemned-reply-passes" not in codes(check(CLEAN))


def test_without_a_pass_rule_every_ending_passes():
    text = LENIENT.replace("pass: {outcomes: [kept]}\n", "")
    [warning] = check(text).warnings
    assert warning.arguments["passing"] == "2" and warning.arguments["runs"] == "2"


def test_min_points_count_free_text_rubrics_in_full_the_best_case():
    text = CLEAN.replace("pass: {outcomes: [kept]}", "pass: {min_points: 3}").replace(
        "(#wait) promises-2", "(#wait) promises-2 points+1").replace(
        "## Wait {#wait}\n\n- [Call back with news.](#check) experience+1\n- [Do nothing.](#check)\n",
        "## Wait {#wait}\n\nWrite your reply: a letter\n\n- [ ] names a time (2)\n\n-> #check\n")
    [warning] = check(text).warnings  # 1 point + 2 from the rubric reach 3, even at the ending 'lost'
    assert warning.code == "condemned-reply-passes" and (warning.arguments["passing"], warning.arguments["runs"]) == (
        "1", "1")
    assert "promises-2" in warning.message
    strict = text.replace("{min_points: 3}", "{min_points: 4}")
    assert "condemned-reply-passes" not in codes(check(strict))


def test_a_loop_makes_the_runs_endless_and_the_count_says_at_least():
    text = LENIENT.replace("- [Do nothing.](#check)\n", "- [Do nothing.](#check)\n- [Wait a bit more.](#wait)\n")
    [warning] = check(text).warnings
    assert warning.arguments["passing"] == "≥ 1000" and warning.arguments["runs"] == "≥ 1000"


def test_a_route_that_lowers_a_competency_is_no_reply_and_is_not_reported():
    text = LENIENT.replace("-> #lost", "-> #lost promises-1")
    assert "condemned-reply-passes" in codes(check(text))  # the reply still is
    assert [w.line for w in check(text).warnings] == [line_of(text, "we are swamped")]


# -- requirement-violated ---------------------------------------------------------------------

def test_a_run_that_reaches_an_ending_without_what_it_requires_is_an_error_with_the_values():
    text = LENIENT.replace("outcome: kept", "requires: promised\n\noutcome: kept")
    report = check(text)
    [error] = report.errors
    assert (error.code, error.line) == ("requirement-violated", line_of(text, "requires:"))
    assert error.arguments == {"step": "kept", "condition": "promised", "values": "promised=false",
                               "path": "ask → wait → check → kept"}
    assert not report.ok


def test_a_requirement_every_run_meets_is_proven_silently():
    text = CLEAN.replace("outcome: kept", "outcome: kept\n\nrequires: promised and points >= 1\n\nDebrief.")
    report = check(text)
    assert report.ok and report.errors == ()
    scenario, _ = parse_scenario(text, "s.md")
    kept = scenario.known_step("kept")
    assert kept.requires is not None and kept.requires.condition.source == "promised and points >= 1"
    assert kept.debrief == "Debrief."  # the line is no part of the debrief


def test_the_values_shown_are_those_the_condition_reads_mood_included():
    text = LENIENT.replace("outcome: lost", "requires: mood > 0 or promised\n\noutcome: lost")
    [error] = check(text).errors
    assert error.arguments["values"] == "mood=0, promised=false"


def test_a_requirement_the_capped_exploration_cannot_prove_is_an_error():
    text = CLEAN.replace("- [Do nothing.](#check)\n", "- [Do nothing.](#check)\n- [Again.](#wait) points+1\n"
                         ).replace("outcome: kept", "requires: points >= 0\n\noutcome: kept")
    report = check(text, max_states=20)
    assert report.cap_hit
    assert ("requirement-not-proven", line_of(text, "requires:")) in [(e.code, e.line) for e in report.errors]


def test_requires_problems_are_parse_errors_with_codes():
    def parsed(text):
        return [(p.code, p.line) for p in parse_scenario(text, "s.md")[1]]

    not_ending = CLEAN.replace("## Check {#check}\n", "## Check {#check}\n\nrequires: promised\n")
    assert parsed(not_ending) == [("scenario.requires-not-ending", line_of(not_ending, "requires:"))]
    empty = CLEAN.replace("outcome: kept", "requires:\n\noutcome: kept")
    assert parsed(empty) == [("scenario.requires-empty", line_of(empty, "requires:"))]
    undeclared = CLEAN.replace("outcome: kept", "requires: called_back\n\noutcome: kept")
    assert parsed(undeclared) == [("condition.undeclared", line_of(undeclared, "requires:"))]
    twice = CLEAN.replace("outcome: kept", "requires: promised\nrequires: promised\n\noutcome: kept")
    assert parsed(twice) == [("scenario.second-requires", line_of(twice, "requires:") + 1)]


def test_a_requirement_survives_the_stored_data_and_old_data_still_loads():
    scenario, _ = parse_scenario(CLEAN.replace("outcome: kept", "requires: promised\n\noutcome: kept"), "s.md")
    data = json.loads(json.dumps(scenario.to_dict()))
    again = Scenario.from_dict(data)
    assert again == scenario and again.known_step("kept").requires == scenario.known_step("kept").requires
    assert again.variable_lines == {"promised": 5}
    for step in data["steps"]:
        step.pop("requires")
    data.pop("accepts"), data.pop("variable_lines")
    old = Scenario.from_dict(data)
    assert old.known_step("kept").requires is None and old.accepts == ()
    assert Step.from_dict({"id": "x", "kind": "ending", "outcome": "ok"}).requires is None


# -- accepting a warning ------------------------------------------------------------------------

def accepted(report) -> list[tuple[str, int, bool]]:
    return [(p.code, p.line, p.accepted) for p in report.accepted]


def test_a_marker_on_the_replys_line_accepts_its_warning_and_the_report_lists_it_apart():
    text = LENIENT.replace("promises-2\n", "promises-2 <!-- accept: condemned-reply-passes -->\n")
    report = check(text)
    line = line_of(text, "we are swamped")
    assert report.warnings == () and accepted(report) == [("condemned-reply-passes", line, True)]
    data = report.to_dict()
    assert data["warnings"] == [] and [a["code"] for a in data["accepted"]] == ["condemned-reply-passes"]
    assert set(data["accepted"][0]) == {"code", "line", "message"}
    scenario, _ = parse_scenario(text, "s.md")
    reply = scenario.known_step("ask").replies[1]
    assert reply.text == "Soon, we are swamped." and [str(e) for e in reply.effects] == ["promises-2"]


def test_a_marker_on_its_own_line_accepts_the_warnings_of_its_step_only():
    text = LENIENT.replace("## Ask {#ask}\n", "## Ask {#ask}\n\n<!-- accept: condemned-reply-passes -->\n")
    report = check(text)
    assert report.warnings == () and [c for c, _, _ in accepted(report)] == ["condemned-reply-passes"]
    scenario, _ = parse_scenario(text, "s.md")
    assert "accept" not in scenario.known_step("ask").text
    elsewhere = LENIENT.replace("## Wait {#wait}\n", "## Wait {#wait}\n\n<!-- accept: condemned-reply-passes -->\n")
    assert [w.code for w in check(elsewhere).warnings] == ["condemned-reply-passes"]


def test_the_front_matter_accepts_for_the_whole_file_and_a_yaml_comment_for_its_line():
    text = LENIENT.replace("pass:", "accept: [condemned-reply-passes]\npass:")
    assert check(text).warnings == () and len(check(text).accepted) == 1
    unused = CLEAN.replace("  promised: false\n", "  promised: false\n  noted: false  # accept: unused-variable\n"
                           "  asked: 0\n")
    report = check(unused)
    assert [(w.code, w.line) for w in report.warnings] == [("unused-variable", 7)]
    assert accepted(report) == [("unused-variable", 6, True)]
    intro = LENIENT.replace("---\n## Ask", "---\n<!-- accept: condemned-reply-passes -->\n\n## Ask")
    assert check(intro).warnings == ()


def test_a_marker_naming_no_warning_is_itself_a_warning_and_errors_are_never_accepted():
    text = LENIENT.replace("promises-2\n", "promises-2 <!-- accept: condemned-reply-pass -->\n").replace(
        "outcome: kept", "requires: promised <!-- accept: requirement-violated -->\n\noutcome: kept")
    report = check(text)
    assert [e.code for e in report.errors] == ["requirement-violated"]
    assert sorted((w.code, w.arguments.get("code")) for w in report.warnings) == [
        ("accept.unknown-code", "condemned-reply-pass"), ("accept.unknown-code", "requirement-violated"),
        ("condemned-reply-passes", None)]
    bad = CLEAN.replace("pass:", "accept: {all: true}\npass:")
    assert [p.code for p in parse_scenario(bad, "s.md")[1]] == ["accept.bad-list"]


def test_a_short_code_accepts_a_structural_warning_too():
    text = CLEAN.replace("- [Do nothing.](#check)\n",
                         "- [Do nothing.](#check)\n- [Never.](#check) if points > 5 <!-- accept: never-offered -->\n")
    report = check(text)
    assert report.warnings == () and [c for c, _, _ in accepted(report)] == ["scenario.never-offered"]


# -- quizzes ----------------------------------------------------------------------------------

QUIZ_HEAD = "---\ntitle: Checks\ntype: quiz\n---\n"
TITLES = ["Who greets guests at the door?", "How fast do we answer a lead?", "What does a customer hear?",
          "When is a promise kept?", "Which channel suits an urgent order?"]


def question(n: int, title: str | None = None, extra: str = "") -> str:
    return f"## {title or TITLES[n - 1]} {{#q{n}}}\n\n{extra}- [x] Right one\n- [ ] Wrong but longer option\n\n"


def quiz_problems(text: str) -> list[tuple[str, int, bool]]:
    _quiz, problems = parse_quiz(text, "quiz.md")
    return [(p.code, p.line, p.accepted) for p in problems]


def test_position_bias_is_accepted_in_the_front_matter_not_in_the_question_it_is_reported_at():
    body = "".join(question(n) for n in range(1, 6))
    assert quiz_problems(QUIZ_HEAD + body) == [("position-bias", 5, False)]
    front = QUIZ_HEAD.replace("type: quiz\n", "type: quiz\naccept: [position-bias]\n")
    assert quiz_problems(front + body) == [("position-bias", 6, True)]
    in_question = "".join(question(n, extra="<!-- accept: position-bias -->\n" if n == 1 else "") for n in range(1, 6))
    assert quiz_problems(QUIZ_HEAD + in_question) == [("position-bias", 5, False)]


def test_a_marker_in_a_question_accepts_its_duplicate_warning_and_leaves_its_text():
    twin = "How fast should we answer a new lead?"
    body = question(1, twin) + question(2, twin.replace("?", "!"), extra="<!-- accept: duplicate-question -->\n")
    quiz, problems = parse_quiz(QUIZ_HEAD + body, "quiz.md")
    assert [(p.code, p.line, p.accepted) for p in problems] == [("duplicate-question", 10, True)]
    assert "accept" not in quiz.questions[1].text
    typo = body.replace("duplicate-question -->", "duplicate -->")
    assert [(c, line, a) for c, line, a in quiz_problems(QUIZ_HEAD + typo)] == [
        ("duplicate-question", 10, False), ("accept.unknown-code", 12, False)]


# -- the course loader and the command line -----------------------------------------------------

def test_the_course_loader_lists_accepted_warnings_marked_and_strict_ignores_them(tmp_path, runner):
    root = tmp_path / "courses"
    shutil.copytree(SAMPLE_COURSES, root)
    talk = root / "sample" / "02-practice" / "04-talk.md"  # the module lists no activities: every file counts
    talk.write_text(LENIENT.replace("promises-2\n", "promises-2 <!-- accept: condemned-reply-passes -->\n"),
                    encoding="utf-8")
    checked = check_directory(root)
    mine = [w for w in checked.warnings if w.path.endswith("04-talk.md")]
    assert [(w.code, w.accepted) for w in mine] == [("condemned-reply-passes", True)]
    strict = runner.invoke(args=["lms", "courses", "check", "--strict", str(root)])
    line = line_of(LENIENT, "we are swamped")
    assert f"04-talk.md:{line}: accepted warning: the reply at line {line} lowers promises-2" in strict.output
    assert "[condemned-reply-passes]" in strict.output
    others = [w for w in checked.warnings if not w.accepted]
    assert (strict.exit_code == 0) == (not others), strict.output

    talk.write_text(LENIENT, encoding="utf-8")
    relaxed = runner.invoke(args=["lms", "courses", "check", str(root)])
    assert relaxed.exit_code == 0 and f"04-talk.md:{line}: warning: the reply at line {line}" in relaxed.output
    assert runner.invoke(args=["lms", "courses", "check", "--strict", str(root)]).exit_code == 1


RU_CONDEMNED = ("ответ в строке {line} снижает promises-2, но 1 из 2 прохождений с ним всё равно засчитывают "
                "сценарий как пройденный, например ask → wait → check → kept; пусть этот выбор ведёт к концовке, "
                "которая не засчитывается, или примите предупреждение, если так и задумано")


def test_scenario_check_prints_errors_warnings_and_accepted_as_json_in_the_chosen_language(runner, tmp_path):
    path = tmp_path / "talk.md"
    path.write_text(LENIENT.replace("  promised: false\n", "  promised: false\n  noted: false  # accept: "
                                    "unused-variable\n").replace("outcome: kept", "requires: promised\n\noutcome: "
                                                                                  "kept"), encoding="utf-8")
    result = runner.invoke(args=["lms", "scenario", "check", str(path)])
    assert result.exit_code == 1  # requirement-violated is an error
    report = json.loads(result.output)
    for key in ("errors", "warnings", "accepted"):
        assert report[key] and all(set(entry) == {"code", "line", "message"} for entry in report[key]), key
    assert [e["code"] for e in report["errors"]] == ["requirement-violated"]
    assert [w["code"] for w in report["warnings"]] == ["condemned-reply-passes"]
    assert [a["code"] for a in report["accepted"]] == ["unused-variable"]

    russian = json.loads(runner.invoke(args=["lms", "--language", "ru", "scenario", "check", str(path)]).output)
    line = line_of(LENIENT, "we are swamped") + 1
    assert russian["warnings"] == [{"code": "condemned-reply-passes", "line": line,
                                    "message": RU_CONDEMNED.format(line=line)}]
    assert russian["errors"][0]["message"].startswith("концовка «kept» требует «promised»")
    assert russian["accepted"][0]["message"].startswith("ни одно условие не читает переменную «noted»")


def test_quiz_parse_prints_warnings_and_accepted_as_json_in_the_chosen_language(runner, tmp_path):
    path = tmp_path / "quiz.md"
    twin = "How fast should we answer a new lead?"
    path.write_text(QUIZ_HEAD.replace("type: quiz\n", "type: quiz\naccept: [position-bias]\n")
                    + question(1, twin) + question(2, twin.replace("?", "!"))
                    + "".join(question(n) for n in range(3, 6)), encoding="utf-8")
    result = runner.invoke(args=["lms", "--language", "ru", "quiz", "parse", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["errors"] == []
    assert data["warnings"] == [{"code": "duplicate-question", "line": 11,
                                 "message": "этот вопрос почти совпадает с вопросом в строке 6"}]
    assert [(a["code"], a["line"]) for a in data["accepted"]] == [("position-bias", 6)]
    assert "под номером 1" in data["accepted"][0]["message"]


# -- the examples of the docs say what the checker says -------------------------------------------

def test_the_scenario_docs_example_of_the_teaching_checks_is_true():
    docs = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    example = docs.split("(file `sofa.md`)", 1)[1].split("````markdown\n", 1)[1].split("````\n", 1)[0]
    printed = docs.split("(file `sofa.md`)", 1)[1].split("```text\n", 2)
    report = check(example)
    assert [f"sofa.md:{w.line}: warning: {w.message} [{w.code}]" for w in report.warnings] == \
        printed[1].split("```", 1)[0].strip().split("\n")
    strict = example.replace("outcome: regular", "requires: not overpromised\n\noutcome: regular")
    assert [f"sofa.md:{e.line}: {e.message}" for e in check(strict).errors] == [printed[2].split("```", 1)[0].strip()]
    fixed = example.replace("-> #regular if mood >= 0", "-> #regular if mood >= 0 and not overpromised")
    report = check(fixed)
    assert report.errors == () and report.warnings == ()


def test_the_quiz_docs_example_of_accepted_warnings_is_true():
    docs = (ROOT / "docs" / "quiz-format.md").read_text(encoding="utf-8")
    example = docs.split("### Accepting a warning", 1)[1].split("````markdown\n", 1)[1].split("````\n", 1)[0]
    assert sorted((c, a) for c, _, a in quiz_problems(example)) == [("duplicate-question", True),
                                                                     ("position-bias", True)]


def test_a_marker_on_a_heading_covers_its_step_or_question():
    text = LENIENT.replace("## Ask {#ask}\n", "## Ask {#ask} <!-- accept: condemned-reply-passes -->\n")
    report = check(text)
    assert report.warnings == () and len(report.accepted) == 1
    assert parse_scenario(text, "s.md")[0].known_step("ask").title == "Ask"
    twin = "How fast should we answer a new lead?"
    body = question(1, twin) + question(2, twin.replace("?", "! <!-- accept: duplicate-question -->"))
    quiz, problems = parse_quiz(QUIZ_HEAD + body, "quiz.md")
    assert [(p.code, p.accepted) for p in problems] == [("duplicate-question", True)]
    assert quiz.questions[1].title == "How fast should we answer a new lead!"


def test_the_run_counts_agree_with_playing_every_run():
    """Every run of the docs' example, played one by one with the engine's rules (rubrics in full)."""
    path = ROOT / "tests" / "core" / "data" / "scenario_proposal.md"
    scenario, _ = parse_scenario(path.read_text(encoding="utf-8"), "r.md")
    rule = scenario.pass_rule
    rubric = check_scenario(scenario).text_points_max
    counts: dict[int, list[int]] = {}  # reply line -> [runs, passing runs]

    def play(step_id: str, variables: dict, lowered: frozenset) -> None:
        step = scenario.known_step(step_id)
        if step.kind == ENDING:
            for line in lowered:
                counts.setdefault(line, [0, 0])[0] += 1
                counts[line][1] += rule.outcome_ok(step.outcome) and (
                    rule.min_points is None or variables["points"] + rubric >= rule.min_points)
            return
        for _action, link in transitions(step, variables):
            bad = any(v < 0 for v in competency_gains(link).values()) and link in step.replies
            play(link.target, apply_effects(variables, {}, link.effects)[0], lowered | {link.line} if bad else lowered)

    play(scenario.start, dict(scenario.variables), frozenset())
    report = check_scenario(scenario)
    found = {w.line: (w.arguments["passing"], w.arguments["runs"]) for w in (*report.warnings, *report.accepted)
             if w.code == "condemned-reply-passes"}
    assert found == {line: (str(passing), str(runs)) for line, (runs, passing) in counts.items() if passing}
    assert len(found) == 2 and len(report.accepted) == 2  # the example accepts both
