"""Role-play scenarios: parse, check and play (pure Python).

A scenario is a Markdown script of steps: what the customer says and the
learner's replies, each leading to another step and changing named state
(expectations, experience, points, flags such as a promise made). See
``docs/scenario-format.md`` for the authoring format.

Public API::

    scenario, problems = parse_scenario(text, path)
    report = check_scenario(scenario)           # graph check, report.to_json()
    state = start_state(scenario)               # RunState, .to_dict()/.from_dict()
    step = view(scenario, state)                # StepView for the player
    state = choose(scenario, state, reply_id, expected_step=step.step_id)
    state = submit_text(scenario, state, text, expected_step=step.step_id)
    result = summary(scenario, state)           # RunSummary
    best_path(scenario)                         # step ids of the best run

The implementation lives in ``scenario_*`` modules; import from here.
"""
from __future__ import annotations

from .scenario_check import CheckReport, MissingLink, StateExample, UndefinedName, check_scenario
from .scenario_engine import (
    MAX_TEXT_LENGTH,
    CompetencyScore,
    InvalidMove,
    ReplyView,
    RunState,
    RunSummary,
    ScenarioError,
    StepRef,
    StepView,
    best_path,
    choose,
    start_state,
    submit_text,
    summary,
    view,
)
from .scenario_explore import DEFAULT_MAX_STATES
from .scenario_front import SCENARIO_KEYS
from .scenario_model import (
    BUILTIN_VARIABLES,
    CHOICE,
    ENDING,
    ROUTE,
    STANDARD_COMPETENCIES,
    TEXT,
    Competency,
    Condition,
    Effect,
    Line,
    PassRule,
    Reply,
    Route,
    RubricItem,
    Scenario,
    Step,
)
from .scenario_parse import parse_scenario, parse_scenario_document

__all__ = [
    "BUILTIN_VARIABLES", "CHOICE", "DEFAULT_MAX_STATES", "ENDING", "MAX_TEXT_LENGTH", "ROUTE",
    "SCENARIO_KEYS", "STANDARD_COMPETENCIES", "TEXT",
    "CheckReport", "Competency", "CompetencyScore", "Condition", "Effect", "InvalidMove", "Line",
    "MissingLink", "PassRule", "Reply", "ReplyView", "Route", "RubricItem", "RunState", "RunSummary",
    "Scenario", "ScenarioError", "StateExample", "Step", "StepRef", "StepView", "UndefinedName",
    "best_path", "check_scenario", "choose", "parse_scenario", "parse_scenario_document",
    "start_state", "submit_text", "summary", "view",
]
