"""The data of a role-play scenario: steps, replies, routes, effects.

Everything here is a frozen dataclass that converts to and from plain JSON
data (``to_dict`` / ``from_dict``), so a parsed scenario is stored with its
content version and loaded again without re-parsing Markdown.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .accept import Acceptance
from .problems import ERROR, Problem, as_params
from .scenario_expr import Node, Value, evaluate, tree_from_json, tree_to_json

#: Variables every scenario has; ``mood`` is derived and read-only.
BUILTIN_VARIABLES: dict[str, Value] = {"expectations": 0, "experience": 0, "points": 0}
MOOD = "mood"

#: Competency tags known without declaring them (labels can be overridden).
STANDARD_COMPETENCIES: dict[str, str] = {
    "speed": "Speed of response",
    "needs": "Finding out needs",
    "tailoring": "Tailoring the offer",
    "promises": "Keeping promises",
    "complaints": "Handling complaints",
    "exceeding": "Exceeding expectations",
}

CHOICE = "choice"   # the learner picks one of the replies
ROUTE = "route"     # no input: the first route whose condition holds is taken
TEXT = "text"       # the learner writes a reply; then the routes are followed
ENDING = "ending"   # the run is over, with an outcome and a debrief
STEP_KINDS = (CHOICE, ROUTE, TEXT, ENDING)


@dataclass(frozen=True)
class Effect:
    """A change to a variable (``name+2``, ``name-1``, ``name=true``) or a
    competency (``needs+1``; competencies only add or subtract)."""

    name: str
    op: str  # "+", "-" or "="
    value: Value
    competency: bool = False

    def __str__(self) -> str:
        value = str(self.value).lower() if isinstance(self.value, bool) else str(self.value)
        return f"{self.name}{self.op}{value}"

    def to_dict(self) -> dict:
        return {"name": self.name, "op": self.op, "value": self.value, "competency": self.competency}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Effect:
        return cls(data["name"], data["op"], data["value"], bool(data.get("competency", False)))


@dataclass(frozen=True)
class Condition:
    """A condition as written plus its parsed tree.

    ``tree`` is None when the condition could not be parsed (the problem was
    reported); such a condition is never true, so a broken scenario never
    crashes a run.
    """

    source: str
    tree: Node | None

    def holds(self, values: Mapping[str, Value]) -> bool:
        """Whether the condition is true for ``values`` (variables)."""
        if self.tree is None:
            return False
        try:
            return bool(evaluate(self.tree, values))
        except (KeyError, TypeError):
            return False

    def to_dict(self) -> dict:
        return {"source": self.source, "tree": None if self.tree is None else tree_to_json(self.tree)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Condition:
        tree = data.get("tree")
        return cls(data["source"], None if tree is None else tree_from_json(tree))


def _cond_holds(condition: Condition | None, values: Mapping[str, Value]) -> bool:
    return condition is None or condition.holds(values)


@dataclass(frozen=True)
class Reply:
    """A reply the learner may choose: text, target step, effects, condition.

    ``id`` is the reply's 1-based position in its step, as a string; it does
    not change when earlier replies are hidden by their conditions.
    """

    id: str
    text: str
    target: str
    effects: tuple[Effect, ...] = ()
    condition: Condition | None = None
    line: int = 0

    def available(self, values: Mapping[str, Value]) -> bool:
        return _cond_holds(self.condition, values)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "text": self.text, "target": self.target,
            "effects": [e.to_dict() for e in self.effects],
            "condition": None if self.condition is None else self.condition.to_dict(),
            "line": self.line,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reply:
        cond = data.get("condition")
        return cls(
            str(data["id"]), data["text"], data["target"],
            tuple(Effect.from_dict(e) for e in data.get("effects", ())),
            None if cond is None else Condition.from_dict(cond), int(data.get("line", 0)),
        )


@dataclass(frozen=True)
class Route:
    """An automatic transition ``-> #target effects if condition``."""

    target: str
    effects: tuple[Effect, ...] = ()
    condition: Condition | None = None
    line: int = 0

    def available(self, values: Mapping[str, Value]) -> bool:
        return _cond_holds(self.condition, values)

    def to_dict(self) -> dict:
        return {
            "target": self.target, "effects": [e.to_dict() for e in self.effects],
            "condition": None if self.condition is None else self.condition.to_dict(),
            "line": self.line,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Route:
        cond = data.get("condition")
        return cls(
            data["target"], tuple(Effect.from_dict(e) for e in data.get("effects", ())),
            None if cond is None else Condition.from_dict(cond), int(data.get("line", 0)),
        )


@dataclass(frozen=True)
class Line:
    """One paragraph of a step: ``speaker`` is None for narration."""

    speaker: str | None
    text: str

    def to_dict(self) -> dict:
        return {"speaker": self.speaker, "text": self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Line:
        return cls(data.get("speaker"), data["text"])


@dataclass(frozen=True)
class RubricItem:
    """A checklist item of a free-text step, worth ``points`` at review."""

    label: str
    points: int | float = 1
    line: int = 0

    def to_dict(self) -> dict:
        return {"label": self.label, "points": self.points, "line": self.line}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RubricItem:
        return cls(data["label"], data.get("points", 1), int(data.get("line", 0)))


@dataclass(frozen=True)
class Requirement:
    """What an ending takes for granted (``requires: promised and called_back``), at its file line.

    The checker proves that every run reaching the ending satisfies it; a run never reads it.
    """

    condition: Condition
    line: int = 0

    def to_dict(self) -> dict:
        return {**self.condition.to_dict(), "line": self.line}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Requirement:
        return cls(Condition.from_dict(data), int(data.get("line", 0)))


@dataclass(frozen=True)
class Step:
    """One step of the script (see ``STEP_KINDS`` for ``kind``); an ending may have a ``requires``."""

    id: str
    title: str
    kind: str
    line: int = 0
    lines: tuple[Line, ...] = ()
    replies: tuple[Reply, ...] = ()
    routes: tuple[Route, ...] = ()
    prompt: str = ""
    rubric: tuple[RubricItem, ...] = ()
    outcome: str | None = None
    debrief: str = ""
    requires: Requirement | None = None

    @property
    def text(self) -> str:
        """The step's prose as Markdown, speakers written as ``**Name:**``."""
        return "\n\n".join(f"**{ln.speaker}:** {ln.text}" if ln.speaker else ln.text for ln in self.lines)

    @property
    def speaker(self) -> str | None:
        """The first named speaker of the step, if any."""
        return next((ln.speaker for ln in self.lines if ln.speaker), None)

    def reply(self, reply_id: str) -> Reply | None:
        return next((r for r in self.replies if r.id == reply_id), None)

    @property
    def links(self) -> tuple[Reply | Route, ...]:
        """Every way out of the step: its replies, then its routes."""
        return (*self.replies, *self.routes)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "title": self.title, "kind": self.kind, "line": self.line,
            "lines": [ln.to_dict() for ln in self.lines],
            "replies": [r.to_dict() for r in self.replies],
            "routes": [r.to_dict() for r in self.routes],
            "prompt": self.prompt, "rubric": [i.to_dict() for i in self.rubric],
            "outcome": self.outcome, "debrief": self.debrief,
            "requires": None if self.requires is None else self.requires.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Step:
        if data.get("kind") not in STEP_KINDS:
            raise ValueError(f"step {data.get('id')!r} has unknown kind {data.get('kind')!r}")
        return cls(
            id=data["id"], title=data.get("title", data["id"]), kind=data["kind"], line=int(data.get("line", 0)),
            lines=tuple(Line.from_dict(x) for x in data.get("lines", ())),
            replies=tuple(Reply.from_dict(x) for x in data.get("replies", ())),
            routes=tuple(Route.from_dict(x) for x in data.get("routes", ())),
            prompt=data.get("prompt", ""), rubric=tuple(RubricItem.from_dict(x) for x in data.get("rubric", ())),
            outcome=data.get("outcome"), debrief=data.get("debrief", ""),
            requires=None if data.get("requires") is None else Requirement.from_dict(data["requires"]),
        )


@dataclass(frozen=True)
class Competency:
    """A competency tag with its label and the lesson to revisit when weak."""

    tag: str
    label: str
    lesson: str | None = None

    def to_dict(self) -> dict:
        return {"tag": self.tag, "label": self.label, "lesson": self.lesson}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Competency:
        return cls(data["tag"], data.get("label", data["tag"]), data.get("lesson"))


@dataclass(frozen=True)
class PassRule:
    """Completion rule: every given part must hold (both, when both given).

    With neither part, reaching any ending passes.
    """

    min_points: int | float | None = None
    outcomes: tuple[str, ...] | None = None
    line: int = field(default=1, compare=False)
    """File line of ``pass:`` in the front matter, for the checker's messages."""

    def outcome_ok(self, outcome: str | None) -> bool:
        return self.outcomes is None or outcome in self.outcomes

    def to_dict(self) -> dict:
        return {"min_points": self.min_points, "outcomes": None if self.outcomes is None else list(self.outcomes)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> PassRule:
        data = data or {}
        outcomes = data.get("outcomes")
        return cls(data.get("min_points"), None if outcomes is None else tuple(outcomes))


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario. Build it with ``parse_scenario``.

    ``variables`` maps every variable (built-in and declared) to its initial
    value; ``competencies`` holds the declared and the standard tags;
    ``problems`` are the problems found while parsing; ``variable_lines`` gives the front
    matter line of each declared variable and ``accepts`` the author's markers that accept
    warnings (:mod:`lms.core.accept`), both for the checker's messages.
    """

    path: str
    title: str
    start: str
    steps: tuple[Step, ...]
    variables: dict[str, Value] = field(default_factory=lambda: dict(BUILTIN_VARIABLES))
    competencies: dict[str, Competency] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    pass_rule: PassRule = field(default_factory=PassRule)
    intro: str = ""
    characters: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    variable_lines: dict[str, int] = field(default_factory=dict)
    accepts: tuple[Acceptance, ...] = ()
    _index: dict[str, Step] = field(default_factory=dict, init=False, repr=False, compare=False)
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Step] = {}
        for step in self.steps:
            index.setdefault(step.id, step)
        object.__setattr__(self, "_index", index)

    def step(self, step_id: str) -> Step | None:
        """The step with ``step_id`` (the first one, if ids repeat)."""
        return self._index.get(step_id)

    def known_step(self, step_id: str) -> Step:
        """The step with ``step_id``, for an id that comes from this scenario itself (one of its steps, a
        state the exploration reached, a run's path): a missing one is a bug, raised as ``KeyError``."""
        return self._index[step_id]

    @property
    def endings(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.kind == ENDING)

    def outcome_label(self, outcome: str | None) -> str | None:
        if outcome is None:
            return None
        return self.outcomes.get(outcome, outcome)

    def to_dict(self) -> dict:
        """Plain JSON data; :meth:`from_dict` restores an equal scenario.

        The outline of all runs (best path, score range, most points per
        competency) is not part of it: whoever stores the data adds
        ``"outline": scenario_explore.outline(scenario)`` (the content layer
        does), and :meth:`from_dict` keeps it, so the engine never explores a
        stored scenario again.
        """
        return {
            "format": 1,
            "path": self.path, "title": self.title, "start": self.start, "intro": self.intro,
            "variables": dict(self.variables),
            "competencies": [c.to_dict() for c in self.competencies.values()],
            "outcomes": dict(self.outcomes),
            "pass": self.pass_rule.to_dict(),
            "characters": list(self.characters),
            "steps": [s.to_dict() for s in self.steps],
            "problems": [_problem_data(p) for p in self.problems],
            "variable_lines": dict(self.variable_lines),
            "accepts": [a.to_dict() for a in self.accepts],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        if data.get("format") != 1:
            raise ValueError(f"unsupported scenario data format {data.get('format')!r}")
        comps = [Competency.from_dict(c) for c in data.get("competencies", ())]
        scenario = cls(
            path=data["path"], title=data["title"], start=data["start"],
            steps=tuple(Step.from_dict(s) for s in data["steps"]),
            variables=dict(data["variables"]),
            competencies={c.tag: c for c in comps},
            outcomes=dict(data.get("outcomes", {})),
            pass_rule=PassRule.from_dict(data.get("pass")),
            intro=data.get("intro", ""),
            characters=tuple(data.get("characters", ())),
            problems=tuple(_problem_from(p) for p in data.get("problems", ())),
            variable_lines={str(k): int(v) for k, v in (data.get("variable_lines") or {}).items()},
            accepts=tuple(Acceptance.from_dict(a) for a in data.get("accepts") or ()),
        )
        if isinstance(data.get("outline"), dict):
            scenario._cache["outline"] = dict(data["outline"])
        return scenario


def _problem_data(problem: Problem) -> dict[str, Any]:
    """A problem as stored data: its code and parameters (the words are chosen where it is shown)."""
    return {"path": problem.path, "line": problem.line, "code": problem.code, "params": dict(problem.params),
            "severity": problem.severity}


def _problem_from(data: Mapping[str, Any]) -> Problem:
    if "code" not in data:  # stored before problems had codes: the English message stands for itself
        return Problem(data["path"], data["line"], data["message"])
    return Problem(data["path"], data["line"], data["code"], as_params(data.get("params") or {}),
                   data.get("severity", ERROR))
