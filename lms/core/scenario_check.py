"""Check a scenario as a graph of states: what can go wrong for a learner.

:func:`check_scenario` explores every reachable state (step + variables) up
to a cap and reports unreachable steps, dead ends, cycles with no way out,
links to missing steps, undefined variables and the score range, each
problem a :class:`~lms.core.problems.Problem` with a code defined below. When the cap stops the exploration, what it
could not prove is an error: an ending, or a ``pass:`` rule, that no explored
run reached, or an ending's ``requires:`` that no explored run broke.

It also checks the teaching (:mod:`lms.core.scenario_teaching`): variables no condition
reads, replies the lesson condemns that still pass, and endings whose ``requires:`` a run
breaks. Warnings the author accepted with a marker (:mod:`lms.core.accept`) are listed
apart, in ``accepted``.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .accept import accept, marker_problems
from .problems import WARNING, Problem, define
from .scenario_explore import DEFAULT_MAX_STATES, Analysis, analyse
from .scenario_expr import Value, kind_of, parse_condition
from .scenario_model import ENDING, MOOD, TEXT, Scenario
from .scenario_teaching import CONDEMNED_PASSES, UNUSED_VARIABLE, teaching_problems

UNREACHABLE = define("scenario.unreachable",
                     "step '%(step)s' can never be reached from the start '%(start)s'; link to it or remove it")
DEAD_END_NO_REPLY = define("scenario.dead-end-no-reply", "dead end at step '%(step)s': when %(state)s (mood "
                           "%(mood)s), no reply is offered (reached by %(path)s); add a reply or route for this "
                           "case, e.g. a last route without 'if'")
DEAD_END_NO_ROUTE = define("scenario.dead-end-no-route", "dead end at step '%(step)s': when %(state)s (mood "
                           "%(mood)s), no route condition holds (reached by %(path)s); add a reply or route for "
                           "this case, e.g. a last route without 'if'")
TRAPPED = define("scenario.trapped", "cycle with no way out: steps %(steps)s loop forever when %(state)s (mood "
                 "%(mood)s) (reached by %(path)s); no ending can be reached from there, so add a reply or route "
                 "that leaves the loop")
CAP_HIT = define("scenario.cap-hit", "stopped after exploring %(states)s states, so this check is incomplete "
                 "(unreachable steps are not reported, endings never reached are). Usually a loop keeps changing "
                 "a number (e.g. a reply with 'points+1' that leads back to an earlier step), which makes the "
                 "states endless; limit the loop with a condition such as 'if asked < 3'")
ENDING_NOT_REACHED = define("scenario.ending-not-reached", "ending '%(step)s' was not reached in the %(states)s "
                            "states explored; it may be unreachable. Check the conditions that lead to it, and "
                            "limit loops that keep changing a number (e.g. 'if asked < 3') so the whole scenario "
                            "can be checked")
NEVER_OFFERED = define("scenario.never-offered",
                       "reply '%(reply)s' is never offered: its condition '%(condition)s' is never true")
NEVER_TAKEN = define("scenario.never-taken", "route to '#%(target)s' is never taken: an earlier route always "
                                             "applies or its condition is never true")
UNBOUNDED = define("scenario.unbounded", "competency '%(tag)s' can be earned without limit by repeating a loop; "
                                         "limit the loop with a condition or move the points out of it")
PASS_OUTCOME_UNREACHABLE = define("scenario.pass-outcome-unreachable", "'pass: outcomes' names '%(outcome)s', but "
                                  "no run can reach an ending with that outcome")
PASS_OUTCOME_NOT_REACHED = define("scenario.pass-outcome-not-reached", "'pass: outcomes' names '%(outcome)s', but "
                                  "no run can reach an ending with that outcome in the %(states)s states explored")
MIN_POINTS_UNREACHABLE = define("scenario.min-points-unreachable", "'pass: min_points: %(min_points)s' cannot be "
                                "reached: the best run earns %(best)s points (+%(rubric)s from rubrics)")
MIN_POINTS_NOT_REACHED = define("scenario.min-points-not-reached", "'pass: min_points: %(min_points)s' cannot be "
                                "reached: the best run in the %(states)s states explored earns %(best)s points "
                                "(+%(rubric)s from rubrics)")
NO_RUN_ENDS = define("scenario.no-run-ends", "no run can reach an ending")
NO_RUN_ENDED = define("scenario.no-run-ended", "no run can reach an ending in the %(states)s states explored")


#: the warnings a scenario can have, which a marker may accept
WARNING_CODES = frozenset({NEVER_OFFERED, NEVER_TAKEN, UNBOUNDED, CAP_HIT, UNUSED_VARIABLE, CONDEMNED_PASSES})


def format_state(variables: Mapping[str, Value]) -> str:
    """``promised=true, points=3, ...`` for messages (the mood is a parameter of its own)."""
    return ", ".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in variables.items())


def _mood(variables: Mapping[str, Value]) -> Value:
    return variables.get("experience", 0) - variables.get("expectations", 0)


@dataclass(frozen=True)
class StateExample:
    """A reachable state that shows a problem, with the shortest way there."""

    steps: tuple[str, ...]       # the step ids concerned
    line: int                    # file line of the first of them
    variables: dict[str, Value]
    path: tuple[str, ...]        # step ids from the start to the state

    def to_dict(self) -> dict:
        return {"steps": list(self.steps), "line": self.line, "variables": dict(self.variables),
                "path": list(self.path)}


@dataclass(frozen=True)
class MissingLink:
    step: str
    target: str
    line: int

    def to_dict(self) -> dict:
        return {"step": self.step, "target": self.target, "line": self.line}


@dataclass(frozen=True)
class UndefinedName:
    name: str
    line: int

    def to_dict(self) -> dict:
        return {"name": self.name, "line": self.line}


@dataclass(frozen=True)
class CheckReport:
    """The result of :func:`check_scenario`; ``ok`` when there are no errors.

    ``best_points``/``worst_points`` are the points over all complete runs
    (choices only; free-text rubric points come at review, and
    ``text_points_max`` is their total). ``competency_max`` maps each tag to
    the most a run can earn (None: unlimited, via a loop). When ``cap_hit``,
    the exploration stopped early and the figures are incomplete; endings and
    ``pass:`` rules not reached within the cap are then errors.
    """

    path: str
    steps: int
    endings: int
    replies: int
    free_text_steps: int
    reachable_outcomes: tuple[str, ...]
    unreachable_steps: tuple[str, ...]
    dead_ends: tuple[StateExample, ...]
    trapped_cycles: tuple[StateExample, ...]
    missing_links: tuple[MissingLink, ...]
    undefined_variables: tuple[UndefinedName, ...]
    best_points: Value | None
    worst_points: Value | None
    text_points_max: Value
    best_path: tuple[str, ...]
    competency_max: dict[str, Value | None]
    explored_states: int
    max_states: int
    cap_hit: bool
    errors: tuple[Problem, ...] = field(default=())
    warnings: tuple[Problem, ...] = field(default=())
    accepted: tuple[Problem, ...] = field(default=())
    """Warnings the author accepted with a marker: listed, but never failing a check."""

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON data; ``errors``, ``warnings`` and ``accepted`` (warnings the author accepted)
        are ``{"code", "line", "message"}`` objects."""
        return {
            "path": self.path, "ok": self.ok,
            "steps": self.steps, "endings": self.endings, "replies": self.replies,
            "free_text_steps": self.free_text_steps,
            "reachable_outcomes": list(self.reachable_outcomes),
            "unreachable_steps": list(self.unreachable_steps),
            "dead_ends": [d.to_dict() for d in self.dead_ends],
            "trapped_cycles": [c.to_dict() for c in self.trapped_cycles],
            "missing_links": [m.to_dict() for m in self.missing_links],
            "undefined_variables": [u.to_dict() for u in self.undefined_variables],
            "best_points": self.best_points, "worst_points": self.worst_points,
            "text_points_max": self.text_points_max,
            "best_path": list(self.best_path),
            "competency_max": dict(self.competency_max),
            "explored_states": self.explored_states, "max_states": self.max_states, "cap_hit": self.cap_hit,
            "errors": [_entry(p) for p in self.errors],
            "warnings": [_entry(p) for p in self.warnings],
            "accepted": [_entry(p) for p in self.accepted],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def _entry(problem: Problem) -> dict[str, Any]:
    """A problem in the report: its code, line and English message (the CLI words it in its language)."""
    return {"code": problem.code, "line": problem.line, "message": problem.message}


def _arrow(path: list[str] | tuple[str, ...]) -> str:
    return " → ".join(path)


def check_scenario(scenario: Scenario, *, max_states: int = DEFAULT_MAX_STATES) -> CheckReport:
    """Check ``scenario`` (parse problems included) as a graph of states."""
    analysis: Analysis = analyse(scenario, max_states)
    ex = analysis.exploration
    path = scenario.path
    errors: list[Problem] = list(scenario.problems)
    warnings: list[Problem] = []
    ids = {s.id for s in scenario.steps}

    missing = tuple(
        MissingLink(s.id, link.target, link.line)
        for s in scenario.steps for link in s.links if link.target not in ids
    )
    kinds = {name: kind_of(v) or "number" for name, v in scenario.variables.items()}
    kinds[MOOD] = "number"
    undefined = []
    for s in scenario.steps:
        conditions = [(link.condition, link.line) for link in s.links]
        if s.requires is not None:
            conditions.append((s.requires.condition, s.requires.line))
        for condition, line in conditions:
            if condition is not None and condition.source:
                for name in parse_condition(condition.source, kinds).undefined:
                    undefined.append(UndefinedName(name, line))

    reached = {sid for sid, _ in ex.states}
    unreachable: tuple[str, ...] = ()
    if not ex.cap_hit and ex.states:
        unreachable = tuple(s.id for s in scenario.steps if s.id not in reached)
        for sid in unreachable:
            step = scenario.known_step(sid)
            errors.append(Problem.of(path, step.line, UNREACHABLE, step=sid, start=scenario.start))

    # Dead ends: a reachable non-ending state with no move at all. (A step
    # that has no replies or routes at all was reported by the parser.)
    dead: dict[str, StateExample] = {}
    for i, (sid, _) in enumerate(ex.states):
        step = scenario.known_step(sid)
        if step.kind == ENDING or ex.edges[i] or i in ex.truncated or sid in dead:
            continue
        if not step.replies and not step.routes:
            continue
        dead[sid] = StateExample((sid,), step.line, ex.variables(i), tuple(ex.step_path(i)))
    for d in dead.values():
        step = scenario.known_step(d.steps[0])
        errors.append(Problem.of(path, d.line, DEAD_END_NO_REPLY if step.replies else DEAD_END_NO_ROUTE,
                                 step=d.steps[0], state=format_state(d.variables), mood=_mood(d.variables),
                                 path=_arrow(d.path)))

    # Cycles with no way out: a closed group of states (no move leaves it)
    # that goes round in a loop and holds no ending.
    trapped: list[StateExample] = []
    seen_cycles: set[tuple[str, ...]] = set()
    for comp in analysis.components:
        if comp[0] in analysis.can_end:
            continue
        members = set(comp)
        internal = [(u, v) for u in comp for v, _, _ in ex.edges[u] if v in members]
        leaves = any(v >= 0 and v not in members for u in comp for v, _, _ in ex.edges[u])
        if not internal or leaves:
            continue
        first = min(comp, key=lambda i: (ex.depth[i], i))
        step_ids = tuple(dict.fromkeys(ex.states[i][0] for i in sorted(comp, key=lambda i: (ex.depth[i], i))))
        if step_ids in seen_cycles:
            continue
        seen_cycles.add(step_ids)
        line = scenario.known_step(step_ids[0]).line
        example = StateExample(step_ids, line, ex.variables(first), tuple(ex.step_path(first)))
        trapped.append(example)
        errors.append(Problem.of(path, line, TRAPPED, steps=", ".join(f"'{s}'" for s in step_ids),
                                 state=format_state(example.variables), mood=_mood(example.variables),
                                 path=_arrow(example.path)))

    if ex.cap_hit:
        warnings.append(Problem.warning(path, 0, CAP_HIT, states=max_states))
        # What the check could not prove must not pass: an ending no explored run reached may be unreachable.
        for step in scenario.endings:
            if step.id not in reached:
                errors.append(Problem.of(path, step.line, ENDING_NOT_REACHED, step=step.id, states=max_states))
    elif ex.states:
        used: set[tuple[str, str]] = set()
        used_routes: set[int] = set()
        for i, succ in enumerate(ex.edges):
            for _, action, link in succ:
                used.add((ex.states[i][0], action))
                used_routes.add(id(link))
        for s in scenario.steps:
            if s.id not in reached:
                continue
            for r in s.replies:
                if (s.id, r.id) not in used:
                    warnings.append(Problem.warning(path, r.line, NEVER_OFFERED, reply=r.text,
                                                    condition=r.condition.source if r.condition else ""))
            for route in s.routes:
                if id(route) not in used_routes:
                    warnings.append(Problem.warning(path, route.line, NEVER_TAKEN, target=route.target))

    for tag, line in analysis.unbounded_at.items():
        warnings.append(Problem.warning(path, line, UNBOUNDED, tag=tag))

    reachable_outcomes = tuple(sorted({scenario.known_step(ex.states[i][0]).outcome or "" for i in analysis.endings}))
    text_points_max = sum(item.points for s in scenario.steps if s.kind == TEXT for item in s.rubric)
    rule = scenario.pass_rule
    # With the cap hit, "cannot" means "no explored run did": the author must bound the loop to prove otherwise.
    capped: dict[str, Any] = {"states": max_states} if ex.cap_hit else {}
    if ex.states and scenario.endings:
        if rule.outcomes is not None:
            for outcome in rule.outcomes:
                if outcome not in reachable_outcomes and any(s.outcome == outcome for s in scenario.endings):
                    errors.append(Problem.of(path, rule.line, PASS_OUTCOME_NOT_REACHED if capped
                                             else PASS_OUTCOME_UNREACHABLE, outcome=outcome, **capped))
        if rule.min_points is not None and analysis.best_points is not None \
                and rule.min_points > analysis.best_points + text_points_max:
            errors.append(Problem.of(path, rule.line, MIN_POINTS_NOT_REACHED if capped else MIN_POINTS_UNREACHABLE,
                                     min_points=rule.min_points, best=analysis.best_points,
                                     rubric=text_points_max, **capped))
        if not analysis.endings and not trapped and not dead:
            errors.append(Problem.of(path, 1, NO_RUN_ENDED if capped else NO_RUN_ENDS, **capped))

    if not scenario.problems:  # a scenario that parses: what it teaches
        teaching = teaching_problems(scenario, analysis, max_states)
        errors.extend(p for p in teaching if p.severity != WARNING)
        warnings.extend(p for p in teaching if p.severity == WARNING)
    warnings.extend(marker_problems(path, scenario.accepts, WARNING_CODES))
    warnings = accept(warnings, scenario.accepts)

    return CheckReport(
        path=path,
        steps=len(scenario.steps),
        endings=len(scenario.endings),
        replies=sum(len(s.replies) for s in scenario.steps),
        free_text_steps=sum(1 for s in scenario.steps if s.kind == TEXT),
        reachable_outcomes=reachable_outcomes,
        unreachable_steps=unreachable,
        dead_ends=tuple(dead.values()),
        trapped_cycles=tuple(trapped),
        missing_links=missing,
        undefined_variables=tuple(undefined),
        best_points=analysis.best_points,
        worst_points=analysis.worst_points,
        text_points_max=text_points_max,
        best_path=tuple(analysis.best_path),
        competency_max=dict(analysis.competency_max),
        explored_states=len(ex.states),
        max_states=max_states,
        cap_hit=ex.cap_hit,
        errors=tuple(sorted(set(errors))),
        warnings=tuple(sorted({w for w in warnings if not w.accepted})),
        accepted=tuple(sorted({w for w in warnings if w.accepted})),
    )
