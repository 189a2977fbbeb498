"""Checking scenarios as a graph of states (step + variables)."""
from __future__ import annotations

import json
from pathlib import Path

from lms.core import scenario_check as checks
from lms.core.problems import WARNING
from lms.core.scenario import CheckReport, check_scenario, parse_scenario

DATA = Path(__file__).parent / "data"
EXAMPLE = (DATA / "scenario_proposal.md").read_text(encoding="utf-8")


def check(text: str, **kwargs) -> CheckReport:
    scenario, _ = parse_scenario(text, "s.md")
    return check_scenario(scenario, **kwargs)


def line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def errors(report: CheckReport) -> list[str]:
    return [str(p) for p in report.errors]


def test_example_is_clean_and_reports_the_score_range():
    report = check(EXAMPLE)
    assert report.ok, report.errors
    assert report.warnings == ()
    assert (report.steps, report.endings, report.replies, report.free_text_steps) == (15, 4, 17, 1)
    assert report.reachable_outcomes == ("lost", "loyal", "one-off", "recommends")
    assert report.best_points == 9
    assert report.worst_points == 0
    assert report.text_points_max == 4
    assert report.best_path == ("request", "needs", "afternoon", "check", "kept", "recommends")
    assert report.competency_max == {"needs": 2, "promises": 3, "speed": 1, "complaints": 2, "exceeding": 2}
    assert not report.cap_hit
    assert 0 < report.explored_states < 100


def test_report_to_json():
    data = json.loads(check(EXAMPLE).to_json())
    assert data["ok"] is True
    assert data["best_path"][-1] == "recommends"
    assert data["unreachable_steps"] == [] and data["dead_ends"] == [] and data["trapped_cycles"] == []


def test_unreachable_step():
    text = "## A {#a}\n- [go](#end)\n\n## Lonely {#lonely}\n- [go](#end)\n\n## End {#end}\noutcome: ok\n"
    report = check(text)
    assert report.unreachable_steps == ("lonely",)
    assert errors(report) == ["s.md:4: step 'lonely' can never be reached from the start 'a'; link to it or remove it"]


def test_dead_end_only_in_some_state():
    text = """---
variables:
  promised: false
---
## Ask {#ask}
- [I'll send it by 3 pm](#later) promised=true
- [We'll see](#later)

## Later {#later}
**Customer:** So?

- [Here it is, as promised](#end) if promised

## End {#end}
outcome: ok
"""
    report = check(text)
    assert len(report.dead_ends) == 1
    dead = report.dead_ends[0]
    assert dead.steps == ("later",)
    assert dead.variables["promised"] is False
    assert dead.path == ("ask", "later")
    assert errors(report) == [
        f"s.md:{line_of(text, '{#later}')}: dead end at step 'later': when expectations=0, experience=0, points=0, "
        "promised=false (mood 0), no reply is offered (reached by ask → later); add a reply or route for this "
        "case, e.g. a last route without 'if'"]


def test_dead_end_at_routing_step():
    text = "---\nvariables: {calls: 0}\n---\n## A {#a}\n- [x](#r)\n\n## R {#r}\n-> #end if calls > 0\n\n## End {#end}\noutcome: ok\n"
    report = check(text)
    assert [d.steps for d in report.dead_ends] == [("r",)]
    assert "no route condition holds" in errors(report)[0]


def test_link_to_missing_step():
    text = "## A {#a}\n- [x](#end)\n- [y](#nowhere)\n\n## End {#end}\noutcome: ok\n"
    report = check(text)
    assert [(m.step, m.target, m.line) for m in report.missing_links] == [("a", "nowhere", 3)]
    assert errors(report) == ["s.md:3: link to '#nowhere', but no step has that id"]


def test_cycle_with_no_way_out():
    text = """## Start {#start}
- [Finish](#end)
- [Chat](#chat)

## Chat {#chat}
**Customer:** Tell me more.

- [More](#more)

## More {#more}
- [Back](#chat)

## End {#end}
outcome: ok
"""
    report = check(text)
    assert len(report.trapped_cycles) == 1
    cycle = report.trapped_cycles[0]
    assert cycle.steps == ("chat", "more")
    assert cycle.path == ("start", "chat")
    assert errors(report) == [
        f"s.md:{line_of(text, '{#chat}')}: cycle with no way out: steps 'chat', 'more' loop forever when "
        "expectations=0, experience=0, points=0 (mood 0) (reached by start → chat); no ending can be reached "
        "from there, so add a reply or route that leaves the loop"]


def test_routes_looping_without_input_are_a_trap():
    text = "## A {#a}\n- [x](#r1)\n- [y](#end)\n\n## R1 {#r1}\n-> #r2\n\n## R2 {#r2}\n-> #r1\n\n## End {#end}\noutcome: ok\n"
    report = check(text)
    assert [c.steps for c in report.trapped_cycles] == [("r1", "r2")]


def test_loop_that_can_be_left_is_fine():
    text = "## A {#a}\n- [Again](#a)\n- [Stop](#end)\n\n## End {#end}\noutcome: ok\n"
    report = check(text)
    assert report.ok
    assert report.trapped_cycles == ()


def test_trap_only_in_some_state():
    text = """---
variables: {angry: false}
---
## A {#a}
- [Be rude](#b) angry=true
- [Be nice](#b)

## B {#b}
- [Calm down](#c) if angry
- [Leave](#end) if not angry

## C {#c}
- [Try again](#b)

## End {#end}
outcome: ok
"""
    report = check(text)
    assert [(c.steps, c.variables["angry"]) for c in report.trapped_cycles] == [(("b", "c"), True)]


def test_undefined_variables_are_listed():
    text = "## A {#a}\n- [x](#end) if promise\n- [y](#end) if calls > 1 or promise\n\n## End {#end}\noutcome: ok\n"
    report = check(text)
    assert [(u.name, u.line) for u in report.undefined_variables] == [("promise", 2), ("calls", 3), ("promise", 3)]
    assert not report.ok
    assert any("s.md:2: condition 'promise' uses 'promise', which is not declared" in e for e in errors(report))


def test_counter_loop_hits_the_state_cap():
    text = "## A {#a}\n- [Again](#a) points+1\n- [Stop](#end)\n\n## End {#end}\noutcome: ok\n"
    report = check(text, max_states=50)
    assert report.cap_hit
    assert report.explored_states == 50
    assert report.ok  # incomplete, not wrong: a warning
    assert report.unreachable_steps == ()
    (warning,) = report.warnings
    assert (warning.code, warning.line, warning.severity, warning.arguments) == (checks.CAP_HIT, 0, WARNING, {"states": 50})
    assert str(warning).startswith("s.md:0: warning: stopped after exploring 50 states, so this check is incomplete")
    assert "if asked < 3" in warning.message


def test_bounded_counter_loop_is_explored_fully():
    text = """---
variables: {asked: 0}
---
## A {#a}
- [Ask again](#a) asked+1 points+1 needs+1 if asked < 3
- [Stop](#end)

## End {#end}
outcome: ok
"""
    report = check(text)
    assert not report.cap_hit
    assert report.ok
    assert report.best_points == 3 and report.worst_points == 0
    assert report.competency_max == {"needs": 3}


def test_competency_earned_in_an_endless_loop_is_unbounded():
    text = "## A {#a}\n- [Ask](#a) needs+1\n- [Stop](#end)\n\n## End {#end}\noutcome: ok\n"
    report = check(text)
    assert report.competency_max == {"needs": None}
    assert [(w.line, w.code, w.arguments) for w in report.warnings] == [(2, checks.UNBOUNDED, {"tag": "needs"})]
    assert report.warnings[0].message == ("competency 'needs' can be earned without limit by repeating a loop; "
                                          "limit the loop with a condition or move the points out of it")


def test_competency_max_takes_the_best_branch_not_the_best_points_path():
    text = """## A {#a}
- [Fast](#end) points+5 speed+1
- [Careful](#b) points+1 needs+2

## B {#b}
- [Ask more](#end) needs+1

## End {#end}
outcome: ok
"""
    report = check(text)
    assert report.best_path == ("a", "end")
    assert report.competency_max == {"speed": 1, "needs": 3}


def test_reply_never_offered_and_route_never_taken_are_warnings():
    text = """---
variables: {promised: false}
---
## A {#a}
- [x](#r)
- [Never](#end) if promised

## R {#r}
-> #end
-> #a

## End {#end}
outcome: ok
"""
    report = check(text)
    assert report.ok
    assert [(w.line, w.code, w.severity) for w in report.warnings] == [
        (6, checks.NEVER_OFFERED, WARNING), (10, checks.NEVER_TAKEN, WARNING)]
    assert [str(w) for w in report.warnings] == [
        "s.md:6: warning: reply 'Never' is never offered: its condition 'promised' is never true",
        "s.md:10: warning: route to '#a' is never taken: an earlier route always applies or its condition is never "
        "true",
    ]


def test_unreachable_pass_rule():
    text = """---
pass: {min_points: 10, outcomes: [won]}
---
## A {#a}
- [x](#lost) points+2

## Won {#won}
outcome: won

## Lost {#lost}
outcome: lost
"""
    report = check(text)
    assert "s.md:2: 'pass: outcomes' names 'won', but no run can reach an ending with that outcome" in errors(report)
    assert ("s.md:2: 'pass: min_points: 10' cannot be reached: the best run earns 2 points (+0 from rubrics)"
            in errors(report))
    assert "s.md:7: step 'won' can never be reached from the start 'a'; link to it or remove it" in errors(report)


def test_parse_problems_are_part_of_the_report():
    report = check("## A {#a}\n- [x](#a) bogus\n")
    assert "s.md:1: the scenario has no ending; mark at least one step with a line 'outcome: name' " \
           "(e.g. 'outcome: loyal')" in errors(report)
    assert any(e.startswith("s.md:2: unknown name 'bogus'") or e.startswith("s.md:2: unknown effect 'bogus'")
               for e in errors(report))
