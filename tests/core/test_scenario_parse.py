"""Parsing role-play scenarios from Markdown, and the condition language."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from lms.core import scenario_expr as expr
from lms.core.frontmatter import split_front_matter
from lms.core.scenario import (
    CHOICE,
    ENDING,
    ROUTE,
    TEXT,
    Effect,
    Scenario,
    parse_scenario,
    parse_scenario_document,
)
from lms.core.scenario_expr import BOOL, NUM, evaluate, parse_condition

DATA = Path(__file__).parent / "data"
EXAMPLE = (DATA / "scenario_proposal.md").read_text(encoding="utf-8")


def parse(text: str, path: str = "s.md") -> tuple[Scenario, list[str]]:
    scenario, problems = parse_scenario(text, path)
    return scenario, [str(p) for p in problems]


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for i, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in text")


def only(problems: list[str], fragment: str) -> str:
    hits = [p for p in problems if fragment in p]
    assert len(hits) == 1, (fragment, problems)
    return hits[0]


# -- the example scenario ------------------------------------------------------

def test_example_parses_without_problems():
    scenario, problems = parse(EXAMPLE, "module/proposal.md")
    assert problems == []
    assert scenario.title == "Коммерческое предложение к 15:00"
    assert scenario.start == "request"
    assert scenario.intro.startswith("Вы — менеджер компании")
    assert [s.id for s in scenario.endings] == ["lost", "one-off", "loyal", "recommends"]
    assert scenario.outcome_label("loyal") == "Постоянный клиент"
    assert scenario.variables == {
        "expectations": 0, "experience": 0, "points": 0, "promised": False, "on_time": False, "warned": False,
    }
    assert scenario.pass_rule.min_points == 6
    assert scenario.pass_rule.outcomes == ("loyal", "recommends")
    assert scenario.competencies["needs"].lesson == "03-good-proposal-step-by-step.md"
    assert scenario.competencies["needs"].label == "Выявление потребностей"


def test_example_steps_have_the_right_kinds_and_lines():
    scenario, _ = parse(EXAMPLE)
    kinds = {s.id: s.kind for s in scenario.steps}
    assert kinds["request"] == CHOICE
    assert kinds["check"] == ROUTE
    assert kinds["apology"] == TEXT
    assert kinds["loyal"] == ENDING
    assert scenario.step("needs").line == line_of(EXAMPLE, "{#needs}")


def test_replies_carry_effects_conditions_and_file_lines():
    scenario, _ = parse(EXAMPLE)
    step = scenario.step("afternoon")
    assert [r.id for r in step.replies] == ["1", "2", "3", "4"]
    first = step.replies[0]
    assert first.target == "check"
    assert first.line == line_of(EXAMPLE, "Сначала отправлю КП")
    assert first.effects == (
        Effect("on_time", "=", True), Effect("promises", "+", 2, competency=True), Effect("points", "+", 2),
    )
    assert first.condition is not None and first.condition.source == "promised"
    assert step.replies[2].condition is None
    assert step.replies[3].condition.source == "not promised"


def test_speakers_narration_and_text():
    scenario, _ = parse(EXAMPLE)
    step = scenario.step("afternoon")
    assert step.lines[0].speaker is None
    assert step.lines[0].text.startswith("14:20.")
    assert step.lines[1].speaker == "Руководитель"
    assert step.lines[1].text == "Выручай, встреча через пять минут!"
    assert step.speaker == "Руководитель"
    assert "**Руководитель:** Выручай" in step.text


def test_free_text_step_prompt_rubric_and_next():
    scenario, _ = parse(EXAMPLE)
    step = scenario.step("apology")
    assert step.prompt == "Ваше письмо клиенту"
    assert [(i.label, i.points) for i in step.rubric] == [
        ("извинились без оправданий и без перекладывания вины", 1),
        ("назвали точное время, когда придёт КП", 2),
        ("предложили компенсацию или бонус", 1),
    ]
    assert [r.target for r in step.routes] == ["reaction"]


def test_routes_and_endings():
    scenario, _ = parse(EXAMPLE)
    check = scenario.step("check")
    assert [(r.target, r.condition.source if r.condition else None) for r in check.routes] == [
        ("kept", "promised and on_time"), ("warned", "warned"), ("broken", "promised"),
        ("early", "on_time"), ("silence", None),
    ]
    assert check.routes[2].effects == (Effect("experience", "-", 2),)
    lost = scenario.step("lost")
    assert lost.outcome == "lost"
    assert lost.lines[0].speaker == "Ирина"
    assert lost.debrief.startswith("Клиент ждал конкретного срока")


def test_scenario_round_trips_through_json():
    scenario, _ = parse(EXAMPLE)
    data = json.loads(json.dumps(scenario.to_dict(), ensure_ascii=False))
    again = Scenario.from_dict(data)
    assert again == scenario
    assert again.step("check").routes[0].condition.holds({"promised": True, "on_time": True})


def test_parse_document_reports_front_matter_lines_when_given_text():
    text = "---\ntitle: T\nvariables:\n  promised: maybe\n---\n## A {#a}\noutcome: done\n"
    doc = split_front_matter(text, "s.md")
    _, with_text = parse_scenario_document(doc, text)
    _, without = parse_scenario_document(doc)
    assert [str(p) for p in with_text] == [
        "s.md:4: variable 'promised' needs an initial value that is a number or true/false, got 'maybe'"]
    assert str(without[0]).startswith("s.md:1: variable 'promised'")


def test_start_from_front_matter_and_russian_keywords():
    text = """---
start: b
---
## A {#a}
Итог: first

## B {#b}
**Клиент:** Напишите мне.

Ваш ответ:

- [ ] вежливо (1)
- [x] по делу

-> #a
"""
    scenario, problems = parse(text)
    assert problems == []
    assert scenario.start == "b"
    assert scenario.step("a").outcome == "first"
    b = scenario.step("b")
    assert b.kind == TEXT
    assert [(i.label, i.points) for i in b.rubric] == [("вежливо", 1), ("по делу", 1)]


def test_links_to_pages_in_a_step_are_prose_not_replies():
    text = "## A {#a}\nСм. материалы:\n\n- [Памятка](https://example.org/memo.pdf)\n- [Дальше](#b)\n\n## B {#b}\noutcome: ok\n"
    scenario, problems = parse(text)
    assert problems == []
    assert [r.target for r in scenario.step("a").replies] == ["b"]
    assert "Памятка" in scenario.step("a").text


# -- parse problems, each at its file line -------------------------------------

BASE = """---
variables:
  promised: false
  calls: 0
---
## Start {#start}
**Customer:** Hello.

{replies}

## Done {#done}
outcome: ok
"""


def with_replies(replies: str) -> tuple[str, list[str]]:
    text = BASE.replace("{replies}", replies)
    return text, parse(text)[1]


def test_reply_to_missing_step_suggests_the_close_id():
    text, problems = with_replies("- [Bye](#dne)")
    assert problems == [f"s.md:{line_of(text, '[Bye]')}: link to '#dne', but no step has that id (did you mean '#done'?)"]


def test_unknown_effect_syntax():
    text, problems = with_replies("- [Bye](#done) points++2 promised=yes")
    line = line_of(text, "[Bye]")
    assert f"s.md:{line}: unknown effect 'points++2': the value '+2' must be a number or true/false" in problems
    assert f"s.md:{line}: unknown effect 'promised=yes': the value 'yes' must be a number or true/false" in problems
    _, problems = with_replies("- [Bye](#done) +2points")
    assert "unknown effect '+2points': write name+N" in problems[0]


def test_effect_on_unknown_name_asks_to_declare_it():
    text, problems = with_replies("- [Bye](#done) promissed=true")
    message = only(problems, "promissed")
    assert message.startswith(f"s.md:{line_of(text, '[Bye]')}: unknown name 'promissed'")
    assert "did you mean 'promised'" in message
    assert "declare it under 'variables:'" in message


def test_effects_are_type_checked_and_mood_is_read_only():
    _, problems = with_replies("- [Bye](#done) promised+1 calls=true mood+1 needs=2")
    assert any("'promised+1': 'promised' is true/false, so it can only be set" in p for p in problems)
    assert any("'calls=true': 'calls' is a number" in p for p in problems)
    assert any("'mood+1': mood is experience - expectations and cannot be set" in p for p in problems)
    assert any("'needs=2': competency points only add up" in p for p in problems)


def test_condition_on_undeclared_variable():
    text, problems = with_replies("- [Bye](#done) if promise")
    assert problems == [
        f"s.md:{line_of(text, '[Bye]')}: condition 'promise' uses 'promise', which is not declared; "
        "add it under 'variables:' in the front matter (e.g. 'promise: false')"]


def test_bad_conditions_are_explained():
    _, problems = with_replies("- [Bye](#done) if calls = 1")
    assert "use '==' to compare" in problems[0]
    _, problems = with_replies("- [Bye](#done) if calls")
    assert "is a number, not true/false; compare it" in problems[0]
    _, problems = with_replies("- [Bye](#done) if promised > 1")
    assert "compares numbers" in problems[0]
    _, problems = with_replies("- [Bye](#done) if")
    assert "'if' must be followed by a condition" in problems[0]


def test_broken_condition_is_never_true():
    scenario, _ = parse(BASE.replace("{replies}", "- [Bye](#done) if calls = 1"))
    assert not scenario.step("start").replies[0].available({"calls": 1, "promised": False})


def test_duplicate_step_ids():
    text = "## A {#a}\n- [x](#b)\n\n## B {#b}\noutcome: ok\n\n## Again {#a}\noutcome: ok\n"
    _, problems = parse(text)
    assert problems == ["s.md:7: step id 'a' is already used at line 1; ids must be unique"]


def test_step_heading_without_id():
    _, problems = parse("## Greeting\noutcome: ok\n")
    assert problems[0] == "s.md:1: step 'Greeting' needs an id: write '## Greeting {#step-id}'"


def test_no_endings():
    _, problems = parse("## A {#a}\n- [again](#a)\n")
    assert problems == ["s.md:1: the scenario has no ending; mark at least one step with a line "
                        "'outcome: name' (e.g. 'outcome: loyal')"]


def test_no_steps():
    _, problems = parse("---\ntitle: Empty\n---\nJust text.\n")
    assert problems == ["s.md:4: the scenario has no steps; add step headings like '## Запрос клиента {#request}'"]


def test_free_text_step_without_rubric_or_next():
    text = "## Write {#w}\nWrite your reply: to the customer\n\n## End {#end}\noutcome: ok\n"
    _, problems = parse(text)
    assert len(problems) == 2
    assert any(p.startswith("s.md:2: free-text step 'w' needs a rubric: add checklist lines") for p in problems)
    assert "s.md:2: free-text step 'w' needs a next step: add '-> #next-step'" in problems


def test_step_leading_nowhere_and_mixed_kinds():
    text = "## A {#a}\nJust talk.\n\n## B {#b}\n- [x](#c)\n-> #c\n\n## C {#c}\noutcome: ok\n- [y](#a)\n"
    _, problems = parse(text)
    assert problems[0].startswith("s.md:1: step 'a' leads nowhere: add replies")
    assert problems[1].startswith("s.md:6: step 'b' has both replies and '->' routes")
    assert problems[2].startswith("s.md:9: ending step 'c' cannot also have replies")


def test_rubric_outside_free_text_step():
    _, problems = parse("## A {#a}\n- [ ] polite\n- [ok](#b)\n\n## B {#b}\noutcome: ok\n")
    assert problems == ["s.md:2: checklist items belong to a free-text step; add a 'Write your reply:' line "
                        "to step 'a' or make them replies '- [Text](#step)'"]


def test_front_matter_problems_at_their_lines():
    text = """---
title: T
start: nowhere
colour: red
variables:
  mood: 1
  experience: true
pass: {outcomes: [loyal]}
---
## A {#a}
outcome: ok
"""
    _, problems = parse(text)
    assert "s.md:3: 'start: nowhere' names no step; use one of the step ids" in problems
    assert any(p.startswith("s.md:4: unknown front matter key 'colour'") for p in problems)
    assert any(p.startswith("s.md:6: 'mood' is derived") for p in problems)
    assert "s.md:7: 'experience' is a number; give it a number as its initial value" in problems
    assert ("s.md:8: 'pass: outcomes' names 'loyal', but no ending has 'outcome: loyal' (endings have: ok)"
            in problems)


def test_declared_outcomes_and_characters_are_enforced():
    text = "---\noutcomes: {won: Won}\ncharacters: [Клиент]\n---\n## A {#a}\n**Клиент:** Hi\n\n**Note:** aside\n\noutcome: lost\n"
    scenario, problems = parse(text)
    assert problems == ["s.md:10: outcome 'lost' is not in the front matter 'outcomes:' (won)"]
    step = scenario.step("a")
    assert step.lines[0].speaker == "Клиент"
    assert step.lines[1].speaker is None  # not a declared character: plain text


# -- the condition language ------------------------------------------------------

KINDS = {"promised": BOOL, "kept": BOOL, "calls": NUM, "points": NUM, "experience": NUM,
         "expectations": NUM, "mood": NUM}


@pytest.mark.parametrize(("source", "values", "expected"), [
    ("promised", {"promised": True}, True),
    ("not promised", {"promised": True}, False),
    ("promised and not kept", {"promised": True, "kept": False}, True),
    ("promised and kept or calls > 2", {"promised": True, "kept": False, "calls": 3}, True),
    ("promised and (kept or calls > 2)", {"promised": False, "kept": True, "calls": 3}, False),
    ("mood < 0", {"experience": 1, "expectations": 2}, True),
    ("mood >= -1", {"experience": 1, "expectations": 2}, True),
    ("calls == 2 and points != 2", {"calls": 2, "points": 3}, True),
    ("calls <= 1.5", {"calls": 2}, False),
    ("promised == false", {"promised": False}, True),
    ("not not promised", {"promised": True}, True),
])
def test_conditions_evaluate(source, values, expected):
    parsed = parse_condition(source, KINDS)
    assert parsed.errors == ()
    assert evaluate(parsed.tree, values) is expected


@pytest.mark.parametrize(("source", "code", "params"), [
    ("promised and", expr.ENDS_EARLY, {}),
    ("promised kept", expr.EXTRA, {"token": "kept"}),
    ("calls && promised", expr.SYMBOL, {"token": "&"}),
    ("(promised", expr.ENDS_EARLY, {}),
    ("calls > promised", expr.ORDER_NEEDS_NUMBERS, {"op": ">"}),
    ("promised == 1", expr.BOOLEAN_WITH_NUMBER, {"op": "=="}),
    ("calls and promised", expr.NEEDS_BOOLEANS, {"op": "and"}),
    ("__import__('os')", expr.CHARACTER, {"token": "'"}),
    ("", expr.EMPTY, {}),
])
def test_condition_errors(source, code, params):
    parsed = parse_condition(source, KINDS)
    assert parsed.tree is None
    assert (code, {"source": source, **params}) in [(e.code, e.arguments) for e in parsed.errors], parsed.errors


def test_a_condition_problem_reads_as_before():
    (problem,) = parse_condition("promised == 1", KINDS).errors
    assert problem.message == "condition 'promised == 1': '==' compares a true/false value with a number"


def test_docs_example_is_the_tested_fixture():
    docs = (Path(__file__).parents[2] / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    block = docs.split("````markdown\n", 1)[1].split("\n````", 1)[0]
    assert block == EXAMPLE.rstrip("\n")
