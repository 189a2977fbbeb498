"""The rules of a run, and a bounded exploration of every reachable state.

A *state* is the current step plus the value of every variable. The rules
(:func:`transitions`, :func:`apply_effects`) are shared by the engine and the
checker, so what the checker proves is what a learner meets.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .scenario_expr import Value
from .scenario_model import CHOICE, ENDING, ROUTE, TEXT, Effect, Reply, Route, Scenario, Step

DEFAULT_MAX_STATES = 100_000
AUTO = "auto"   # path marker of a step left by an automatic route
WROTE = "text"  # path marker of a free-text step left after writing

Link = Reply | Route
StateKey = tuple[str, tuple[Value, ...]]


def apply_effects(
    variables: Mapping[str, Value], competencies: Mapping[str, Value], effects: tuple[Effect, ...]
) -> tuple[dict[str, Value], dict[str, Value]]:
    """New variables and competency points after ``effects`` (inputs untouched)."""
    new_vars, new_comps = dict(variables), dict(competencies)
    for e in effects:
        target = new_comps if e.competency else new_vars
        if e.op == "=":
            target[e.name] = e.value
        else:
            current = target.get(e.name, 0)
            if isinstance(current, bool):  # cannot happen for a parsed scenario
                continue
            target[e.name] = current + e.value if e.op == "+" else current - e.value
    return new_vars, new_comps


def transitions(step: Step, variables: Mapping[str, Value]) -> list[tuple[str, Link]]:
    """The moves available at ``step`` in state ``variables``: (action, link).

    A choice step offers every reply whose condition holds (action = reply
    id). A routing or free-text step takes the first route whose condition
    holds (action ``"auto"`` or ``"text"``). An ending offers nothing.
    """
    if step.kind == CHOICE:
        return [(r.id, r) for r in step.replies if r.available(variables)]
    if step.kind in (ROUTE, TEXT):
        for route in step.routes:
            if route.available(variables):
                return [(AUTO if step.kind == ROUTE else WROTE, route)]
        return []
    return []


def competency_gains(link: Link) -> dict[str, Value]:
    gains: dict[str, Value] = {}
    for e in link.effects:
        if e.competency:
            gains[e.name] = gains.get(e.name, 0) + (e.value if e.op == "+" else -e.value)
    return gains


@dataclass
class Exploration:
    """Every state reachable from the start (up to ``max_states``).

    ``edges[i]`` lists ``(j, action, link)``; ``j`` is -1 for a link to a
    missing step. ``truncated`` holds states with successors left unexplored
    because the cap was hit.
    """

    scenario: Scenario
    names: tuple[str, ...]
    states: list[StateKey] = field(default_factory=list)
    parent: list[tuple[int, str] | None] = field(default_factory=list)
    depth: list[int] = field(default_factory=list)
    edges: list[list[tuple[int, str, Link]]] = field(default_factory=list)
    truncated: set[int] = field(default_factory=set)
    max_states: int = DEFAULT_MAX_STATES
    cap_hit: bool = False

    def variables(self, i: int) -> dict[str, Value]:
        return dict(zip(self.names, self.states[i][1], strict=True))

    def step_path(self, i: int) -> list[str]:
        """Step ids from the start to state ``i`` (shortest path)."""
        out = []
        cur: int | None = i
        while cur is not None:
            out.append(self.states[cur][0])
            p = self.parent[cur]
            cur = None if p is None else p[0]
        return out[::-1]


def explore(scenario: Scenario, max_states: int = DEFAULT_MAX_STATES) -> Exploration:
    """Breadth-first search of the state space, capped at ``max_states``."""
    names = tuple(scenario.variables)
    ex = Exploration(scenario, names, max_states=max_states)
    if scenario.step(scenario.start) is None:
        return ex
    index: dict[StateKey, int] = {}

    def add(key: StateKey, parent: tuple[int, str] | None, depth: int) -> int:
        index[key] = len(ex.states)
        ex.states.append(key)
        ex.parent.append(parent)
        ex.depth.append(depth)
        ex.edges.append([])
        return index[key]

    add((scenario.start, tuple(scenario.variables[n] for n in names)), None, 0)
    queue = deque([0])
    while queue:
        i = queue.popleft()
        step_id, values = ex.states[i]
        step = scenario.step(step_id)
        assert step is not None
        variables = dict(zip(names, values, strict=True))
        for action, link in transitions(step, variables):
            if scenario.step(link.target) is None:
                ex.edges[i].append((-1, action, link))
                continue
            new_vars, _ = apply_effects(variables, {}, link.effects)
            key = (link.target, tuple(new_vars[n] for n in names))
            j = index.get(key)
            if j is None:
                if len(ex.states) >= max_states:
                    ex.cap_hit = True
                    ex.truncated.add(i)
                    continue
                j = add(key, (i, action), ex.depth[i] + 1)
                queue.append(j)
            ex.edges[i].append((j, action, link))
    return ex


def strongly_connected(n: int, edges: list[list[tuple[int, str, Link]]]) -> list[list[int]]:
    """Tarjan's algorithm, iteratively; components come sinks first."""
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            v, k = work[-1]
            succ = edges[v]
            while k < len(succ) and succ[k][0] == -1:
                k += 1
            if k < len(succ):
                work[-1] = (v, k + 1)
                w = succ[k][0]
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


@dataclass
class Analysis:
    """What the engine and the checker need to know about all runs."""

    exploration: Exploration
    endings: list[int]
    can_end: set[int]
    components: list[list[int]]
    best_points: Value | None
    worst_points: Value | None
    best_path: list[str]
    best_index: int | None
    competency_max: dict[str, Value | None]
    unbounded_at: dict[str, int]  # tag -> file line of a reply that repeats in a loop


def analyse(scenario: Scenario, max_states: int = DEFAULT_MAX_STATES) -> Analysis:
    """Explore ``scenario`` and compute reachability, scores and best path."""
    ex = explore(scenario, max_states)
    n = len(ex.states)
    endings = [i for i, (sid, _) in enumerate(ex.states) if scenario.known_step(sid).kind == ENDING]

    # States from which an ending can be reached (truncated states might).
    reverse: list[list[int]] = [[] for _ in range(n)]
    for i, succ in enumerate(ex.edges):
        for j, _, _ in succ:
            if j >= 0:
                reverse[j].append(i)
    can_end = set(endings) | ex.truncated
    queue = deque(can_end)
    while queue:
        j = queue.popleft()
        for i in reverse[j]:
            if i not in can_end:
                can_end.add(i)
                queue.append(i)

    points_at = ex.names.index("points")
    best_points = max((ex.states[i][1][points_at] for i in endings), default=None)
    worst_points = min((ex.states[i][1][points_at] for i in endings), default=None)

    rule = scenario.pass_rule

    def rank(i: int) -> tuple:
        step = scenario.known_step(ex.states[i][0])
        points = ex.states[i][1][points_at]
        ok = rule.outcome_ok(step.outcome) and (rule.min_points is None or points >= rule.min_points)
        return (ok, points, -ex.depth[i], -i)

    best_index = max(endings, key=rank, default=None)
    best_path = ex.step_path(best_index) if best_index is not None else []

    components = strongly_connected(n, ex.edges)
    tags = list(scenario.competencies)
    competency_max: dict[str, Value | None] = {}
    unbounded_at: dict[str, int] = {}
    if n and 0 in can_end and endings:
        comp_of = [0] * n
        for c, comp in enumerate(components):
            for v in comp:
                comp_of[v] = c
        gains_cache: dict[int, dict[str, Value]] = {}

        def gain(link: Link, tag: str) -> Value:
            key = id(link)
            if key not in gains_cache:
                gains_cache[key] = competency_gains(link)
            return gains_cache[key].get(tag, 0)

        for tag in tags:
            dist: dict[int, Value] = {0: 0}
            unbounded = False
            for comp in reversed(components):  # topological order
                c = comp_of[comp[0]]
                members = [v for v in comp if v in dist and v in can_end]
                if not members:
                    continue
                for _ in range(len(comp)):
                    changed = False
                    for u in comp:
                        if u not in dist:
                            continue
                        for v, _, link in ex.edges[u]:
                            if v >= 0 and comp_of[v] == c and v in can_end:
                                d = dist[u] + gain(link, tag)
                                if v not in dist or d > dist[v]:
                                    dist[v] = d
                                    changed = True
                    if not changed:
                        break
                for u in comp:
                    if u not in dist:
                        continue
                    for v, _, link in ex.edges[u]:
                        if v < 0 or v not in can_end:
                            continue
                        if comp_of[v] == c:
                            if gain(link, tag) > 0:
                                unbounded = True
                                unbounded_at[tag] = link.line
                        else:
                            d = dist[u] + gain(link, tag)
                            if v not in dist or d > dist[v]:
                                dist[v] = d
                if unbounded:
                    break
            competency_max[tag] = None if unbounded else max((dist[i] for i in endings if i in dist), default=0)
    else:
        competency_max = {tag: 0 for tag in tags}

    return Analysis(ex, endings, can_end, components, best_points, worst_points, best_path, best_index,
                    competency_max, unbounded_at)


def outline(scenario: Scenario) -> dict[str, Any]:
    """What a run's summary needs from exploring all runs, as JSON data:
    ``best_path``, ``best_points``, ``worst_points``, ``competency_max``.

    Computed once per scenario object; ``Scenario.to_dict`` stores it, so a
    stored scenario never explores its states again.
    """
    cache: dict[str, Any] = scenario._cache
    if "outline" not in cache:
        analysis = analyse(scenario)
        cache["outline"] = {
            "best_path": list(analysis.best_path),
            "best_points": analysis.best_points,
            "worst_points": analysis.worst_points,
            "competency_max": dict(analysis.competency_max),
        }
    return cache["outline"]
