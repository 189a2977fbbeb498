"""A role-play's file: a branching dialogue, parsed and checked as a graph (pure)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core.activities import ParsedActivity, link_target
from ...core.frontmatter import Document
from ...core.problems import Problem
from ...core.render import Rendered, render_markdown
from ...core.scenario import TEXT, Scenario, check_scenario, parse_scenario_document
from ...core.scenario_explore import outline

#: exploring the state space is the slow part: the same text gives the same answer
_CHECKS: dict[tuple[str, str], tuple[tuple[Problem, ...], tuple[Problem, ...]]] = {}
_DATA: dict[tuple[str, str], dict[str, Any]] = {}
MEMO_SIZE = 256


def _remember(memo: dict, key: tuple, value: Any) -> Any:
    memo[key] = value
    if len(memo) > MEMO_SIZE:
        memo.pop(next(iter(memo)))
    return value


def parse_scenario(doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
    scenario, problems = parse_scenario_document(doc, doc.source or None)
    problems = list(problems)
    warnings: tuple[Problem, ...] = ()
    key = (doc.path, doc.source)
    if not problems:
        checked = _CHECKS.get(key)
        if checked is None:
            report = check_scenario(scenario)
            # accepted warnings travel with the others, marked: listed, but never failing --strict
            checked = _remember(_CHECKS, key, (tuple(report.errors), (*report.warnings, *report.accepted)))
        errors, warnings = checked
        problems.extend(errors)
    data = _DATA.get(key)
    if data is None:
        # the outline (best points per competency...) travels with the data: the dashboard reads it
        data = _remember(_DATA, key, {**scenario.to_dict(), "outline": outline(scenario)})
    data = dict(data)
    data["html"] = {
        step.id: {
            "lines": [render_markdown(line.text).html for line in step.lines],
            "prompt": render_markdown(step.prompt).html if step.prompt else "",
            "debrief": render_markdown(step.debrief).html if step.debrief else "",
        }
        for step in scenario.steps
    }
    data["intro_html"] = render_markdown(scenario.intro).html if scenario.intro else ""
    data["lesson_links"] = {
        tag: link_target(render, competency.lesson) for tag, competency in scenario.competencies.items()
        if competency.lesson
    }
    minutes = doc.meta.get("minutes") if isinstance(doc.meta.get("minutes"), int) else None
    return ParsedActivity(title=scenario.title, data=data, minutes=minutes, problems=problems,
                          warnings=list(warnings), measures=measures_of(scenario))


def measures_of(scenario: Scenario) -> dict[str, int]:
    """What a course's rules can count in a role-play."""
    endings = scenario.endings
    return {
        "steps": len(scenario.steps) - len(endings),
        "endings": len(endings),
        "conditions": sum(1 for s in scenario.steps for link in s.links if link.condition),
        "free_text_rubrics": sum(1 for s in scenario.steps if s.kind == TEXT and s.rubric),
    }
