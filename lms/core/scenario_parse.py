"""Parse a role-play scenario written as Markdown (see docs/scenario-format.md).

The parser never raises on bad content: it returns a usable
:class:`~lms.core.scenario_model.Scenario` plus every problem found, each at
the file line to fix. Broken conditions become never-true conditions and
unknown effects are dropped, so even a scenario with problems cannot crash
a run.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from .frontmatter import Document, split_front_matter
from .problems import Problem
from .scenario_expr import KEYWORDS, NAME_RE, NUM, kind_of, parse_condition
from .scenario_model import (
    BUILTIN_VARIABLES,
    CHOICE,
    ENDING,
    MOOD,
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

#: Front matter keys a scenario understands.
SCENARIO_KEYS = frozenset({
    "title", "type", "minutes", "summary", "start", "variables", "competencies",
    "characters", "outcomes", "pass",
})

_STEP_RE = re.compile(r"^##(?!#)\s*(?P<title>.*?)\s*(?:\{#(?P<id>[^}]*)\})?\s*$")
_ID_RE = re.compile(r"^[\w-]+$")
_TITLE_RE = re.compile(r"^#(?!#)\s*(?P<title>.+?)\s*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_ROUTE_RE = re.compile(r"^\s*(?:->|→)\s*(?P<rest>.*)$")
_RUBRIC_RE = re.compile(r"^\s*[-*+]\s+\[[ xX]\](?!\()\s*(?P<label>.*)$")
_REPLY_RE = re.compile(r"^\s*[-*+]\s+\[(?P<text>.*)\]\((?P<target>[^)]*)\)(?P<rest>.*)$")
_OUTCOME_RE = re.compile(r"^\s*(?:\*\*)?(?:outcome|итог)\s*:\s*(?:\*\*)?\s*(?P<name>.*?)\s*$", re.IGNORECASE)
_FREE_TEXT_RE = re.compile(
    r"^\s*(?:\*\*)?(?:write your reply|ваш ответ)\s*:\s*(?:\*\*)?\s*(?P<prompt>.*?)\s*$", re.IGNORECASE
)
_EFFECT_RE = re.compile(r"^(?P<name>[^\W\d]\w*)(?P<op>[+\-=])(?P<value>.+)$")
_NUMBER_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
_IF_RE = re.compile(r"(?:^|\s)if(?:\s|$)")
_POINTS_RE = re.compile(r"^(?P<label>.*?)\s*\((?P<points>\d+(?:\.\d+)?)\)\s*$")
_SPEAKER_RES = (
    re.compile(r"^\*\*(?P<name>[^*]+?)\s*:\s*\*\*\s*(?P<rest>.*)$", re.DOTALL),
    re.compile(r"^\*\*(?P<name>[^*]+?)\*\*\s*:\s*(?P<rest>.*)$", re.DOTALL),
)

EFFECT_HELP = "write name+N, name-N or name=value (a number or true/false), then optionally 'if condition'"


def parse_scenario(text: str, path: str) -> tuple[Scenario, list[Problem]]:
    """Parse a scenario file's ``text``; problems are reported against ``path``."""
    return parse_scenario_document(split_front_matter(text, path), text)


def parse_scenario_document(doc: Document, text: str | None = None) -> tuple[Scenario, list[Problem]]:
    """Parse a scenario from a front-matter ``doc``.

    Pass the file's ``text`` too, when at hand, so problems in the front
    matter are reported at their own line rather than at line 1.
    """
    return _ScenarioParser(doc, text).run()


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _fmt(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


class _ScenarioParser:
    def __init__(self, doc: Document, text: str | None):
        self.doc = doc
        self.path = doc.path
        self.problems: list[Problem] = list(doc.problems)
        self.front_lines = text.lstrip("\ufeff").split("\n")[: max(doc.body_line - 1, 0)] if text else []
        self.variables: dict[str, Any] = dict(BUILTIN_VARIABLES)
        self.kinds: dict[str, str] = {}
        self.competencies: dict[str, Competency] = {}
        self.characters: dict[str, str] = {}
        self.outcome_labels: dict[str, str] = {}
        self.declared_outcomes = False
        self.used_competencies: set[str] = set()
        self.declared_tags: set[str] = set()

    # -- helpers -----------------------------------------------------------
    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def meta_line(self, *keys: str) -> int:
        """File line of front matter ``key`` (nested keys are searched in turn)."""
        line_no, start = 1, 0
        for depth, key in enumerate(keys):
            pattern = re.compile(r"^" + (r"" if depth == 0 else r"\s+") + r"(?:-\s*)?['\"]?" + re.escape(str(key)) + r"['\"]?\s*:")
            for i in range(start, len(self.front_lines)):
                if pattern.match(self.front_lines[i]):
                    line_no, start = i + 1, i + 1
                    break
            else:
                return line_no
        return line_no

    # -- front matter --------------------------------------------------------
    def front_matter(self) -> None:
        meta = self.doc.meta
        for key in sorted(set(meta) - SCENARIO_KEYS, key=str):
            self.problem(self.meta_line(key), f"unknown front matter key '{key}' for a scenario "
                                              f"(known: {', '.join(sorted(SCENARIO_KEYS))})")
        self.parse_variables(meta.get("variables"))
        self.kinds = {name: kind_of(value) or NUM for name, value in self.variables.items()}
        self.kinds[MOOD] = NUM
        self.parse_competencies(meta.get("competencies"))
        self.parse_characters(meta.get("characters"))
        self.parse_outcomes(meta.get("outcomes"))

    def parse_variables(self, raw: Any) -> None:
        if raw is None:
            return
        if not isinstance(raw, Mapping):
            self.problem(self.meta_line("variables"),
                         "'variables:' must list 'name: initial value' lines, e.g. 'promised: false'")
            return
        for name, value in raw.items():
            line = self.meta_line("variables", name)
            name = str(name)
            if name == MOOD:
                self.problem(line, "'mood' is derived (experience - expectations) and cannot be declared; "
                                   "set 'experience' or 'expectations' instead")
                continue
            if not NAME_RE.fullmatch(name) or name in KEYWORDS:
                self.problem(line, f"'{name}' is not a usable variable name: use letters, digits and '_', "
                                   f"starting with a letter (and not and/or/not/true/false/if)")
                continue
            if kind_of(value) is None:
                self.problem(line, f"variable '{name}' needs an initial value that is a number or true/false, "
                                   f"got {value!r}")
                continue
            if name in BUILTIN_VARIABLES and kind_of(value) != NUM:
                self.problem(line, f"'{name}' is a number; give it a number as its initial value")
                continue
            self.variables[name] = value

    def parse_competencies(self, raw: Any) -> None:
        if raw is None:
            return
        items: list[tuple[Any, Any]]
        if isinstance(raw, list):
            items = [(tag, None) for tag in raw]
        elif isinstance(raw, Mapping):
            items = list(raw.items())
        else:
            self.problem(self.meta_line("competencies"),
                         "'competencies:' must map tags to labels, e.g. 'needs: {label: ..., lesson: ...}'")
            return
        for tag, spec in items:
            line = self.meta_line("competencies", tag)
            tag = str(tag)
            if not NAME_RE.fullmatch(tag) or tag in KEYWORDS:
                self.problem(line, f"'{tag}' is not a usable competency tag: use letters, digits and '_'")
                continue
            if tag in self.variables or tag == MOOD:
                self.problem(line, f"'{tag}' is both a variable and a competency; rename one of them")
                continue
            label, lesson = STANDARD_COMPETENCIES.get(tag, tag), None
            if isinstance(spec, str):
                label = spec
            elif isinstance(spec, Mapping):
                unknown = set(spec) - {"label", "lesson"}
                if unknown:
                    self.problem(line, f"competency '{tag}' has unknown keys {sorted(map(str, unknown))}; "
                                       f"use 'label:' and 'lesson:'")
                if spec.get("label") is not None:
                    label = str(spec["label"])
                if spec.get("lesson") is not None:
                    lesson = str(spec["lesson"])
            elif spec is not None:
                self.problem(line, f"competency '{tag}' must be a label or '{{label: ..., lesson: ...}}'")
            self.competencies[tag] = Competency(tag, label, lesson)
            self.declared_tags.add(tag)

    def parse_characters(self, raw: Any) -> None:
        if raw is None:
            return
        if isinstance(raw, list):
            self.characters = {str(c): str(c) for c in raw}
        elif isinstance(raw, Mapping):
            self.characters = {str(k): str(v) for k, v in raw.items()}
            self.characters.update({str(v): str(v) for v in raw.values()})
        else:
            self.problem(self.meta_line("characters"), "'characters:' must be a list of names, e.g. [Клиент, Руководитель]")

    def parse_outcomes(self, raw: Any) -> None:
        if raw is None:
            return
        self.declared_outcomes = True
        if isinstance(raw, list):
            self.outcome_labels = {str(o): str(o) for o in raw}
        elif isinstance(raw, Mapping):
            self.outcome_labels = {str(k): str(v) for k, v in raw.items()}
        else:
            self.problem(self.meta_line("outcomes"), "'outcomes:' must map outcome names to labels, e.g. 'loyal: Постоянный клиент'")
            self.declared_outcomes = False

    def parse_pass(self, raw: Any, ending_outcomes: set[str]) -> PassRule:
        if raw is None:
            return PassRule()
        line = self.meta_line("pass")
        if not isinstance(raw, Mapping):
            self.problem(line, "'pass:' must be e.g. '{min_points: 10}' or '{outcomes: [loyal, recommends]}'")
            return PassRule()
        for key in sorted(set(raw) - {"min_points", "outcomes"}, key=str):
            self.problem(line, f"unknown key '{key}' in 'pass:' (known: min_points, outcomes)")
        min_points = raw.get("min_points")
        if min_points is not None and kind_of(min_points) != NUM:
            self.problem(line, f"'pass: min_points' must be a number, got {min_points!r}")
            min_points = None
        outcomes = raw.get("outcomes")
        if outcomes is not None:
            if isinstance(outcomes, str):
                outcomes = [outcomes]
            if not isinstance(outcomes, list) or not outcomes:
                self.problem(line, "'pass: outcomes' must be a list of outcome names, e.g. [loyal, recommends]")
                outcomes = None
            else:
                outcomes = [str(o) for o in outcomes]
                for name in outcomes:
                    if name not in ending_outcomes:
                        known = ", ".join(sorted(ending_outcomes)) or "none yet"
                        self.problem(line, f"'pass: outcomes' names '{name}', but no ending has 'outcome: {name}' "
                                           f"(endings have: {known})")
        return PassRule(min_points, None if outcomes is None else tuple(outcomes), line)

    # -- effects and conditions ----------------------------------------------
    def condition(self, source: str, line: int) -> Condition:
        parsed = parse_condition(source, self.kinds)
        for message in parsed.errors:
            self.problem(line, message)
        return Condition(source, parsed.tree)

    def effect(self, token: str, line: int) -> Effect | None:
        m = _EFFECT_RE.match(token)
        if m is None:
            self.problem(line, f"unknown effect '{token}': {EFFECT_HELP}")
            return None
        name, op, raw = m.group("name"), m.group("op"), m.group("value")
        if raw in ("true", "false"):
            value: Any = raw == "true"
        elif _NUMBER_RE.match(raw):
            value = _number(raw)
        else:
            self.problem(line, f"unknown effect '{token}': the value '{raw}' must be a number or true/false")
            return None
        if name == MOOD:
            self.problem(line, f"'{token}': mood is experience - expectations and cannot be set; "
                               f"change 'experience' or 'expectations' instead")
            return None
        if name in self.variables:
            kind = self.kinds[name]
            if op in "+-" and kind != NUM:
                self.problem(line, f"'{token}': '{name}' is true/false, so it can only be set: {name}=true or {name}=false")
                return None
            if kind_of(value) != kind:
                self.problem(line, f"'{token}': '{name}' is a {kind}, so its value must be a {kind} "
                                   f"(initial value {_fmt(self.variables[name])})")
                return None
            return Effect(name, op, value)
        if name in self.competencies or name in STANDARD_COMPETENCIES:
            if op == "=" or kind_of(value) != NUM:
                self.problem(line, f"'{token}': competency points only add up; write {name}+N or {name}-N")
                return None
            if name not in self.competencies:
                self.competencies[name] = Competency(name, STANDARD_COMPETENCIES[name])
            self.used_competencies.add(name)
            return Effect(name, op, value, competency=True)
        hint = difflib.get_close_matches(name, [*self.variables, *self.competencies, *STANDARD_COMPETENCIES], n=1)
        also = f" (did you mean '{hint[0]}'?)" if hint else ""
        self.problem(line, f"unknown name '{name}' in effect '{token}'{also}: declare it under 'variables:' "
                           f"(a state value, e.g. '{name}: 0') or 'competencies:' (a skill tag) in the front matter")
        return None

    def tail(self, rest: str, line: int) -> tuple[tuple[Effect, ...], Condition | None]:
        """Effects and the optional ``if`` condition written after a link."""
        m = _IF_RE.search(rest)
        effects_text, cond_text = (rest[: m.start()], rest[m.end():]) if m else (rest, None)
        effects = []
        for token in effects_text.split():
            effect = self.effect(token, line)
            if effect is not None:
                effects.append(effect)
        condition = None
        if cond_text is not None:
            if not cond_text.strip():
                self.problem(line, "'if' must be followed by a condition, e.g. 'if promised' or 'if mood < 0'")
                condition = Condition("", None)
            else:
                condition = self.condition(cond_text.strip(), line)
        return tuple(effects), condition

    # -- body ---------------------------------------------------------------
    def run(self) -> tuple[Scenario, list[Problem]]:
        self.front_matter()
        body = self.doc.body.split("\n")
        intro: list[str] = []
        title_from_body: str | None = None
        sections: list[tuple[str, str | None, int, list[tuple[int, str]]]] = []
        in_fence = False
        for offset, text in enumerate(body):
            line = self.doc.file_line(offset)
            if _FENCE_RE.match(text):
                in_fence = not in_fence
            heading = None if in_fence else _STEP_RE.match(text)
            if heading:
                sections.append((heading.group("title"), heading.group("id"), line, []))
                continue
            if sections:
                sections[-1][3].append((line, text))
            else:
                title_match = None if in_fence else _TITLE_RE.match(text)
                if title_match and title_from_body is None and not "".join(intro).strip():
                    title_from_body = title_match.group("title")
                else:
                    intro.append(text)

        steps: list[Step] = []
        seen: dict[str, int] = {}
        for title, step_id, line, entries in sections:
            if step_id is None or not step_id.strip():
                self.problem(line, f"step '{title}' needs an id: write '## {title or 'Title'} {{#step-id}}'")
                continue
            if not _ID_RE.match(step_id):
                self.problem(line, f"step id '{step_id}' may only use letters, digits, '-' and '_'")
                continue
            if step_id in seen:
                self.problem(line, f"step id '{step_id}' is already used at line {seen[step_id]}; ids must be unique")
                continue
            seen[step_id] = line
            steps.append(self.step(title or step_id, step_id, line, entries))

        ids = {s.id for s in steps}
        if not sections:
            self.problem(self.doc.body_line, "the scenario has no steps; add step headings like '## Запрос клиента {#request}'")
        for step in steps:
            for link in (*step.replies, *step.routes):
                if link.target not in ids:
                    hint = difflib.get_close_matches(link.target, sorted(ids), n=1)
                    also = f" (did you mean '#{hint[0]}'?)" if hint else ""
                    self.problem(link.line, f"link to '#{link.target}', but no step has that id{also}")
        ending_outcomes = {s.outcome for s in steps if s.kind == ENDING and s.outcome}
        if steps and not any(s.kind == ENDING for s in steps):
            self.problem(steps[0].line, "the scenario has no ending; mark at least one step with a line "
                                        "'outcome: name' (e.g. 'outcome: loyal')")
        pass_rule = self.parse_pass(self.doc.meta.get("pass"), ending_outcomes)

        start = self.doc.meta.get("start")
        if start is not None:
            start = str(start).lstrip("#")
            if start not in ids:
                self.problem(self.meta_line("start"), f"'start: {start}' names no step; use one of the step ids")
                start = None
        if start is None:
            start = steps[0].id if steps else ""

        meta_title = self.doc.meta.get("title")
        title = str(meta_title).strip() if meta_title else (title_from_body or self.path.rsplit("/", 1)[-1])
        competencies = {
            tag: comp for tag, comp in self.competencies.items()
            if tag in self.used_competencies or tag in self.declared_tags
        }
        problems = sorted(set(self.problems))
        scenario = Scenario(
            path=self.path, title=title, start=start, steps=tuple(steps),
            variables=dict(self.variables), competencies=competencies,
            outcomes={o: self.outcome_labels.get(o, o) for o in
                      [*self.outcome_labels, *sorted(ending_outcomes - set(self.outcome_labels))]},
            pass_rule=pass_rule, intro="\n".join(intro).strip(),
            characters=tuple(dict.fromkeys(self.characters.values())),
            problems=tuple(problems),
        )
        return scenario, problems

    def step(self, title: str, step_id: str, line: int, entries: list[tuple[int, str]]) -> Step:
        replies: list[Reply] = []
        routes: list[Route] = []
        rubric: list[RubricItem] = []
        speech: list[tuple[int, str]] = []
        debrief: list[str] = []
        outcome: str | None = None
        outcome_line = 0
        free_text_line = 0
        prompt = ""
        in_fence = False
        for ln, text in entries:
            if _FENCE_RE.match(text):
                in_fence = not in_fence
            if in_fence or _FENCE_RE.match(text):
                if outcome_line:
                    debrief.append(text)
                else:
                    speech.append((ln, text))
                continue
            if m := _ROUTE_RE.match(text):
                route = self.route(m.group("rest"), ln)
                if route is not None:
                    routes.append(route)
                continue
            if m := _RUBRIC_RE.match(text):
                label, points = m.group("label").strip(), 1
                pm = _POINTS_RE.match(label)
                if pm:
                    label, points = pm.group("label").strip(), _number(pm.group("points"))
                if not label:
                    self.problem(ln, "a checklist item needs a text: '- [ ] named the time (2)'")
                    continue
                rubric.append(RubricItem(label, points, ln))
                continue
            if (m := _REPLY_RE.match(text)) and self.is_step_link(m.group("target")):
                target = m.group("target").strip()
                if not target.startswith("#"):
                    self.problem(ln, f"a reply links to a step as '(#{target})', with '#'")
                target = target.lstrip("#")
                reply_text = m.group("text").strip()
                if not reply_text:
                    self.problem(ln, "a reply needs a text: '- [What the salesperson says](#next-step)'")
                effects, condition = self.tail(m.group("rest"), ln)
                replies.append(Reply(str(len(replies) + 1), reply_text, target, effects, condition, ln))
                continue
            if m := _OUTCOME_RE.match(text):
                name = m.group("name")
                if outcome_line:
                    self.problem(ln, f"step '{step_id}' already has 'outcome:' at line {outcome_line}")
                    continue
                outcome_line = ln
                if not _ID_RE.match(name):
                    self.problem(ln, f"'outcome: {name}': an outcome is one word (letters, digits, '-', '_'), e.g. 'outcome: loyal'")
                    name = name or "ending"
                elif self.declared_outcomes and name not in self.outcome_labels:
                    self.problem(ln, f"outcome '{name}' is not in the front matter 'outcomes:' "
                                     f"({', '.join(self.outcome_labels)})")
                outcome = name
                continue
            if m := _FREE_TEXT_RE.match(text):
                if free_text_line:
                    self.problem(ln, f"step '{step_id}' already asks for a written reply at line {free_text_line}")
                    continue
                free_text_line = ln
                prompt = m.group("prompt")
                continue
            if outcome_line:
                debrief.append(text)
            else:
                speech.append((ln, text))

        kind = CHOICE
        if outcome_line:
            kind = ENDING
            if replies or routes or free_text_line or rubric:
                self.problem(outcome_line, f"ending step '{step_id}' cannot also have replies, routes or a written "
                                           f"reply; remove them or the 'outcome:' line")
            replies, routes, rubric = [], [], []
        elif free_text_line:
            kind = TEXT
            if replies:
                self.problem(replies[0].line, f"step '{step_id}' asks for a written reply, so it cannot offer "
                                              f"replies to choose; move them to another step")
                replies = []
            if not rubric:
                self.problem(free_text_line, f"free-text step '{step_id}' needs a rubric: add checklist lines "
                                             f"like '- [ ] named when the proposal will come (2)'")
            if not routes:
                self.problem(free_text_line, f"free-text step '{step_id}' needs a next step: add '-> #next-step'")
        else:
            if rubric:
                self.problem(rubric[0].line, f"checklist items belong to a free-text step; add a 'Write your reply:' "
                                             f"line to step '{step_id}' or make them replies '- [Text](#step)'")
                rubric = []
            if replies and routes:
                self.problem(routes[0].line, f"step '{step_id}' has both replies and '->' routes; a step either "
                                             f"offers replies or routes automatically")
                routes = []
            if routes:
                kind = ROUTE
            elif not replies:
                self.problem(line, f"step '{step_id}' leads nowhere: add replies '- [Reply](#next-step)', a route "
                                   f"'-> #next-step', 'Write your reply:' with a rubric, or 'outcome: name' for an ending")

        return Step(
            id=step_id, title=title, kind=kind, line=line, lines=self.speech(speech),
            replies=tuple(replies), routes=tuple(routes), prompt=prompt, rubric=tuple(rubric),
            outcome=outcome, debrief="\n".join(debrief).strip(),
        )

    @staticmethod
    def is_step_link(target: str) -> bool:
        """A list item that is a link is a reply unless it points to a page or site."""
        target = target.strip()
        return target.startswith("#") or not any(c in target for c in "/:.")

    def route(self, rest: str, line: int) -> Route | None:
        m = re.match(r"^#(?P<id>[^\s]+)(?P<tail>.*)$", rest.strip())
        if m is None:
            self.problem(line, "a route names the next step: '-> #step-id [effects] [if condition]'")
            return None
        effects, condition = self.tail(m.group("tail"), line)
        return Route(m.group("id"), effects, condition, line)

    def speech(self, entries: list[tuple[int, str]]) -> tuple[Line, ...]:
        paragraphs: list[list[str]] = []
        current: list[str] = []
        for _ln, text in entries:
            if text.strip():
                current.append(text)
            elif current:
                paragraphs.append(current)
                current = []
        if current:
            paragraphs.append(current)
        lines = []
        for para in paragraphs:
            text = "\n".join(para).strip()
            speaker = None
            for regex in _SPEAKER_RES:
                m = regex.match(text)
                if m:
                    name = m.group("name").strip()
                    if not self.characters or name in self.characters:
                        speaker = self.characters.get(name, name)
                        text = m.group("rest").strip()
                    break
            lines.append(Line(speaker, text))
        return tuple(lines)
