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
from typing import Any

from .accept import body_marker, take_marker
from .frontmatter import Document, split_front_matter
from .problems import Problem, define
from .scenario_expr import NUM, kind_of, parse_condition
from .scenario_front import FrontMatterReader
from .scenario_model import (
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
    Reply,
    Requirement,
    Route,
    RubricItem,
    Scenario,
    Step,
)

_STEP_RE = re.compile(r"^##(?!#)\s*(?P<title>.*?)\s*(?:\{#(?P<id>[^}]*)\})?\s*$")
_ID_RE = re.compile(r"^[\w-]+$")
_TITLE_RE = re.compile(r"^#(?!#)\s*(?P<title>.+?)\s*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_ROUTE_RE = re.compile(r"^\s*(?:->|→)\s*(?P<rest>.*)$")
_RUBRIC_RE = re.compile(r"^\s*[-*+]\s+\[[ xX]\](?!\()\s*(?P<label>.*)$")
_REPLY_RE = re.compile(r"^\s*[-*+]\s+\[(?P<text>.*)\]\((?P<target>[^)]*)\)(?P<rest>.*)$")
_OUTCOME_RE = re.compile(r"^\s*(?:\*\*)?(?:outcome|итог)\s*:\s*(?:\*\*)?\s*(?P<name>.*?)\s*$", re.IGNORECASE)
_REQUIRES_RE = re.compile(r"^\s*(?:\*\*)?requires\s*:\s*(?:\*\*)?\s*(?P<condition>.*?)\s*$", re.IGNORECASE)
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

# -- the problems of its steps (those of the front matter are in scenario_front) ------
EFFECT_SYNTAX = define("scenario.effect-syntax", "unknown effect '%(token)s': write name+N, name-N or name=value "
                                                 "(a number or true/false), then optionally 'if condition'")
EFFECT_VALUE = define("scenario.effect-value",
                      "unknown effect '%(token)s': the value '%(value)s' must be a number or true/false")
EFFECT_MOOD = define("scenario.effect-mood", "'%(token)s': mood is experience - expectations and cannot be set; "
                                             "change 'experience' or 'expectations' instead")
EFFECT_ADDS_TO_BOOLEAN = define("scenario.effect-adds-to-boolean", "'%(token)s': '%(name)s' is true/false, so it can "
                                "only be set: %(name)s=true or %(name)s=false")
EFFECT_NEEDS_NUMBER = define("scenario.effect-needs-number", "'%(token)s': '%(name)s' is a number, so its value must "
                                                             "be a number (initial value %(initial)s)")
EFFECT_NEEDS_BOOLEAN = define("scenario.effect-needs-boolean", "'%(token)s': '%(name)s' is true/false, so its value "
                                                               "must be true/false (initial value %(initial)s)")
EFFECT_COMPETENCY = define("scenario.effect-competency",
                           "'%(token)s': competency points only add up; write %(name)s+N or %(name)s-N")
EFFECT_UNKNOWN_NAME = define("scenario.effect-unknown-name", "unknown name '%(name)s' in effect '%(token)s': declare "
                             "it under 'variables:' (a state value, e.g. '%(name)s: 0') or 'competencies:' "
                             "(a skill tag) in the front matter")
EFFECT_UNKNOWN_NAME_HINT = define("scenario.effect-unknown-name-hint", "unknown name '%(name)s' in effect "
                                  "'%(token)s' (did you mean '%(hint)s'?): declare it under 'variables:' (a state "
                                  "value, e.g. '%(name)s: 0') or 'competencies:' (a skill tag) in the front matter")
IF_WITHOUT_CONDITION = define("scenario.if-without-condition",
                              "'if' must be followed by a condition, e.g. 'if promised' or 'if mood < 0'")
STEP_WITHOUT_ID = define("scenario.step-without-id", "step '%(title)s' needs an id: write '## %(title)s {#step-id}'")
BAD_STEP_ID = define("scenario.bad-step-id", "step id '%(step)s' may only use letters, digits, '-' and '_'")
DUPLICATE_STEP_ID = define("scenario.duplicate-step-id",
                           "step id '%(step)s' is already used at line %(line)s; ids must be unique")
NO_STEPS = define("scenario.no-steps",
                  "the scenario has no steps; add step headings like '## Запрос клиента {#request}'")
MISSING_STEP = define("scenario.missing-step", "link to '#%(target)s', but no step has that id")
MISSING_STEP_HINT = define("scenario.missing-step-hint",
                           "link to '#%(target)s', but no step has that id (did you mean '#%(hint)s'?)")
NO_ENDING = define("scenario.no-ending", "the scenario has no ending; mark at least one step with a line "
                                         "'outcome: name' (e.g. 'outcome: loyal')")
BAD_START = define("scenario.bad-start", "'start: %(start)s' names no step; use one of the step ids")
EMPTY_CHECKLIST_ITEM = define("scenario.empty-checklist-item",
                              "a checklist item needs a text: '- [ ] named the time (2)'")
REPLY_WITHOUT_HASH = define("scenario.reply-without-hash", "a reply links to a step as '(#%(target)s)', with '#'")
EMPTY_REPLY = define("scenario.empty-reply", "a reply needs a text: '- [What the salesperson says](#next-step)'")
SECOND_OUTCOME = define("scenario.second-outcome", "step '%(step)s' already has 'outcome:' at line %(line)s")
BAD_OUTCOME = define("scenario.bad-outcome", "'outcome: %(name)s': an outcome is one word (letters, digits, '-', "
                                             "'_'), e.g. 'outcome: loyal'")
UNDECLARED_OUTCOME = define("scenario.undeclared-outcome",
                            "outcome '%(name)s' is not in the front matter 'outcomes:' (%(known)s)")
SECOND_WRITTEN_REPLY = define("scenario.second-written-reply",
                              "step '%(step)s' already asks for a written reply at line %(line)s")
ENDING_WITH_MOVES = define("scenario.ending-with-moves", "ending step '%(step)s' cannot also have replies, routes or "
                                                         "a written reply; remove them or the 'outcome:' line")
WRITTEN_WITH_REPLIES = define("scenario.written-with-replies", "step '%(step)s' asks for a written reply, so it cannot "
                                                               "offer replies to choose; move them to another step")
WRITTEN_WITHOUT_RUBRIC = define("scenario.written-without-rubric", "free-text step '%(step)s' needs a rubric: add "
                                "checklist lines like '- [ ] named when the proposal will come (2)'")
WRITTEN_WITHOUT_NEXT = define("scenario.written-without-next",
                              "free-text step '%(step)s' needs a next step: add '-> #next-step'")
CHECKLIST_OUTSIDE_WRITTEN = define("scenario.checklist-outside-written", "checklist items belong to a free-text step; "
                                   "add a 'Write your reply:' line to step '%(step)s' or make them replies "
                                   "'- [Text](#step)'")
REPLIES_AND_ROUTES = define("scenario.replies-and-routes", "step '%(step)s' has both replies and '->' routes; a step "
                                                           "either offers replies or routes automatically")
LEADS_NOWHERE = define("scenario.leads-nowhere", "step '%(step)s' leads nowhere: add replies '- [Reply](#next-step)', "
                       "a route '-> #next-step', 'Write your reply:' with a rubric, or 'outcome: name' for an ending")
REQUIRES_NOT_ENDING = define("scenario.requires-not-ending", "'requires:' belongs to an ending (a step with "
                             "'outcome:'); step '%(step)s' is not one: move the line to the ending it describes")
REQUIRES_EMPTY = define("scenario.requires-empty", "'requires:' needs a condition that every run reaching this "
                        "ending satisfies, e.g. 'requires: promised and called_back'")
SECOND_REQUIRES = define("scenario.second-requires", "step '%(step)s' already has 'requires:' at line %(line)s; "
                         "combine the conditions with 'and'")
ROUTE_SYNTAX = define("scenario.route-syntax", "a route names the next step: '-> #step-id [effects] [if condition]'")


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


class _ScenarioParser(FrontMatterReader):
    """The steps of a scenario, read after its front matter (:class:`FrontMatterReader`)."""

    # -- effects and conditions ----------------------------------------------
    def condition(self, source: str, line: int) -> Condition:
        parsed = parse_condition(source, self.kinds)
        for problem in parsed.errors:
            self.problems.append(problem.relocated(self.path, line))
        return Condition(source, parsed.tree)

    def effect(self, token: str, line: int) -> Effect | None:
        m = _EFFECT_RE.match(token)
        if m is None:
            self.problem(line, EFFECT_SYNTAX, token=token)
            return None
        name, op, raw = m.group("name"), m.group("op"), m.group("value")
        if raw in ("true", "false"):
            value: Any = raw == "true"
        elif _NUMBER_RE.match(raw):
            value = _number(raw)
        else:
            self.problem(line, EFFECT_VALUE, token=token, value=raw)
            return None
        if name == MOOD:
            self.problem(line, EFFECT_MOOD, token=token)
            return None
        if name in self.variables:
            kind = self.kinds[name]
            if op in "+-" and kind != NUM:
                self.problem(line, EFFECT_ADDS_TO_BOOLEAN, token=token, name=name)
                return None
            if kind_of(value) != kind:
                self.problem(line, EFFECT_NEEDS_NUMBER if kind == NUM else EFFECT_NEEDS_BOOLEAN, token=token,
                             name=name, initial=_fmt(self.variables[name]))
                return None
            return Effect(name, op, value)
        if name in self.competencies or name in STANDARD_COMPETENCIES:
            if op == "=" or kind_of(value) != NUM:
                self.problem(line, EFFECT_COMPETENCY, token=token, name=name)
                return None
            if name not in self.competencies:
                self.competencies[name] = Competency(name, STANDARD_COMPETENCIES[name])
            self.used_competencies.add(name)
            return Effect(name, op, value, competency=True)
        hint = difflib.get_close_matches(name, [*self.variables, *self.competencies, *STANDARD_COMPETENCIES], n=1)
        if hint:
            self.problem(line, EFFECT_UNKNOWN_NAME_HINT, name=name, token=token, hint=hint[0])
        else:
            self.problem(line, EFFECT_UNKNOWN_NAME, name=name, token=token)
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
                self.problem(line, IF_WITHOUT_CONDITION)
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
        heading_marks: list[tuple[tuple[str, ...], int, int]] = []  # codes, line, index of the section
        in_fence = False
        for offset, text in enumerate(body):
            line = self.doc.file_line(offset)
            if _FENCE_RE.match(text):
                in_fence = not in_fence
            marked = None if in_fence else take_marker(text)
            heading = None if in_fence else _STEP_RE.match(marked[0] if marked else text)
            if heading:
                if marked:  # on the step's heading: the whole step
                    heading_marks.append((marked[1], line, len(sections)))
                sections.append((heading.group("title"), heading.group("id"), line, []))
                continue
            if marked is not None and not sections:  # before the first step: the whole file (or that line)
                self.accepts.append(body_marker(marked[1], line, marked[0], None))
                if not marked[0].strip():
                    continue
                text = marked[0]
            if sections:
                sections[-1][3].append((line, text))
            else:
                title_match = None if in_fence else _TITLE_RE.match(text)
                if title_match and title_from_body is None and not "".join(intro).strip():
                    title_from_body = title_match.group("title")
                else:
                    intro.append(text)

        for codes, line, index in heading_marks:
            entries = sections[index][3]
            self.accepts.append(body_marker(codes, line, "", (line, entries[-1][0] if entries else line)))
        steps: list[Step] = []
        seen: dict[str, int] = {}
        for title, step_id, line, entries in sections:
            if step_id is None or not step_id.strip():
                self.problem(line, STEP_WITHOUT_ID, title=title or "...")
                continue
            if not _ID_RE.match(step_id):
                self.problem(line, BAD_STEP_ID, step=step_id)
                continue
            if step_id in seen:
                self.problem(line, DUPLICATE_STEP_ID, step=step_id, line=seen[step_id])
                continue
            seen[step_id] = line
            steps.append(self.step(title or step_id, step_id, line, entries))

        ids = {s.id for s in steps}
        if not sections:
            self.problem(self.doc.body_line, NO_STEPS)
        for step in steps:
            for link in step.links:
                if link.target not in ids:
                    hint = difflib.get_close_matches(link.target, sorted(ids), n=1)
                    if hint:
                        self.problem(link.line, MISSING_STEP_HINT, target=link.target, hint=hint[0])
                    else:
                        self.problem(link.line, MISSING_STEP, target=link.target)
        ending_outcomes = {s.outcome for s in steps if s.kind == ENDING and s.outcome}
        if steps and not any(s.kind == ENDING for s in steps):
            self.problem(steps[0].line, NO_ENDING)
        pass_rule = self.parse_pass(self.doc.meta.get("pass"), ending_outcomes)

        start = self.doc.meta.get("start")
        if start is not None:
            start = str(start).lstrip("#")
            if start not in ids:
                self.problem(self.meta_line("start"), BAD_START, start=start)
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
            problems=tuple(problems), variable_lines=dict(self.variable_lines), accepts=tuple(self.accepts),
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
        requires: Requirement | None = None
        in_fence = False
        section = (line, entries[-1][0] if entries else line)
        for ln, text in entries:
            if _FENCE_RE.match(text):
                in_fence = not in_fence
            if in_fence or _FENCE_RE.match(text):
                if outcome_line:
                    debrief.append(text)
                else:
                    speech.append((ln, text))
                continue
            marked = take_marker(text)
            if marked is not None:  # the author accepts a warning of this line, or of the whole step
                self.accepts.append(body_marker(marked[1], ln, marked[0], section))
                if not marked[0].strip():
                    continue
                text = marked[0]
            if m := _REQUIRES_RE.match(text):
                if requires is not None:
                    self.problem(ln, SECOND_REQUIRES, step=step_id, line=requires.line)
                    continue
                source = m.group("condition")
                if not source:
                    self.problem(ln, REQUIRES_EMPTY)
                requires = Requirement(self.condition(source, ln) if source else Condition("", None), ln)
                continue
            if m := _ROUTE_RE.match(text):
                route = self.route(m.group("rest"), ln)
                if route is not None:
                    routes.append(route)
                continue
            if m := _RUBRIC_RE.match(text):
                label = m.group("label").strip()
                points: int | float = 1
                pm = _POINTS_RE.match(label)
                if pm:
                    label, points = pm.group("label").strip(), _number(pm.group("points"))
                if not label:
                    self.problem(ln, EMPTY_CHECKLIST_ITEM)
                    continue
                rubric.append(RubricItem(label, points, ln))
                continue
            if (m := _REPLY_RE.match(text)) and self.is_step_link(m.group("target")):
                target = m.group("target").strip()
                if not target.startswith("#"):
                    self.problem(ln, REPLY_WITHOUT_HASH, target=target)
                target = target.lstrip("#")
                reply_text = m.group("text").strip()
                if not reply_text:
                    self.problem(ln, EMPTY_REPLY)
                effects, condition = self.tail(m.group("rest"), ln)
                replies.append(Reply(str(len(replies) + 1), reply_text, target, effects, condition, ln))
                continue
            if m := _OUTCOME_RE.match(text):
                name = m.group("name")
                if outcome_line:
                    self.problem(ln, SECOND_OUTCOME, step=step_id, line=outcome_line)
                    continue
                outcome_line = ln
                if not _ID_RE.match(name):
                    self.problem(ln, BAD_OUTCOME, name=name)
                    name = name or "ending"
                elif self.declared_outcomes and name not in self.outcome_labels:
                    self.problem(ln, UNDECLARED_OUTCOME, name=name, known=list(self.outcome_labels))
                outcome = name
                continue
            if m := _FREE_TEXT_RE.match(text):
                if free_text_line:
                    self.problem(ln, SECOND_WRITTEN_REPLY, step=step_id, line=free_text_line)
                    continue
                free_text_line = ln
                prompt = m.group("prompt")
                continue
            if outcome_line:
                debrief.append(text)
            else:
                speech.append((ln, text))

        if requires is not None and not outcome_line:
            self.problem(requires.line, REQUIRES_NOT_ENDING, step=step_id)
            requires = None
        kind = CHOICE
        if outcome_line:
            kind = ENDING
            if replies or routes or free_text_line or rubric:
                self.problem(outcome_line, ENDING_WITH_MOVES, step=step_id)
            replies, routes, rubric = [], [], []
        elif free_text_line:
            kind = TEXT
            if replies:
                self.problem(replies[0].line, WRITTEN_WITH_REPLIES, step=step_id)
                replies = []
            if not rubric:
                self.problem(free_text_line, WRITTEN_WITHOUT_RUBRIC, step=step_id)
            if not routes:
                self.problem(free_text_line, WRITTEN_WITHOUT_NEXT, step=step_id)
        else:
            if rubric:
                self.problem(rubric[0].line, CHECKLIST_OUTSIDE_WRITTEN, step=step_id)
                rubric = []
            if replies and routes:
                self.problem(routes[0].line, REPLIES_AND_ROUTES, step=step_id)
                routes = []
            if routes:
                kind = ROUTE
            elif not replies:
                self.problem(line, LEADS_NOWHERE, step=step_id)

        return Step(
            id=step_id, title=title, kind=kind, line=line, lines=self.speech(speech),
            replies=tuple(replies), routes=tuple(routes), prompt=prompt, rubric=tuple(rubric),
            outcome=outcome, debrief="\n".join(debrief).strip(), requires=requires,
        )

    @staticmethod
    def is_step_link(target: str) -> bool:
        """A list item that is a link is a reply unless it points to a page or site."""
        target = target.strip()
        return target.startswith("#") or not any(c in target for c in "/:.")

    def route(self, rest: str, line: int) -> Route | None:
        m = re.match(r"^#(?P<id>[^\s]+)(?P<tail>.*)$", rest.strip())
        if m is None:
            self.problem(line, ROUTE_SYNTAX)
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
