"""The runs that must not pass in every role-play of the built-in course, found by the checker's exploration.

Shared by the browser test (``tests/browser/test_roleplay_worst_paths.py``: each role-play's worst run,
played in Chromium) and the web test (``tests/web/test_roleplay_condemned_replies.py``: every run through a
reply the lessons condemn, played through the test client). For each role-play
(:mod:`lms.core.scenario_explore`) gives

- the **worst run**: the fewest points among the runs that cannot pass, whatever a trainer later gives
  for a written reply;
- runs through **every reply that lowers a competency** (a reply the lessons condemn), each continued to
  an ending that does not pass. One run may take several such replies: the runs are chosen greedily to
  take as many not yet played as possible.

A translation that branches exactly as an edition already played (the same steps, replies, effects,
conditions and pass rule; only the words differ; :func:`structure`) ends every run the same way.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from support import ROOT

WRITTEN = "Простите, это наша ошибка. Исправим сегодня, а точное время сообщу до 17:00."


@dataclass(frozen=True)
class Run:
    """A run to play: the learner's moves (step id, reply id or ``"text"``) and where it must end."""

    why: str
    moves: tuple[tuple[str, str], ...]
    ending: str
    outcome_label: str


def runs_to_play(scenario) -> list[Run]:
    """The worst run of ``scenario`` and runs through each reply that lowers a competency, each ending in a
    way that cannot pass. Fails when every run passes, when the exploration was cut short, or when such a
    reply always passes without the author having accepted it (``condemned-reply-passes``)."""
    from lms.core.scenario import check_scenario
    from lms.core.scenario_explore import AUTO, analyse, competency_gains
    from lms.core.scenario_teaching import passing_endings

    analysis = analyse(scenario)
    ex = analysis.exploration
    assert not ex.cap_hit, f"{scenario.path}: too many states to plan its runs"
    passing = passing_endings(scenario, analysis)
    failing = [i for i in analysis.endings if i not in passing]
    assert failing, f"{scenario.path}: every run passes"

    # from every state, the shortest way on to an ending that does not pass
    towards: dict[int, tuple | None] = {i: None for i in failing}
    incoming: list[list[tuple]] = [[] for _ in ex.states]
    for u, successors in enumerate(ex.edges):
        for v, action, link in successors:
            if v >= 0:
                incoming[v].append((u, action, link))
    queue = deque(failing)
    while queue:
        v = queue.popleft()
        for u, action, link in incoming[v]:
            if u not in towards:
                towards[u] = (v, action, link)
                queue.append(u)

    def way_to(i: int) -> list[tuple]:
        hops = []
        while ex.parent[i] is not None:
            p, action = ex.parent[i]
            link = next(link for j, a, link in ex.edges[p] if j == i and a == action)
            hops.append((p, action, link))
            i = p
        return hops[::-1]

    def run(why: str, hops: list[tuple]) -> Run:
        last = hops[-1][2].target if hops else scenario.start
        ending = scenario.known_step(last)
        moves = tuple((ex.states[u][0], action) for u, action, _ in hops if action != AUTO)
        return Run(why, moves, ending.id, scenario.outcome_label(ending.outcome) or "")

    points = ex.names.index("points")
    worst = min(failing, key=lambda i: (ex.states[i][1][points], ex.depth[i], i))
    runs = [run(f"worst run ({ex.states[worst][1][points]} points)", way_to(worst))]
    lowering = {id(reply): reply for step in scenario.steps for reply in step.replies
                if any(gain < 0 for gain in competency_gains(reply).values())}
    can_fail = {id(link) for u, successors in enumerate(ex.edges) for v, _, link in successors if v in towards}
    accepted = {p.line for p in check_scenario(scenario).accepted if p.code == "condemned-reply-passes"}
    for key, reply in list(lowering.items()):
        if key not in can_fail:  # every run through it passes: only an author's accepted warning allows that
            assert reply.line in accepted, f"{scenario.path}:{reply.line}: this reply always leads to a pass"
            del lowering[key]
    played = {id(link) for _, _, link in way_to(worst)}

    acyclic = all(len(c) == 1 and all(v != c[0] for v, _, _ in ex.edges[c[0]]) for c in analysis.components)
    while left := {key for key in lowering if key not in played}:
        if acyclic:  # the run that takes the most replies not yet played (components come sinks first)
            best: dict[int, tuple] = {}
            for (u,) in analysis.components:
                if u not in towards:
                    continue
                if towards[u] is None:
                    best[u] = (0, 0, None)
                    continue
                best[u] = max(((int(id(link) in left) + best[v][0], best[v][1] - 1, (v, action, link))
                               for v, action, link in ex.edges[u] if v in best), key=lambda o: o[:2])
            hops, u = [], 0
            while best[u][2] is not None:
                v, action, link = best[u][2]
                hops.append((u, action, link))
                u = v
        else:  # a loop: the shortest run through one of them
            key = min(left, key=lambda k: lowering[k].line)
            edges = [(u, v) for u, successors in enumerate(ex.edges) for v, _, link in successors
                     if id(link) == key and v in towards]
            u, v = min(edges, key=lambda e: (ex.depth[e[0]], e[0]))
            hops, w = way_to(u) + [(u, lowering[key].id, lowering[key])], v
            while towards[w] is not None:
                nxt, action, link = towards[w]
                hops.append((w, action, link))
                w = nxt
        taken = {id(link) for _, _, link in hops} & left
        lines = sorted(lowering[k].line for k in taken)
        runs.append(run(f"through the {'reply at line' if len(lines) == 1 else 'replies at lines'} "
                        f"{', '.join(map(str, lines))}", hops))
        played |= taken
    return runs


def builtin_roleplays():
    """(course slug, language, activity, scenario) for each role-play written in its edition's language,
    the course's own language first."""
    from lms.core.content import check_directory
    from lms.core.scenario import Scenario

    found = []
    for course in check_directory(ROOT / "courses").courses:
        languages = sorted(course.editions, key=lambda language: (language != course.default_language, language))
        for language in languages:
            for activity in course.editions[language].activities():
                if activity.kind == "scenario" and activity.language == language:
                    found.append((course.slug, language, activity, Scenario.from_dict(activity.data)))
    return found


def structure(scenario) -> tuple:
    """What decides where a run goes and whether it passes, without the words: two editions with the same
    structure end every run the same way."""
    def links(items):
        return tuple((getattr(link, "id", ""), link.target, tuple(map(str, link.effects)),
                      link.condition.source if link.condition else None) for link in items)

    return (scenario.start, tuple(scenario.variables.items()), tuple(sorted(scenario.outcomes)),
            scenario.pass_rule.min_points, scenario.pass_rule.outcomes,
            tuple((s.id, s.kind, s.outcome, links(s.replies), links(s.routes), tuple(i.points for i in s.rubric))
                  for s in scenario.steps))
