"""The map of a role-play: its steps, replies, routes and endings drawn as SVG on the server (pure).

:func:`draw_map` lays the steps out in layers from the start down (a step sits one layer below the
furthest step that leads to it; the endings share the last layer, the steps no run can reach sit
in a band of their own below), orders each layer to keep lines from crossing and draws:

- a box per step, coloured by kind; endings by outcome: green when the ``pass:`` rule accepts the
  outcome, amber when it does not (red is kept for mistakes in the scenario);
- a line per way out: replies solid, automatic routes dashed, a badge with the condition when one
  is set, and a count when several replies lead to the same step;
- what the checker found (:class:`~lms.core.scenario_check.CheckReport`): steps no run reaches (grey,
  dashed), dead ends and loops with no way out (red), links to missing steps (red), and the best
  run (thick lines).

Every box and line links to its line in the editor (``link(line)``). Every text comes from the
author or the caller and is escaped here. The pages send a Content-Security-Policy without inline
style, so the look is presentation attributes plus classes the plugin's stylesheet
(``scenario-map.css``) may restyle; the SVG is complete on its own. Right to left (``rtl=True``)
mirrors the layout: the first branch is on the right.
"""
from __future__ import annotations

import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from .scenario_check import CheckReport
from .scenario_explore import apply_effects, transitions
from .scenario_expr import Value
from .scenario_model import ENDING, ROUTE, TEXT, Reply, Route, Scenario, Step

Link = Reply | Route

# -- sizes (px) ----------------------------------------------------------------------------
NODE_W, NODE_H = 190, 84
DUMMY_W = 18           # the room a line passing through a layer takes in it
GAP_X, GAP_Y = 24, 72  # between two boxes of a layer; between two layers
MARGIN = 20
BAND_GAP = 60          # above the band of steps no run reaches, for its heading and the stubs of its lines
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Arabic", Tahoma, sans-serif'
MAX_BEST_STATES = 20_000  # per step of the best path, when finding which replies it takes

# -- colours: the design system's roles (lms.css); the stylesheet may restyle them by class ---------
TEXT_COLOUR, MUTED = "#1d2330", "#5a6275"
BEST = "#1a4f9c"  # the info role: the brand accent may be green, which means "passes" here
LOOK = {  # kind or state -> (fill, stroke)
    "choice": ("#e8f0fc", "#7f9fd6"),
    "route": ("#eceff5", "#868fa3"),
    "text": ("#ffffff", "#7f9fd6"),
    "pass": ("#e6f4ec", "#17683c"),
    "fail": ("#fff4dc", "#b07000"),
    "unreachable": ("#f6f7fb", "#868fa3"),
    "problem": ("#fdecea", "#b42318"),
}
ERROR = "#b42318"


@dataclass(frozen=True)
class MapLabels:
    """The words of the map, in the reader's language (the caller translates them).

    ``title`` and ``desc`` name the picture for assistive technology; left empty, English ones
    are made from the scenario. ``condition`` starts a condition badge (``if promised``);
    ``passes_with`` may hold ``%(points)s`` (the ``min_points`` of the pass rule).
    """

    title: str = ""
    desc: str = ""
    start: str = "First step"
    choice: str = "Learner chooses"
    route: str = "Automatic route"
    text: str = "Written answer"
    passes: str = "Ending: passes"
    passes_with: str = "Pass: points ≥ %(points)s"
    fails: str = "Ending: does not pass"
    unreachable: str = "Never reached"
    dead_end: str = "Dead end"
    trapped: str = "Loop with no way out"
    missing: str = "Missing step"
    best_path: str = "Best run"
    reply: str = "Reply"
    route_line: str = "Route"
    condition: str = "if"
    unreachable_band: str = "Steps no run reaches"


@dataclass
class _Node:
    key: str
    step: Step | None = None       # None: a missing step (a link's target) or a line's waypoint
    dummy: bool = False
    layer: int = 0
    x: float = 0.0                 # centre, left to right; mirrored when drawn right to left
    width: float = NODE_W


@dataclass
class _Edge:
    source: str
    target: str
    route: bool
    links: list[Link]
    chain: list[str] = field(default_factory=list)  # node keys from source to target, waypoints between
    best: bool = False
    stub: bool = False  # from a step no run reaches up into the map: drawn short, named by its target

    @property
    def conditions(self) -> list[str]:
        return [link.condition.source for link in self.links if link.condition is not None and link.condition.source]


@dataclass(frozen=True)
class MapStep:
    """One step as the page's text version of the map lists it."""

    id: str
    title: str
    kind: str
    line: int
    outcome: str | None
    outcome_label: str | None
    passes: bool | None          # endings: whether the pass rule accepts the outcome
    targets: tuple[str, ...]     # where its replies and routes lead, each once, in order
    unreachable: bool
    dead_end: bool
    trapped: bool
    best: bool


@dataclass(frozen=True)
class MapSummary:
    """What the map shows, as data for a text version (screen readers, small screens)."""

    steps: tuple[MapStep, ...]
    endings: int
    best_path: tuple[MapStep, ...]
    best_points: Value | None
    unreachable: tuple[MapStep, ...]
    dead_ends: tuple[MapStep, ...]
    trapped: tuple[MapStep, ...]
    missing: tuple[tuple[str, str, int], ...]  # (step, missing target, line)
    cap_hit: bool

    @property
    def problems(self) -> int:
        return len(self.unreachable) + len(self.dead_ends) + len(self.trapped) + len(self.missing)


# -- text ----------------------------------------------------------------------------------------
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(text: object) -> str:
    """Text for an XML text node or a quoted attribute: escaped, with characters XML forbids removed."""
    return escape(_INVALID_XML.sub("", str(text)), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _char_em(char: str) -> float:
    """A rough advance of one character, in em of a sans-serif font (no font metrics on a server):
    DejaVu Sans, the widest of the usual ones, so the text fits in the others too."""
    if char == " ":
        return 0.32
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char in "iljtfI.,:;!|'()[]":
        return 0.34
    if char in "mwMWшщжюыМШЩЖЮЫ":
        return 0.95
    if char.isupper():
        return 0.76
    if unicodedata.bidirectional(char) in ("R", "AL"):
        return 0.6
    return 0.64


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An estimate of the width of ``text`` at ``size`` px (on the generous side)."""
    return sum(_char_em(c) for c in text) * size * (1.1 if bold else 1.0)


def direction(text: str) -> str:
    """``rtl`` or ``ltr``: the direction of the first strong character (as ``dir="auto"`` decides)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _fit(text: str, width: float, size: float, bold: bool = False) -> str:
    """``text`` cut with an ellipsis to fit ``width``."""
    if text_width(text, size, bold) <= width:
        return text
    out = ""
    for char in text:
        if text_width(out + char + "…", size, bold) > width:
            break
        out += char
    return out.rstrip() + "…"


def wrap(text: str, width: float, size: float, lines: int = 2, bold: bool = False) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width``; the last one ends with an ellipsis when cut."""
    words = text.split()
    out: list[str] = []
    current = ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold) <= width:
            current = candidate
            continue
        if current:
            out.append(current)
        current = word
        if len(out) == lines - 1:
            return [*out, _fit(" ".join(words[index:]), width, size, bold)]
    if current:
        out.append(_fit(current, width, size, bold))
    return out[:lines]


# -- what the report says, per step ------------------------------------------------------------
def best_links(scenario: Scenario, path: Sequence[str]) -> set[int]:
    """``id()`` of the replies and routes the best run takes along ``path`` (the report's step ids).

    Two replies may lead to the same next step with different effects; the run is replayed along
    the path, keeping every state, and the one that ends with the most points wins (the path is
    the checker's best, so its ending is the best one).
    """
    if len(path) < 2:
        return set()
    names = tuple(scenario.variables)
    points_at = names.index("points") if "points" in names else None
    start = tuple(scenario.variables[n] for n in names)
    layers: list[dict[tuple, tuple[tuple, Link] | None]] = [{start: None}]
    for here, there in zip(path, path[1:], strict=False):
        step = scenario.step(here)
        following: dict[tuple, tuple[tuple, Link] | None] = {}
        if step is not None:
            for values in layers[-1]:
                variables = dict(zip(names, values, strict=True))
                for _action, link in transitions(step, variables):
                    if link.target != there:
                        continue
                    new, _ = apply_effects(variables, {}, link.effects)
                    following.setdefault(tuple(new[n] for n in names), (values, link))
                if len(following) > MAX_BEST_STATES:
                    break
        if not following:
            return set()
        layers.append(following)

    def points(values: tuple) -> float:
        value = values[points_at] if points_at is not None else 0
        return value if isinstance(value, int | float) and not isinstance(value, bool) else 0

    values = max(layers[-1], key=points)
    taken: set[int] = set()
    for layer in reversed(layers[1:]):
        back = layer[values]
        assert back is not None  # only the start has no way in
        values, link = back
        taken.add(id(link))
    return taken


def _kind_label(step: Step, labels: MapLabels) -> str:
    if step.kind == ROUTE:
        return labels.route
    if step.kind == TEXT:
        return labels.text
    return labels.choice


def _passes(scenario: Scenario, step: Step) -> bool:
    return scenario.pass_rule.outcome_ok(step.outcome)


def summary(scenario: Scenario, report: CheckReport) -> MapSummary:
    """The text version of the map: every step with where it leads, the best run and the problems."""
    unreachable = set(report.unreachable_steps)
    dead = {d.steps[0] for d in report.dead_ends}
    trapped = {s for cycle in report.trapped_cycles for s in cycle.steps}
    best = set(report.best_path)
    rows: dict[str, MapStep] = {}
    for step in scenario.steps:
        if step.id in rows:
            continue
        ending = step.kind == ENDING
        rows[step.id] = MapStep(
            id=step.id, title=step.title or step.id, kind=step.kind, line=step.line, outcome=step.outcome,
            outcome_label=scenario.outcome_label(step.outcome), passes=_passes(scenario, step) if ending else None,
            targets=tuple(dict.fromkeys(link.target for link in step.links)),
            unreachable=step.id in unreachable, dead_end=step.id in dead, trapped=step.id in trapped,
            best=step.id in best)
    return MapSummary(
        steps=tuple(rows.values()),
        endings=sum(1 for row in rows.values() if row.kind == ENDING),
        best_path=tuple(rows[s] for s in report.best_path if s in rows),
        best_points=report.best_points,
        unreachable=tuple(rows[s] for s in report.unreachable_steps if s in rows),
        dead_ends=tuple(rows[s] for s in dict.fromkeys(d.steps[0] for d in report.dead_ends) if s in rows),
        trapped=tuple(rows[s] for s in dict.fromkeys(trapped) if s in rows),
        missing=tuple((m.step, m.target, m.line) for m in report.missing_links),
        cap_hit=report.cap_hit,
    )


# -- layout ------------------------------------------------------------------------------------
class _Layout:
    """Layers, order within layers and x positions (Sugiyama's method, kept small)."""

    def __init__(self, scenario: Scenario, report: CheckReport):
        self.scenario = scenario
        self.nodes: dict[str, _Node] = {}
        for step in scenario.steps:
            self.nodes.setdefault(step.id, _Node(step.id, step))
        self.edges: list[_Edge] = []
        grouped: dict[tuple[str, str, bool], _Edge] = {}
        for step in scenario.steps:
            if self.nodes[step.id].step is not step:
                continue  # a repeated id: the scenario uses the first step with it
            for link in step.links:
                if link.target not in self.nodes:
                    self.nodes[link.target] = _Node(link.target, None)
                key = (step.id, link.target, isinstance(link, Route))
                if key not in grouped:
                    grouped[key] = _Edge(step.id, link.target, isinstance(link, Route), [])
                    self.edges.append(grouped[key])
                grouped[key].links.append(link)
        self.taken = best_links(scenario, report.best_path)
        for edge in self.edges:
            edge.best = any(id(link) in self.taken for link in edge.links)
        self.out: dict[str, list[_Edge]] = {key: [] for key in self.nodes}
        for edge in self.edges:
            self.out[edge.source].append(edge)
        self.reached = self._reach()
        self.band: int | None = None  # the first layer of the steps no line from the start reaches
        self._assign_layers()
        self.layers: list[list[str]] = []
        self._add_waypoints()
        self._order()
        self._place()

    def _reach(self) -> list[str]:
        """Keys reached by following lines from the start, in breadth-first order."""
        if self.scenario.start not in self.nodes or self.nodes[self.scenario.start].step is None:
            return []
        seen = [self.scenario.start]
        queue = deque(seen)
        while queue:
            for edge in self.out[queue.popleft()]:
                if edge.target not in seen:
                    seen.append(edge.target)
                    queue.append(edge.target)
        return seen

    def _forward(self, roots: Iterable[str], members: set[str]) -> dict[str, list[str]]:
        """The lines among ``members`` that do not close a loop (depth-first from ``roots``)."""
        forward: dict[str, list[str]] = {key: [] for key in members}
        state: dict[str, int] = {}  # 1 on the stack, 2 done
        for root in roots:
            if root in state:
                continue
            state[root] = 1
            stack = [(root, iter(self.out[root]))]
            while stack:
                key, successors = stack[-1]
                edge = next(successors, None)
                if edge is None:
                    state[key] = 2
                    stack.pop()
                    continue
                target = edge.target
                if target not in members or target == key or state.get(target) == 1:
                    continue
                if target not in forward[key]:
                    forward[key].append(target)
                if target not in state:
                    state[target] = 1
                    stack.append((target, iter(self.out[target])))
        return forward

    def _longest(self, order: list[str], forward: dict[str, list[str]], base: int) -> dict[str, int]:
        incoming = {key: 0 for key in order}
        for key in order:
            for target in forward[key]:
                incoming[target] += 1
        layer = {key: base for key in order}
        queue = deque(key for key in order if incoming[key] == 0)
        while queue:
            key = queue.popleft()
            for target in forward[key]:
                layer[target] = max(layer[target], layer[key] + 1)
                incoming[target] -= 1
                if incoming[target] == 0:
                    queue.append(target)
        return layer

    def _assign_layers(self) -> None:
        reached = self.reached
        members = set(reached)
        layer = self._longest(reached, self._forward(reached[:1], members), 0)
        if layer:
            last = max(layer.values())
            for key in reached:  # endings side by side at the bottom, to compare them
                node = self.nodes[key]
                if node.step is None or node.step.kind == ENDING:
                    layer[key] = last if node.step is not None else max(layer[key], 1)
        others = [key for key in self.nodes if key not in members]
        if others:
            rest = set(others)
            targets = {e.target for e in self.edges if e.source in rest and e.target in rest and e.target != e.source}
            roots = [key for key in others if key not in targets] + others
            self.band = max(layer.values(), default=-1) + 1
            banded = self._longest(others, self._forward(roots, rest), self.band)
            # as wide as the map above (at least 3 a row): many orphans must not widen the whole map
            widest = max([list(layer.values()).count(v) for v in set(layer.values())] + [3])
            row = self.band
            for value in sorted(set(banded.values())):
                keys = [key for key in others if banded[key] == value]
                for start in range(0, len(keys), widest):
                    layer.update({key: row for key in keys[start:start + widest]})
                    row += 1
        for key, value in layer.items():
            self.nodes[key].layer = value

    def _add_waypoints(self) -> None:
        count = max((n.layer for n in self.nodes.values()), default=-1) + 1
        self.layers = [[] for _ in range(count)]
        for key in self.reached + [k for k in self.nodes if k not in set(self.reached)]:
            self.layers[self.nodes[key].layer].append(key)
        for index, edge in enumerate(self.edges):
            top, bottom = self.nodes[edge.source].layer, self.nodes[edge.target].layer
            if self.band is not None and top >= self.band > bottom:
                edge.stub, edge.chain = True, [edge.source, edge.target]  # a line across the map helps nobody
                continue
            step = 1 if bottom >= top else -1
            chain = [edge.source]
            for layer in range(top + step, bottom, step):
                key = f"\x00{index}:{layer}"
                self.nodes[key] = _Node(key, None, dummy=True, layer=layer, width=DUMMY_W)
                self.layers[layer].append(key)
                chain.append(key)
            chain.append(edge.target)
            edge.chain = chain

    def _neighbours(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """For every node, the nodes one layer up and one layer down it is joined to."""
        up: dict[str, list[str]] = {key: [] for key in self.nodes}
        down: dict[str, list[str]] = {key: [] for key in self.nodes}
        for edge in self.edges:
            if edge.stub:
                continue
            for a, b in zip(edge.chain, edge.chain[1:], strict=False):
                la, lb = self.nodes[a].layer, self.nodes[b].layer
                if lb == la + 1:
                    down[a].append(b)
                    up[b].append(a)
                elif la == lb + 1:
                    down[b].append(a)
                    up[a].append(b)
        return up, down

    def _crossings(self, down: dict[str, list[str]]) -> int:
        total = 0
        for layer, below in zip(self.layers, self.layers[1:], strict=False):
            where = {key: i for i, key in enumerate(below)}
            pairs = [(i, where[b]) for i, a in enumerate(layer) for b in down[a] if b in where]
            total += sum(1 for x, (a1, b1) in enumerate(pairs) for a2, b2 in pairs[x + 1:]
                         if (a1 - a2) * (b1 - b2) < 0)
        return total

    def _order(self) -> None:
        up, down = self._neighbours()
        best = [list(layer) for layer in self.layers]
        fewest = self._crossings(down)
        for _round in range(8):
            for index in range(1, len(self.layers)):
                self._sort(index, up)
            for index in range(len(self.layers) - 2, -1, -1):
                self._sort(index, down)
            crossings = self._crossings(down)
            if crossings < fewest:
                fewest, best = crossings, [list(layer) for layer in self.layers]
            if fewest == 0:
                break
        self.layers = best

    def _sort(self, index: int, neighbours: dict[str, list[str]]) -> None:
        layer = self.layers[index]
        positions = {key: i for row in self.layers for i, key in enumerate(row)}

        def weight(item: tuple[int, str]) -> float:
            position, key = item
            linked = [positions[n] for n in neighbours[key]]
            return sum(linked) / len(linked) if linked else position

        self.layers[index] = [key for _, key in sorted(enumerate(layer), key=weight)]

    def _gap(self, a: str, b: str) -> float:
        na, nb = self.nodes[a], self.nodes[b]
        gap = GAP_X if not (na.dummy or nb.dummy) else 10
        return (na.width + nb.width) / 2 + gap

    def _place(self) -> None:
        up, down = self._neighbours()
        for layer in self.layers:
            x = 0.0
            for i, key in enumerate(layer):
                if i:
                    x += self._gap(layer[i - 1], key)
                self.nodes[key].x = x
        for _round in range(6):
            for index in range(1, len(self.layers)):
                self._align(self.layers[index], up)
            for index in range(len(self.layers) - 2, -1, -1):
                self._align(self.layers[index], down)
        for layer in self.layers:
            self._align(layer, {k: up[k] + down[k] for k in layer})
        left = min((n.x - n.width / 2 for n in self.nodes.values()), default=0)
        for node in self.nodes.values():
            node.x += MARGIN - left

    def _align(self, layer: list[str], neighbours: Mapping[str, list[str]]) -> None:
        """Move the layer's nodes as close as they can get to the mean x of their neighbours, keeping
        their order and gaps (isotonic regression, pool-adjacent-violators)."""
        if not layer:
            return
        offsets = [0.0]
        for a, b in zip(layer, layer[1:], strict=False):
            offsets.append(offsets[-1] + self._gap(a, b))
        wanted = []
        for key in layer:
            linked = [self.nodes[n].x for n in neighbours.get(key, [])]
            wanted.append(sum(linked) / len(linked) if linked else self.nodes[key].x)
        blocks: list[list[float]] = []  # [sum, count]
        for value in (w - o for w, o in zip(wanted, offsets, strict=True)):
            blocks.append([value, 1])
            while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
                total, count = blocks.pop()
                blocks[-1][0] += total
                blocks[-1][1] += count
        fitted: list[float] = []
        for total, count in blocks:
            fitted.extend([total / count] * int(count))
        for key, base, offset in zip(layer, fitted, offsets, strict=True):
            self.nodes[key].x = base + offset


# -- drawing -----------------------------------------------------------------------------------
@dataclass
class _Badge:
    edge: _Edge
    label: str
    width: float
    x: float
    y: float
    href: str
    tooltip: str

    def overlaps(self, other: _Badge) -> bool:
        return abs(self.x - other.x) < (self.width + other.width) / 2 + 4 and abs(self.y - other.y) < 21


@dataclass
class _Canvas:
    width: float
    rtl: bool

    def x(self, value: float) -> float:
        return self.width - value if self.rtl else value


def _bezier(points: list[tuple[float, float]]) -> str:
    """A smooth path through ``points``: vertical straight runs inside a layer, S-curves between."""
    (x0, y0), rest = points[0], points[1:]
    parts = [f"M{_num(x0)},{_num(y0)}"]
    for x1, y1 in rest:
        if abs(x1 - x0) < 0.5:
            parts.append(f"L{_num(x1)},{_num(y1)}")
        else:
            middle = (y0 + y1) / 2
            parts.append(f"C{_num(x0)},{_num(middle)} {_num(x1)},{_num(middle)} {_num(x1)},{_num(y1)}")
        x0, y0 = x1, y1
    return " ".join(parts)


def _defs(prefix: str) -> str:
    def marker(name: str, colour: str, size: float) -> str:
        return (f'<marker id="{prefix}-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="{size}" '
                f'markerHeight="{size}" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
                f'<path class="map-arrow map-arrow-{name}" d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')

    return "<defs>" + marker("arrow", MUTED, 10) + marker("best", BEST, 13) + marker("bad", ERROR, 10) + "</defs>"


def _text(x: float, y: float, text: str, cls: str, *, size: float, anchor: str = "middle", weight: str = "",
          colour: str = TEXT_COLOUR, dir_: str | None = None, mono: bool = False) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    extra += ' font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"' if mono else ""
    return (f'<text class="{cls}" x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}" text-anchor="{anchor}" '
            f'direction="{dir_ or direction(text)}" fill="{colour}"{extra}>{_esc(text)}</text>')


class _Drawing:
    def __init__(self, scenario: Scenario, report: CheckReport, layout: _Layout, *, link: Callable[[int], str],
                 rtl: bool, labels: MapLabels, prefix: str, legend: bool):
        self.scenario, self.report, self.layout = scenario, report, layout
        self.link, self.rtl, self.labels, self.prefix = link, rtl, labels, prefix
        self.unreachable = set(report.unreachable_steps)
        self.dead = {d.steps[0] for d in report.dead_ends}
        self.trapped = {s for cycle in report.trapped_cycles for s in cycle.steps}
        self.best = set(report.best_path)
        self.reached = set(layout.reached)
        content_w = max((n.x + n.width / 2 for n in layout.nodes.values()), default=0) + MARGIN
        self.width = max(content_w, 320.0)
        self.legend_rows = self._legend_items() if legend else []
        self.legend_h = self._legend_height()
        self.top = MARGIN + self.legend_h + 14  # room for the start badge
        self.y_of: list[float] = []
        y = self.top
        for index in range(len(layout.layers)):
            if layout.band is not None and index == layout.band:
                y += BAND_GAP
            self.y_of.append(y)
            y += NODE_H + GAP_Y
        self.height = (y - GAP_Y + MARGIN + 24) if layout.layers else self.top + MARGIN
        self.canvas = _Canvas(self.width, rtl)

    # -- nodes ---------------------------------------------------------------------------
    def node_state(self, node: _Node) -> tuple[str, list[str], str]:
        """(look, classes, status line) of a box."""
        step = node.step
        labels = self.labels
        if step is None:
            return "problem", ["kind-missing", "is-missing"], "⚠ " + labels.missing
        classes = [f"kind-{step.kind}"]
        if step.id == self.scenario.start:
            classes.append("is-start")
        if step.id in self.best:
            classes.append("on-best-path")
        if step.kind == ENDING:
            passes = _passes(self.scenario, step)
            classes.append("outcome-pass" if passes else "outcome-fail")
            rule = self.scenario.pass_rule
            if not passes:
                status = "✗ " + labels.fails
            elif rule.min_points is not None:
                status = "✓ " + labels.passes_with % {"points": _num(rule.min_points)}
            else:
                status = "✓ " + labels.passes
            look = "pass" if passes else "fail"
        else:
            status, look = _kind_label(step, labels), step.kind if step.kind in LOOK else "choice"
        if step.id in self.dead:
            classes.append("is-dead-end")
            status, look = "⚠ " + labels.dead_end, "problem"
        elif step.id in self.trapped:
            classes.append("is-trapped")
            status, look = "⚠ " + labels.trapped, "problem"
        if step.id in self.unreachable or step.id not in self.reached:
            classes.append("is-unreachable")
            status, look = labels.unreachable, "unreachable"
        return look, classes, status

    def tooltip(self, node: _Node, status: str) -> str:
        step = node.step
        if step is None:
            return f"#{node.key} — {self.labels.missing}"
        lines = [f"{step.title or step.id} (#{step.id})", status]
        if step.kind == ENDING and step.outcome:
            lines.append(f"{self.scenario.outcome_label(step.outcome)} ({step.outcome})")
        for link in step.links:
            text = link.text if isinstance(link, Reply) else "→"
            condition = f" [{self.labels.condition} {link.condition.source}]" if link.condition else ""
            effects = " ".join(str(e) for e in link.effects)
            lines.append(f"• {text} → #{link.target}{condition}{' ' + effects if effects else ''}")
        return "\n".join(lines)

    def draw_node(self, node: _Node) -> str:
        look, classes, status = self.node_state(node)
        fill, stroke = LOOK[look]
        left = self.canvas.x(node.x - NODE_W / 2) - (NODE_W if self.rtl else 0)
        top = self.y_of[node.layer]
        centre = self.canvas.x(node.x)
        step = node.step
        radius = 22 if step is not None and step.kind == ENDING else (3 if step is not None and step.kind == ROUTE
                                                                      else 10)
        width = 2.0
        dash = ""
        if "is-unreachable" in classes:
            dash = ' stroke-dasharray="6 4"'
        if look == "problem":
            width = 3.0
        elif "on-best-path" in classes:
            stroke, width = BEST, 3.0
        title = (step.title or step.id) if step is not None else node.key
        lines = wrap(title, NODE_W - 16, 13, bold=True)
        parts = [f'<g class="map-node {" ".join(classes)}" data-step="{_esc(node.key)}">']
        line = step.line if step is not None else self._first_line_to(node.key)
        # the link is named by its visible words (kind, title, #id); the <title> adds the full text
        parts.append(f'<a href="{_esc(self.link(line))}">')
        parts.append(f"<title>{_esc(self.tooltip(node, status))}</title>")
        parts.append(f'<rect class="map-node-box" x="{_num(left)}" y="{_num(top)}" width="{NODE_W}" '
                     f'height="{NODE_H}" rx="{radius}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>')
        status_colour = ERROR if look == "problem" else (MUTED if look != "fail" else "#7d4a00")
        ui_dir = "rtl" if self.rtl else "ltr"
        parts.append(_text(centre, top + 18, _fit(status, NODE_W - 16, 11, bold=True), "map-node-kind", size=11,
                           colour=status_colour, weight="600" if look in ("problem", "pass", "fail") else "",
                           dir_=ui_dir))
        first = top + (38 if len(lines) > 1 else 46)
        for i, text in enumerate(lines):
            parts.append(_text(centre, first + 17 * i, text, "map-node-title", size=13, weight="600"))
        parts.append(_text(centre, top + NODE_H - 9, _fit(f"#{node.key}", NODE_W - 16, 11), "map-node-id",
                           size=11, colour=MUTED, dir_="ltr", mono=True))
        parts.append("</a></g>")
        return "".join(parts)

    def _first_line_to(self, key: str) -> int:
        return min((link.line for edge in self.layout.edges if edge.target == key for link in edge.links), default=0)

    def start_badge(self) -> str:
        node = self.layout.nodes.get(self.scenario.start)
        if node is None or node.step is None:
            return ""
        label = self.labels.start
        width = text_width(label, 11) + 16
        top = self.y_of[node.layer] - 22
        centre = self.canvas.x(node.x)
        return (f'<g class="map-start-badge"><rect x="{_num(centre - width / 2)}" y="{_num(top)}" '
                f'width="{_num(width)}" height="18" rx="9" fill="{BEST}"/>'
                + _text(centre, top + 13, label, "map-start-label", size=11, colour="#ffffff", weight="600",
                        dir_="rtl" if self.rtl else "ltr") + "</g>")

    # -- lines ---------------------------------------------------------------------------
    def ports(self) -> dict[tuple[int, int], float]:
        """x (layout, left to right) where each line leaves or enters a box: (edge index, 0 start / 1 end)."""
        nodes = self.layout.nodes
        sides: dict[tuple[str, str], list[tuple[float, int, int]]] = {}
        for index, edge in enumerate(self.layout.edges):
            if edge.source == edge.target:
                continue
            if edge.stub:
                sides.setdefault((edge.source, "top"), []).append((nodes[edge.source].x, index, 0))
                continue
            chain = edge.chain
            down = nodes[edge.target].layer >= nodes[edge.source].layer
            same = nodes[edge.target].layer == nodes[edge.source].layer
            start_side = "bottom" if down else "top"
            end_side = "bottom" if same or not down else "top"
            sides.setdefault((edge.source, start_side), []).append((nodes[chain[1]].x, index, 0))
            sides.setdefault((edge.target, end_side), []).append((nodes[chain[-2]].x, index, 1))
        where: dict[tuple[int, int], float] = {}
        for (key, _side), items in sides.items():
            items.sort()
            count = len(items)
            spread = min(26.0, NODE_W * 0.7 / max(count - 1, 1))
            for i, (_x, index, end) in enumerate(items):
                where[(index, end)] = nodes[key].x + (i - (count - 1) / 2) * spread
        return where

    def edge_points(self, index: int, edge: _Edge, ports: dict[tuple[int, int], float]) -> list[tuple[float, float]]:
        nodes = self.layout.nodes
        source, target = nodes[edge.source], nodes[edge.target]
        top_of = self.y_of
        if source.layer == target.layer:
            y = top_of[source.layer] + NODE_H
            return [(ports[(index, 0)], y), (ports[(index, 1)], y)]
        down = target.layer > source.layer
        points = [(ports[(index, 0)], top_of[source.layer] + (NODE_H if down else 0))]
        for key in edge.chain[1:-1]:
            node = nodes[key]
            ends = (top_of[node.layer], top_of[node.layer] + NODE_H)
            for y in ends if down else reversed(ends):
                points.append((node.x, y))
        points.append((ports[(index, 1)], top_of[target.layer] + (0 if down else NODE_H)))
        return points

    def draw_edge(self, index: int, edge: _Edge, ports: dict[tuple[int, int], float]) -> tuple[str, _Badge | None]:
        """The line and its badge (drawn later, above every line)."""
        nodes = self.layout.nodes
        cx = self.canvas.x
        missing = nodes[edge.target].step is None
        if edge.stub:
            x0, y0 = cx(ports[(index, 0)]), self.y_of[nodes[edge.source].layer]
            d = f"M{_num(x0)},{_num(y0)} L{_num(x0)},{_num(y0 - 28)}"
            badge_at = (x0, y0 - 40)
        elif edge.source == edge.target:
            node = nodes[edge.source]
            top = self.y_of[node.layer]
            side = 1 if not self.rtl else -1
            edge_x = cx(node.x) + side * NODE_W / 2
            d = (f"M{_num(edge_x)},{_num(top + 26)} C{_num(edge_x + side * 46)},{_num(top + 6)} "
                 f"{_num(edge_x + side * 46)},{_num(top + NODE_H - 6)} {_num(edge_x)},{_num(top + NODE_H - 26)}")
            badge_at = (edge_x + side * 36, top + NODE_H / 2)
        else:
            points = [(cx(x), y) for x, y in self.edge_points(index, edge, ports)]
            if nodes[edge.source].layer == nodes[edge.target].layer:
                (x0, y0), (x1, y1) = points
                depth = 34 + min(abs(x1 - x0) / 8, 30)
                d = (f"M{_num(x0)},{_num(y0)} C{_num(x0)},{_num(y0 + depth)} {_num(x1)},{_num(y1 + depth)} "
                     f"{_num(x1)},{_num(y1)}")
                badge_at = ((x0 + x1) / 2, y0 + depth * 0.75)
            else:
                d = _bezier(points)
                (x0, y0), (x1, y1) = points[0], points[1]
                badge_at = ((x0 + x1) / 2, (y0 + y1) / 2)  # between the first two layers it crosses
        classes = ["map-edge", "edge-route" if edge.route else "edge-reply"]
        colour, width, marker = MUTED, 1.6, "arrow"
        if edge.conditions:
            classes.append("is-conditional")
        if missing:
            classes.append("to-missing")
            colour, marker = ERROR, "bad"
        elif edge.best:
            classes.append("is-best")
            colour, width, marker = BEST, 4.0, "best"
        dash = ' stroke-dasharray="7 5"' if edge.route else ""
        tooltip = self.edge_tooltip(edge)
        href = _esc(self.link(edge.links[0].line))
        line = (f'<g class="{" ".join(classes)}" data-from="{_esc(edge.source)}" data-to="{_esc(edge.target)}">'
                # the line is for the mouse; the keyboard reaches it through its badge or its boxes
                f'<a href="{href}" tabindex="-1" aria-label="{_esc(tooltip)}"><title>{_esc(tooltip)}</title>'
                f'<path class="map-edge-hit" d="{d}" fill="none" stroke="transparent" stroke-width="12"/>'
                f'<path class="map-edge-line" d="{d}" fill="none" stroke="{colour}" stroke-width="{_num(width)}"'
                f'{dash} marker-end="url(#{self.prefix}-{marker})"/></a></g>')
        return line, self.badge(edge, badge_at, href, tooltip)

    def edge_tooltip(self, edge: _Edge) -> str:
        kind = self.labels.route_line if edge.route else self.labels.reply
        lines = [f"{kind}: #{edge.source} → #{edge.target}"]
        for link in edge.links:
            text = f"“{link.text}”" if isinstance(link, Reply) else ""
            condition = f"{self.labels.condition} {link.condition.source}" if link.condition else ""
            effects = " ".join(str(e) for e in link.effects)
            mark = "★" if id(link) in self.layout.taken else "•"
            lines.append(" ".join(part for part in (mark, text, condition, effects) if part))
        if edge.best:
            lines.append(f"★ {self.labels.best_path}")
        return "\n".join(lines)

    def badge(self, edge: _Edge, at: tuple[float, float], href: str, tooltip: str) -> _Badge | None:
        """The badge of a line: how many replies it stands for and its condition, if any."""
        parts = [f"#{edge.target}"] if edge.stub else []
        if len(edge.links) > 1:
            parts.append(f"×{len(edge.links)}")
        conditions = edge.conditions
        if conditions:
            condition = f"{self.labels.condition} {conditions[0]}" + (" …" if len(set(conditions)) > 1 else "")
            some = len(conditions) < len(edge.links)  # the others lead there whatever holds
            parts.append(f"{len(conditions)}× {condition}" if some else condition)
        if not parts:
            return None
        label = _fit(" · ".join(parts), 200, 11)
        return _Badge(edge, label, text_width(label, 11) + 12, at[0], at[1], href, tooltip)

    def draw_badge(self, badge: _Badge) -> str:
        edge, x, y, width = badge.edge, badge.x, badge.y, badge.width
        colour = BEST if edge.best else MUTED
        return (f'<g class="map-edge-badge{" is-best" if edge.best else ""}" data-from="{_esc(edge.source)}" '
                f'data-to="{_esc(edge.target)}"><a href="{badge.href}">'
                f"<title>{_esc(badge.tooltip)}</title>"
                f'<rect x="{_num(x - width / 2)}" y="{_num(y - 10)}" width="{_num(width)}" height="20" rx="10" '
                f'fill="#ffffff" stroke="{colour}" stroke-width="1"/>'
                + _text(x, y + 4, badge.label, "map-edge-label", size=11, colour=TEXT_COLOUR,
                        dir_="rtl" if self.rtl else "ltr") + "</a></g>")


    # -- the band of steps no run reaches, and the legend ------------------------------------
    def band_heading(self) -> str:
        band = self.layout.band
        if band is None:
            return ""
        y = self.y_of[band] - BAND_GAP - GAP_Y + 30
        x = self.canvas.x(MARGIN)
        anchor = "end" if self.rtl else "start"
        return (f'<g class="map-band"><line x1="{MARGIN}" y1="{_num(y)}" x2="{_num(self.width - MARGIN)}" '
                f'y2="{_num(y)}" stroke="#868fa3" stroke-dasharray="4 4"/>'
                + _text(x, y + 22, self.labels.unreachable_band, "map-band-label", size=13, anchor=anchor,
                        colour=MUTED, weight="600", dir_="ltr") + "</g>")

    def _legend_items(self) -> list[list[tuple[str, str, float]]]:
        labels = self.labels
        items = [("choice", labels.choice), ("route", labels.route), ("text", labels.text),
                 ("pass", labels.passes), ("fail", labels.fails), ("unreachable", labels.unreachable),
                 ("problem", f"{labels.dead_end} / {labels.trapped}"),
                 ("line-reply", labels.reply), ("line-route", labels.route_line), ("line-best", labels.best_path)]
        rows: list[list[tuple[str, str, float]]] = [[]]
        used = 0.0
        room = self.width - 2 * MARGIN
        for look, label in items:
            width = 34 + text_width(label, 12) + 18
            if rows[-1] and used + width > room:
                rows.append([])
                used = 0.0
            rows[-1].append((look, label, width))
            used += width
        return rows

    def _legend_height(self) -> float:
        return len(self.legend_rows) * 24 + 10 if self.legend_rows else 0

    def legend(self) -> str:
        if not self.legend_rows:
            return ""
        parts = ['<g class="map-legend">']
        for row_index, row in enumerate(self.legend_rows):
            y = MARGIN + row_index * 24
            x = float(MARGIN)
            for look, label, width in row:
                sx = self.canvas.x(x) - (26 if self.rtl else 0)
                if look.startswith("line-"):
                    kind = look[5:]
                    colour = BEST if kind == "best" else MUTED
                    dash = ' stroke-dasharray="7 5"' if kind == "route" else ""
                    parts.append(f'<line class="map-key map-key-{look}" x1="{_num(sx)}" y1="{_num(y + 8)}" '
                                 f'x2="{_num(sx + 26)}" y2="{_num(y + 8)}" stroke="{colour}" '
                                 f'stroke-width="{4 if kind == "best" else 1.6}"{dash}/>')
                else:
                    fill, stroke = LOOK[look]
                    dash = ' stroke-dasharray="4 3"' if look == "unreachable" else ""
                    parts.append(f'<rect class="map-key map-key-{look}" x="{_num(sx)}" y="{_num(y)}" width="26" '
                                 f'height="16" rx="4" fill="{fill}" stroke="{stroke}" stroke-width="2"{dash}/>')
                tx = self.canvas.x(x + 34)
                parts.append(_text(tx, y + 12, label, "map-legend-label", size=12, anchor="end" if self.rtl
                                   else "start", dir_="ltr"))
                x += width
        parts.append("</g>")
        return "".join(parts)

    def svg(self) -> str:
        labels, prefix = self.labels, self.prefix
        title = labels.title or f"Map of the role-play “{self.scenario.title}”"
        desc = labels.desc or _english_desc(self.scenario, self.report)
        ports = self.ports()
        lines, badges = [], []
        for index, edge in enumerate(self.layout.edges):
            line, badge = self.draw_edge(index, edge, ports)
            lines.append(line)
            if badge is not None:
                badges.append(badge)
        _spread(badges)
        side = -1 if self.rtl else 1  # boxes in reading order, for the keyboard: layer by layer
        boxes = sorted((n for n in self.layout.nodes.values() if not n.dummy), key=lambda n: (n.layer, side * n.x))
        nodes = [self.draw_node(n) for n in boxes]
        w, h = _num(self.width), _num(self.height)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="scenario-map{" is-rtl" if self.rtl else ""}" '
            f'id="{prefix}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="group" '
            f'aria-labelledby="{prefix}-title {prefix}-desc" preserveAspectRatio="xMidYMin meet" '
            f"font-family='{FONT}' font-size=\"13\" direction=\"{'rtl' if self.rtl else 'ltr'}\">"
            f'<title id="{prefix}-title">{_esc(title)}</title><desc id="{prefix}-desc">{_esc(desc)}</desc>'
            + _defs(prefix) + self.legend() + self.band_heading()
            + '<g class="map-edges">' + "".join(lines) + "</g>"
            + '<g class="map-nodes">' + "".join(nodes) + self.start_badge() + "</g>"
            + '<g class="map-badges">' + "".join(self.draw_badge(b) for b in badges) + "</g></svg>"
        )


def _spread(badges: list[_Badge]) -> None:
    """Move badges that would overlap up or down (within the gap between two layers), then sideways."""
    placed: list[_Badge] = []
    for badge in sorted(badges, key=lambda b: (b.y, b.x)):
        home_x, home_y = badge.x, badge.y
        for dx, dy in ((0, 0), (0, -21), (0, 21), (-1, 0), (1, 0)):
            badge.y = home_y + dy
            badge.x = home_x
            if dx:  # beside the badge it meets
                other = next((p for p in placed if p.overlaps(badge)), None)
                if other is not None:
                    badge.x = other.x + dx * ((other.width + badge.width) / 2 + 4)
            if not any(p.overlaps(badge) for p in placed):
                break
        placed.append(badge)


def _english_desc(scenario: Scenario, report: CheckReport) -> str:
    parts = [f"{report.steps} steps, {report.endings} endings."]
    if report.best_path:
        parts.append("Best run: " + " → ".join(report.best_path) + ".")
    if report.unreachable_steps:
        parts.append("Never reached: " + ", ".join(report.unreachable_steps) + ".")
    if report.dead_ends:
        parts.append("Dead ends: " + ", ".join(d.steps[0] for d in report.dead_ends) + ".")
    if report.trapped_cycles:
        parts.append("Loops with no way out: " + "; ".join(", ".join(c.steps) for c in report.trapped_cycles) + ".")
    return " ".join(parts)


_PREFIX_RE = re.compile(r"[^A-Za-z0-9_-]")


def draw_map(scenario: Scenario, report: CheckReport, *, link: Callable[[int], str] = lambda line: f"#L{line}",
             rtl: bool = False, labels: MapLabels | None = None, legend: bool = True,
             id_prefix: str = "scenario-map") -> str:
    """The map of ``scenario`` as a standalone SVG document (a string), with what ``report`` found.

    ``link(line)`` gives the address of a file line (each box and line links to where it is written);
    ``rtl`` mirrors the layout for right-to-left readers; ``labels`` are the words in the reader's
    language; ``legend`` draws the key above the map (a page that shows its own key turns it off);
    ``id_prefix`` keeps the ids of two maps on one page apart.
    """
    prefix = _PREFIX_RE.sub("-", id_prefix) or "scenario-map"
    layout = _Layout(scenario, report)
    return _Drawing(scenario, report, layout, link=link, rtl=rtl, labels=labels or MapLabels(), prefix=prefix,
                    legend=legend).svg()
