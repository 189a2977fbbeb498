"""Checks of a scenario's teaching, not its structure (pure): what a role-play rewards.

They read the exploration of every reachable state (:mod:`lms.core.scenario_explore`) that
:func:`lms.core.scenario_check.check_scenario` has already made, so they cost one pass over
its states and links.

- ``unused-variable`` (warning): a declared variable that no condition reads (a reply's or
  route's ``if``, an ending's ``requires:``): whatever sets it changes nothing a learner meets.
  The built-in ``expectations``, ``experience`` (the mood) and ``points`` are read by the
  engine and never reported.
- ``condemned-reply-passes`` (warning): a reply that lowers a competency (``promises-2``) from
  which some run still ends with the scenario passed. "Passed" is the engine's rule
  (:class:`~lms.core.scenario_model.PassRule`): the ending's outcome is one of ``pass:
  outcomes`` and the points reach ``pass: min_points``, counting, as the best case, every
  free-text rubric of the scenario in full (as the ``min_points`` check does). The message
  counts the runs that take the reply and how many of them pass (a run is a path through
  the states; a loop makes them endless, so counts stop at :data:`RUN_CAP`) and shows one.
- ``requirement-violated`` (error): a run reaches an ending whose ``requires:`` condition it
  does not satisfy; the message gives the values the condition reads and the run.
  ``requirement-not-proven`` (error): the exploration stopped at its cap before any run broke
  the requirement, so it is not proven (what the checker cannot prove must not pass).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping

from .problems import Problem, define
from .scenario_explore import Analysis, competency_gains
from .scenario_expr import NUM, Node, Value, kind_of, parse_condition
from .scenario_model import BUILTIN_VARIABLES, MOOD, TEXT, Condition, Reply, Scenario

UNUSED_VARIABLE = define("unused-variable", "no condition reads variable '%(name)s', so whatever sets it changes "
                                            "nothing a learner meets; use it in an 'if' (or in an ending's "
                                            "'requires:'), or remove it")
CONDEMNED_PASSES = define("condemned-reply-passes", "the reply at line %(line)s lowers %(lowers)s, yet %(passing)s "
                          "of the %(runs)s runs that take it still pass the scenario, e.g. %(path)s; make this "
                          "choice lead to an ending that does not pass, or accept the warning if passing is right")
REQUIREMENT_VIOLATED = define("requirement-violated", "ending '%(step)s' requires '%(condition)s', but a run reaches "
                              "it with %(values)s: %(path)s; make such runs end elsewhere (a condition on a reply "
                              "or route on the way), or correct 'requires:'")
REQUIREMENT_NOT_PROVEN = define("requirement-not-proven", "ending '%(step)s' requires '%(condition)s': no run in the "
                                "%(states)s states explored breaks it, but the exploration stopped early, so it is "
                                "not proven; limit loops that keep changing a number (e.g. 'if asked < 3') so the "
                                "whole scenario can be checked")

#: runs are counted up to this many (a loop makes them endless)
RUN_CAP = 1000


def teaching_problems(scenario: Scenario, analysis: Analysis, max_states: int) -> list[Problem]:
    """The problems of the checks above, for a scenario that parses and its explored states."""
    return [*unused_variables(scenario), *condemned_replies(scenario, analysis),
            *broken_requirements(scenario, analysis, max_states)]


# -- unused-variable ------------------------------------------------------------------------

def _tree_names(node: Node) -> Iterator[str]:
    if node[0] == "var":
        yield node[1]
    elif node[0] in ("not", "and", "or"):
        for child in node[1:]:
            yield from _tree_names(child)
    elif node[0] == "cmp":
        yield from _tree_names(node[2])
        yield from _tree_names(node[3])


def condition_names(condition: Condition | None, kinds: Mapping[str, str]) -> list[str]:
    """The names ``condition`` reads, in order (a broken one is read again for the names it has)."""
    if condition is None:
        return []
    if condition.tree is not None:
        return list(dict.fromkeys(_tree_names(condition.tree)))
    return sorted(parse_condition(condition.source, kinds).names) if condition.source else []


def _kinds(scenario: Scenario) -> dict[str, str]:
    kinds = {name: kind_of(value) or NUM for name, value in scenario.variables.items()}
    kinds[MOOD] = NUM
    return kinds


def unused_variables(scenario: Scenario) -> list[Problem]:
    kinds = _kinds(scenario)
    read: set[str] = set()
    first_set: dict[str, int] = {}
    for step in scenario.steps:
        for link in step.links:
            read.update(condition_names(link.condition, kinds))
            for effect in link.effects:
                first_set.setdefault(effect.name, link.line)
        if step.requires is not None:
            read.update(condition_names(step.requires.condition, kinds))
    return [
        Problem.warning(scenario.path, scenario.variable_lines.get(name) or first_set.get(name, 1), UNUSED_VARIABLE,
                        name=name)
        for name in scenario.variables if name not in BUILTIN_VARIABLES and name not in read
    ]


# -- condemned-reply-passes -----------------------------------------------------------------

def passing_endings(scenario: Scenario, analysis: Analysis) -> set[int]:
    """The explored ending states whose run passes, rubric points counted in full (the best case)."""
    ex = analysis.exploration
    rule = scenario.pass_rule
    rubric = sum(item.points for s in scenario.steps if s.kind == TEXT for item in s.rubric)
    points_at = ex.names.index("points")
    found = set()
    for i in analysis.endings:
        if not rule.outcome_ok(scenario.known_step(ex.states[i][0]).outcome):
            continue
        if rule.min_points is not None and ex.states[i][1][points_at] + rubric < rule.min_points:
            continue
        found.add(i)
    return found


class _Runs:
    """How many runs (paths through the states) lead from the start to each state (``start``), and from
    each state to a passing ending (``to_pass``) and to any ending (``to_end``). A loop on the way makes
    them endless: counts stop at :data:`RUN_CAP`. One pass over the components each way."""

    def __init__(self, analysis: Analysis, passing: set[int]):
        edges = analysis.exploration.edges
        components = analysis.components  # sinks first
        n = len(edges)
        comp_of = [0] * n
        for c, comp in enumerate(components):
            for v in comp:
                comp_of[v] = c
        endings = set(analysis.endings)
        to_pass, to_end = [0] * n, [0] * n
        for c, comp in enumerate(components):
            p = e = 0
            looped = len(comp) > 1
            for v in comp:
                p += v in passing
                e += v in endings
                for w, _, _ in edges[v]:
                    if w < 0:
                        continue
                    if comp_of[w] == c:
                        looped = True
                    else:
                        p += to_pass[w]
                        e += to_end[w]
            if looped:  # a cycle: endless runs, if any leads on
                p, e = (RUN_CAP if p else 0), (RUN_CAP if e else 0)
            for v in comp:
                to_pass[v], to_end[v] = min(p, RUN_CAP), min(e, RUN_CAP)
        start, incoming = [0] * n, [0] * n
        if n:
            incoming[0] = 1
        for c in range(len(components) - 1, -1, -1):  # sources first
            comp = components[c]
            if len(comp) > 1 or any(w == comp[0] for w, _, _ in edges[comp[0]]):  # a cycle: endless runs
                came = RUN_CAP if any(incoming[v] for v in comp) else 0
                for v in comp:
                    start[v] = came
            else:
                start[comp[0]] = min(incoming[comp[0]], RUN_CAP)
            for v in comp:
                for w, _, _ in edges[v]:
                    if w >= 0 and comp_of[w] != c:
                        incoming[w] = min(incoming[w] + start[v], RUN_CAP)
        self.start, self.to_pass, self.to_end = start, to_pass, to_end


def _on_to_passing(analysis: Analysis, state: int, runs: _Runs, passing: set[int]) -> list[str]:
    """Step ids from ``state`` to the nearest passing ending (searching only states that lead to one)."""
    ex = analysis.exploration
    came_from: dict[int, int] = {state: -1}
    queue = deque([state])
    while queue:
        u = queue.popleft()
        if u in passing:
            path = []
            while u != -1:
                path.append(ex.states[u][0])
                u = came_from[u]
            return path[::-1]
        for w, _, _ in ex.edges[u]:
            if w >= 0 and w not in came_from and runs.to_pass[w]:
                came_from[w] = u
                queue.append(w)
    return [ex.states[state][0]]  # not reached: to_pass said there is a way


def _shown(count: int, at_least: bool) -> str:
    return f"≥ {count}" if at_least or count >= RUN_CAP else str(count)


def condemned_replies(scenario: Scenario, analysis: Analysis) -> list[Problem]:
    ex = analysis.exploration
    lowering = {id(r): r for s in scenario.steps for r in s.replies if any(v < 0 for v in competency_gains(r).values())}
    if not lowering or not ex.states:
        return []
    taken: dict[int, list[tuple[int, int]]] = {}
    for u, succ in enumerate(ex.edges):
        for v, _, link in succ:
            if v >= 0 and id(link) in lowering:
                taken.setdefault(id(link), []).append((u, v))
    passing = passing_endings(scenario, analysis)
    if not passing or not taken:
        return []
    runs = _Runs(analysis, passing)
    found = []
    for key, edges in taken.items():
        reply: Reply = lowering[key]
        passes = min(sum(runs.start[u] * runs.to_pass[v] for u, v in edges), RUN_CAP)
        if not passes:
            continue
        total = min(sum(runs.start[u] * runs.to_end[v] for u, v in edges), RUN_CAP)
        u, v = min(((u, v) for u, v in edges if runs.to_pass[v]), key=lambda e: (ex.depth[e[0]], e[0]))
        path = ex.step_path(u) + _on_to_passing(analysis, v, runs, passing)
        gains = competency_gains(reply)
        lowers = ", ".join(str(e) for e in reply.effects if e.competency and gains.get(e.name, 0) < 0)
        found.append(Problem.warning(scenario.path, reply.line, CONDEMNED_PASSES, line=reply.line, lowers=lowers,
                                     passing=_shown(passes, ex.cap_hit), runs=_shown(total, ex.cap_hit),
                                     path=" → ".join(path)))
    return found


# -- requirement-violated -------------------------------------------------------------------

def _value(variables: Mapping[str, Value], name: str) -> str:
    value = variables[name] if name in variables else (
        variables.get("experience", 0) - variables.get("expectations", 0) if name == MOOD else "?")
    return str(value).lower() if isinstance(value, bool) else str(value)


def broken_requirements(scenario: Scenario, analysis: Analysis, max_states: int) -> list[Problem]:
    ex = analysis.exploration
    kinds = _kinds(scenario)
    found = []
    for step in scenario.endings:
        requirement = step.requires
        if requirement is None or requirement.condition.tree is None:
            continue  # none, or a condition the parser reported
        condition = requirement.condition
        broken = [i for i in analysis.endings if ex.states[i][0] == step.id and not condition.holds(ex.variables(i))]
        if broken:
            i = min(broken, key=lambda i: (ex.depth[i], i))
            variables = ex.variables(i)
            values = ", ".join(f"{name}={_value(variables, name)}" for name in condition_names(condition, kinds))
            found.append(Problem.of(scenario.path, requirement.line, REQUIREMENT_VIOLATED, step=step.id,
                                    condition=condition.source, values=values, path=" → ".join(ex.step_path(i))))
        elif ex.cap_hit:
            found.append(Problem.of(scenario.path, requirement.line, REQUIREMENT_NOT_PROVEN, step=step.id,
                                    condition=condition.source, states=max_states))
    return found
