"""Play a scenario: pure, deterministic functions from state to state.

The application keeps a :class:`RunState` per learner run (as JSON via
``to_dict``/``from_dict``) and calls :func:`view`, :func:`choose`,
:func:`submit_text` and :func:`summary` per request. Nothing here mutates
its arguments, reads the clock or touches a database.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .scenario_explore import AUTO, WROTE, apply_effects, competency_gains, outline, transitions
from .scenario_expr import Value
from .scenario_model import CHOICE, ENDING, ROUTE, TEXT, Line, Scenario, Step

MAX_TEXT_LENGTH = 5000
#: Automatic routes followed in a row before the run is declared broken.
MAX_AUTO_HOPS = 1000
#: A competency is weak when less than this share of the best possible was earned.
WEAK_SHARE = 0.5


class InvalidMove(ValueError):
    """The learner's move is not allowed now; the state is unchanged."""


class ScenarioError(RuntimeError):
    """The scenario itself is broken at this point (``check_scenario`` reports it)."""


@dataclass(frozen=True)
class RunState:
    """Where a run is: current step, variables, competency points, path.

    ``path`` lists the steps left so far as ``(step_id, action)``; the action
    is a reply id, ``"text"`` (a written reply) or ``"auto"`` (a routing step).
    Treat it as immutable: the engine returns new states.
    """

    step_id: str
    variables: dict[str, Value]
    competencies: dict[str, Value] = field(default_factory=dict)
    path: tuple[tuple[str, str], ...] = ()
    finished: bool = False
    outcome: str | None = None

    @property
    def mood(self) -> Value:
        """The customer's mood: ``experience - expectations``."""
        return self.variables.get("experience", 0) - self.variables.get("expectations", 0)

    @property
    def points(self) -> Value:
        return self.variables.get("points", 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "step_id": self.step_id, "variables": dict(self.variables),
            "competencies": dict(self.competencies), "path": [list(p) for p in self.path],
            "finished": self.finished, "outcome": self.outcome,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunState:
        """Rebuild a state; raises ``ValueError`` on malformed data."""
        try:
            step_id = data["step_id"]
            variables = dict(data["variables"])
            competencies = dict(data.get("competencies", {}))
            path = tuple((str(a), str(b)) for a, b in data.get("path", ()))
            finished = data.get("finished", False)
            outcome = data.get("outcome")
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a scenario run state: {exc}") from exc
        if not isinstance(step_id, str) or not isinstance(finished, bool):
            raise ValueError("not a scenario run state: bad 'step_id' or 'finished'")
        for v in (*variables.values(), *competencies.values()):
            if not isinstance(v, (int, float)):
                raise ValueError(f"not a scenario run state: value {v!r} is not a number or true/false")
        return cls(step_id, variables, competencies, path, finished, outcome)


@dataclass(frozen=True)
class ReplyView:
    """A reply as the player shows it: no target, no effects."""

    id: str
    text: str

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text}


@dataclass(frozen=True)
class StepView:
    """Everything the player may show for the current step of a run."""

    step_id: str
    title: str
    speaker: str | None
    text: str
    lines: tuple[Line, ...]
    replies: tuple[ReplyView, ...]
    is_free_text: bool
    prompt: str
    rubric: tuple[str, ...]
    mood: Value
    points: Value
    is_ending: bool
    outcome: str | None
    outcome_label: str | None
    debrief: str

    def to_dict(self) -> dict:
        return {
            "step_id": self.step_id, "title": self.title, "speaker": self.speaker, "text": self.text,
            "lines": [ln.to_dict() for ln in self.lines], "replies": [r.to_dict() for r in self.replies],
            "is_free_text": self.is_free_text, "prompt": self.prompt, "rubric": list(self.rubric),
            "mood": self.mood, "points": self.points, "is_ending": self.is_ending,
            "outcome": self.outcome, "outcome_label": self.outcome_label, "debrief": self.debrief,
        }


@dataclass(frozen=True)
class StepRef:
    id: str
    title: str
    kind: str

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "kind": self.kind}


@dataclass(frozen=True)
class CompetencyScore:
    """Earned vs possible points of one competency in a run.

    ``possible`` is what the learner could have earned at the steps they
    actually met (the best reply offered at each, in the state they were
    in; at most ``best``); ``best`` is the most any complete run can earn (None: unlimited).
    ``weak`` when the learner lost points (earned < 0) or earned less than
    ``WEAK_SHARE`` of ``possible``; a competency the run never touched is
    not weak.
    """

    tag: str
    label: str
    earned: Value
    possible: Value
    best: Value | None
    lesson: str | None
    weak: bool

    def to_dict(self) -> dict:
        return {"tag": self.tag, "label": self.label, "earned": self.earned, "possible": self.possible,
                "best": self.best, "lesson": self.lesson, "weak": self.weak}


@dataclass(frozen=True)
class RunSummary:
    """The result of a run, for the debrief page and the completion rule.

    ``passed`` is None when the rule needs points that only a trainer's
    review of written replies can still decide; ``awaiting_review`` lists
    those free-text steps. An unfinished run has ``passed = False``.
    """

    finished: bool
    outcome: str | None
    outcome_label: str | None
    debrief: str
    points: Value
    text_points: Value
    passed: bool | None
    awaiting_review: tuple[str, ...]
    profile: tuple[CompetencyScore, ...]
    weak: tuple[CompetencyScore, ...]
    path: tuple[StepRef, ...]
    best_path: tuple[StepRef, ...]
    best_points: Value | None

    def to_dict(self) -> dict:
        return {
            "finished": self.finished, "outcome": self.outcome, "outcome_label": self.outcome_label,
            "debrief": self.debrief, "points": self.points, "text_points": self.text_points,
            "passed": self.passed, "awaiting_review": list(self.awaiting_review),
            "profile": [c.to_dict() for c in self.profile], "weak": [c.to_dict() for c in self.weak],
            "path": [s.to_dict() for s in self.path], "best_path": [s.to_dict() for s in self.best_path],
            "best_points": self.best_points,
        }


# -- running ------------------------------------------------------------------

def _step(scenario: Scenario, state: RunState) -> Step:
    step = scenario.step(state.step_id)
    if step is None:
        raise InvalidMove(f"this run is at step '{state.step_id}', which scenario '{scenario.path}' does not have")
    return step


def _settle(scenario: Scenario, state: RunState) -> RunState:
    """Follow automatic routes until a step that needs the learner or an ending."""
    for _ in range(MAX_AUTO_HOPS):
        step = scenario.step(state.step_id)
        if step is None:
            raise ScenarioError(f"{scenario.path}: the run reached step '{state.step_id}', which does not exist")
        if step.kind == ENDING:
            return RunState(state.step_id, state.variables, state.competencies, state.path, True, step.outcome)
        if step.kind != ROUTE:
            return state
        moves = transitions(step, state.variables)
        if not moves:
            raise ScenarioError(f"{scenario.path}:{step.line}: dead end at routing step '{step.id}': "
                                f"no route condition holds")
        state = _move(state, step, AUTO, moves[0][1])
    raise ScenarioError(f"{scenario.path}: routes loop without asking the learner (more than {MAX_AUTO_HOPS} in a row)")


def _move(state: RunState, step: Step, action: str, link) -> RunState:
    variables, competencies = apply_effects(state.variables, state.competencies, link.effects)
    return RunState(link.target, variables, competencies, (*state.path, (step.id, action)), False, None)


def _check_turn(scenario: Scenario, state: RunState, expected_step: str | None) -> Step:
    if state.finished:
        raise InvalidMove("this run is finished; start a new one to play again")
    if expected_step is not None and expected_step != state.step_id:
        raise InvalidMove(f"this answer is for step '{expected_step}', but the run is now at step "
                          f"'{state.step_id}' (an old page was sent again)")
    return _step(scenario, state)


def start_state(scenario: Scenario) -> RunState:
    """A new run: initial variables, at the start step (after any routing)."""
    if scenario.step(scenario.start) is None:
        raise ScenarioError(f"{scenario.path}: the scenario has no start step")
    return _settle(scenario, RunState(scenario.start, dict(scenario.variables)))


def view(scenario: Scenario, state: RunState) -> StepView:
    """What the player may show now: never targets, effects or conditions."""
    step = _step(scenario, state)
    replies: tuple[ReplyView, ...] = ()
    if step.kind == CHOICE and not state.finished:
        replies = tuple(ReplyView(r.id, r.text) for r in step.replies if r.available(state.variables))
    ending = step.kind == ENDING
    return StepView(
        step_id=step.id, title=step.title, speaker=step.speaker, text=step.text, lines=step.lines,
        replies=replies, is_free_text=step.kind == TEXT, prompt=step.prompt,
        rubric=tuple(item.label for item in step.rubric),
        mood=state.mood, points=state.points, is_ending=ending,
        outcome=step.outcome if ending else None,
        outcome_label=scenario.outcome_label(step.outcome) if ending else None,
        debrief=step.debrief if ending else "",
    )


def choose(scenario: Scenario, state: RunState, reply_id: str, expected_step: str | None = None) -> RunState:
    """Take reply ``reply_id`` and return the new state.

    Raises :class:`InvalidMove` if the run is finished, ``expected_step`` is
    not the current step (a replayed old page), the step does not offer
    choices, or the reply is not offered in this state (e.g. tampered).
    """
    step = _check_turn(scenario, state, expected_step)
    if step.kind != CHOICE:
        raise InvalidMove(f"step '{step.id}' does not offer replies to choose")
    reply = step.reply(str(reply_id))
    if reply is None or not reply.available(state.variables):
        raise InvalidMove(f"reply {reply_id!r} is not offered at step '{step.id}' now")
    return _settle(scenario, _move(state, step, reply.id, reply))


def submit_text(scenario: Scenario, state: RunState, text: str, expected_step: str | None = None) -> RunState:
    """Hand in a written reply at a free-text step and move on.

    The text itself is not kept in the state: the application stores it for
    the trainers' review. Raises :class:`InvalidMove` if the step does not
    ask for text, or the text is empty or longer than ``MAX_TEXT_LENGTH``.
    """
    step = _check_turn(scenario, state, expected_step)
    if step.kind != TEXT:
        raise InvalidMove(f"step '{step.id}' does not ask for a written reply")
    if not isinstance(text, str) or not text.strip():
        raise InvalidMove("the reply is empty; write what you would say to the customer")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidMove(f"the reply is {len(text)} characters long; the limit is {MAX_TEXT_LENGTH}")
    moves = transitions(step, state.variables)
    if not moves:
        raise ScenarioError(f"{scenario.path}:{step.line}: dead end after free-text step '{step.id}': "
                            f"no route condition holds")
    return _settle(scenario, _move(state, step, WROTE, moves[0][1]))


def _possible_on_path(scenario: Scenario, state: RunState) -> dict[str, Value]:
    """Per competency: the best reply's points at every step the run met.

    Replays the run's path from the start (the engine is deterministic), so
    each step is judged by the replies offered in the state the learner was in.
    """
    possible: dict[str, Value] = {}
    variables: dict[str, Value] = dict(scenario.variables)
    for step_id, action in state.path:
        step = scenario.step(step_id)
        if step is None:
            break
        moves = transitions(step, variables)
        if not moves:
            break
        gains = [competency_gains(link) for _, link in moves]
        for tag in scenario.competencies:
            possible[tag] = possible.get(tag, 0) + max(g.get(tag, 0) for g in gains)
        taken = next((link for act, link in moves if act == action), None)
        if taken is None:
            break
        variables, _ = apply_effects(variables, {}, taken.effects)
    return possible


def best_path(scenario: Scenario) -> list[str]:
    """Step ids of the best run: one that passes, with the most points, shortest."""
    return list(outline(scenario)["best_path"])


def summary(
    scenario: Scenario, state: RunState, text_points: Mapping[str, Value] | None = None
) -> RunSummary:
    """The result of a run.

    ``text_points`` maps free-text step ids to the rubric points a trainer
    awarded; they add to the run's points. With ``pass: min_points`` and a
    written reply not reviewed yet, ``passed`` is None unless the answer is
    already certain (enough points without it, or too few even with full
    rubric points).
    """
    text_points = dict(text_points or {})
    analysis = outline(scenario)
    step = scenario.step(state.step_id)
    written = tuple(dict.fromkeys(sid for sid, action in state.path if action == WROTE))
    pending = tuple(sid for sid in written if sid not in text_points)
    reviewed = sum(v for sid, v in text_points.items() if sid in written)
    points = state.points + reviewed
    rule = scenario.pass_rule

    passed: bool | None
    if not state.finished:
        passed = False
    elif not rule.outcome_ok(state.outcome):
        passed = False
    elif rule.min_points is None or points >= rule.min_points:
        passed = True
    else:
        best_case = points + sum(item.points for sid in pending for item in scenario.known_step(sid).rubric)
        passed = None if pending and best_case >= rule.min_points else False

    possible = _possible_on_path(scenario, state)
    profile = []
    for tag, comp in scenario.competencies.items():
        earned = state.competencies.get(tag, 0)
        best = analysis["competency_max"].get(tag)
        could = possible.get(tag, 0)
        if best is not None:
            could = min(could, best)  # steps met can't all be won in one run
        weak = earned < 0 or (could > 0 and earned < could * WEAK_SHARE)
        profile.append(CompetencyScore(tag, comp.label, earned, could, best, comp.lesson, weak))

    def ref(sid: str) -> StepRef:
        s = scenario.step(sid)
        return StepRef(sid, s.title if s else sid, s.kind if s else "")

    taken = [sid for sid, _ in state.path] + [state.step_id]
    return RunSummary(
        finished=state.finished, outcome=state.outcome,
        outcome_label=scenario.outcome_label(state.outcome),
        debrief=step.debrief if step is not None and step.kind == ENDING else "",
        points=points, text_points=reviewed, passed=passed,
        awaiting_review=pending, profile=tuple(profile), weak=tuple(c for c in profile if c.weak),
        path=tuple(ref(s) for s in taken), best_path=tuple(ref(s) for s in analysis["best_path"]),
        best_points=analysis["best_points"],
    )
