"""The front matter of a role-play scenario: its variables, competencies, characters,
outcomes and pass rule (see docs/scenario-format.md).

:class:`FrontMatterReader` is the first half of the scenario parser
(:mod:`lms.core.scenario_parse` reads the steps); it keeps what the front matter
declares and reports each problem at the line of its key.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .accept import BAD_LIST, Acceptance, front_matter_acceptances
from .frontmatter import UNKNOWN_KEY, Document
from .problems import Problem, define
from .scenario_expr import KEYWORDS, NAME_RE, NUM, kind_of
from .scenario_model import BUILTIN_VARIABLES, MOOD, STANDARD_COMPETENCIES, Competency, PassRule

#: Front matter keys a scenario understands.
SCENARIO_KEYS = frozenset({
    "title", "type", "minutes", "summary", "start", "variables", "competencies",
    "characters", "outcomes", "pass", "accept",
})

VARIABLES_NOT_MAPPING = define("scenario.variables-not-mapping",
                               "'variables:' must list 'name: initial value' lines, e.g. 'promised: false'")
MOOD_DECLARED = define("scenario.mood-declared", "'mood' is derived (experience - expectations) and cannot be "
                                                 "declared; set 'experience' or 'expectations' instead")
BAD_VARIABLE_NAME = define("scenario.bad-variable-name",
                           "'%(name)s' is not a usable variable name: use letters, digits and '_', starting with a "
                           "letter (and not and/or/not/true/false/if)")
BAD_INITIAL_VALUE = define("scenario.bad-initial-value", "variable '%(name)s' needs an initial value that is a number "
                                                         "or true/false, got %(value)s")
NUMBER_VARIABLE = define("scenario.number-variable", "'%(name)s' is a number; give it a number as its initial value")
COMPETENCIES_NOT_MAPPING = define("scenario.competencies-not-mapping", "'competencies:' must map tags to labels, "
                                  "e.g. 'needs: {label: ..., lesson: ...}'")
BAD_COMPETENCY_TAG = define("scenario.bad-competency-tag",
                            "'%(tag)s' is not a usable competency tag: use letters, digits and '_'")
VARIABLE_AND_COMPETENCY = define("scenario.variable-and-competency",
                                 "'%(tag)s' is both a variable and a competency; rename one of them")
COMPETENCY_KEYS = define("scenario.competency-keys",
                         "competency '%(tag)s' has unknown keys (%(keys)s); use 'label:' and 'lesson:'")
BAD_COMPETENCY = define("scenario.bad-competency",
                        "competency '%(tag)s' must be a label or '{label: ..., lesson: ...}'")
CHARACTERS_NOT_LIST = define("scenario.characters-not-list",
                             "'characters:' must be a list of names, e.g. [Клиент, Руководитель]")
OUTCOMES_NOT_MAPPING = define("scenario.outcomes-not-mapping",
                              "'outcomes:' must map outcome names to labels, e.g. 'loyal: Постоянный клиент'")
PASS_NOT_MAPPING = define("scenario.pass-not-mapping",
                          "'pass:' must be e.g. '{min_points: 10}' or '{outcomes: [loyal, recommends]}'")
PASS_UNKNOWN_KEY = define("scenario.pass-unknown-key", "unknown key '%(key)s' in 'pass:' (known: min_points, outcomes)")
PASS_MIN_POINTS = define("scenario.pass-min-points", "'pass: min_points' must be a number, got %(value)s")
PASS_OUTCOMES_NOT_LIST = define("scenario.pass-outcomes-not-list",
                                "'pass: outcomes' must be a list of outcome names, e.g. [loyal, recommends]")
PASS_OUTCOME_UNKNOWN = define("scenario.pass-outcome-unknown", "'pass: outcomes' names '%(name)s', but no ending has "
                                                               "'outcome: %(name)s' (endings have: %(known)s)")
PASS_OUTCOME_NO_ENDINGS = define("scenario.pass-outcome-no-endings",
                                 "'pass: outcomes' names '%(name)s', but no ending has 'outcome: %(name)s' "
                                 "(no ending has an outcome yet)")


class FrontMatterReader:
    """The scenario's declarations, read from its front matter; problems collect in ``problems``."""

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
        self.variable_lines: dict[str, int] = {}
        self.accepts: list[Acceptance] = []

    # -- helpers -----------------------------------------------------------
    def problem(self, line: int, code: str, /, **params: Any) -> None:
        self.problems.append(Problem.of(self.path, line, code, **params))

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
            self.problem(self.meta_line(key), UNKNOWN_KEY, key=key, known=sorted(SCENARIO_KEYS))
        self.parse_variables(meta.get("variables"))
        self.kinds = {name: kind_of(value) or NUM for name, value in self.variables.items()}
        self.kinds[MOOD] = NUM
        self.parse_competencies(meta.get("competencies"))
        self.parse_characters(meta.get("characters"))
        self.parse_outcomes(meta.get("outcomes"))
        self.parse_accept(meta.get("accept"))

    def parse_variables(self, raw: Any) -> None:
        if raw is None:
            return
        if not isinstance(raw, Mapping):
            self.problem(self.meta_line("variables"), VARIABLES_NOT_MAPPING)
            return
        for name, value in raw.items():
            line = self.meta_line("variables", name)
            name = str(name)
            if name == MOOD:
                self.problem(line, MOOD_DECLARED)
                continue
            if not NAME_RE.fullmatch(name) or name in KEYWORDS:
                self.problem(line, BAD_VARIABLE_NAME, name=name)
                continue
            if kind_of(value) is None:
                self.problem(line, BAD_INITIAL_VALUE, name=name, value=repr(value))
                continue
            if name in BUILTIN_VARIABLES and kind_of(value) != NUM:
                self.problem(line, NUMBER_VARIABLE, name=name)
                continue
            self.variables[name] = value
            self.variable_lines[name] = line

    def parse_competencies(self, raw: Any) -> None:
        if raw is None:
            return
        items: list[tuple[Any, Any]]
        if isinstance(raw, list):
            items = [(tag, None) for tag in raw]
        elif isinstance(raw, Mapping):
            items = list(raw.items())
        else:
            self.problem(self.meta_line("competencies"), COMPETENCIES_NOT_MAPPING)
            return
        for tag, spec in items:
            line = self.meta_line("competencies", tag)
            tag = str(tag)
            if not NAME_RE.fullmatch(tag) or tag in KEYWORDS:
                self.problem(line, BAD_COMPETENCY_TAG, tag=tag)
                continue
            if tag in self.variables or tag == MOOD:
                self.problem(line, VARIABLE_AND_COMPETENCY, tag=tag)
                continue
            label, lesson = STANDARD_COMPETENCIES.get(tag, tag), None
            if isinstance(spec, str):
                label = spec
            elif isinstance(spec, Mapping):
                unknown = set(spec) - {"label", "lesson"}
                if unknown:
                    self.problem(line, COMPETENCY_KEYS, tag=tag, keys=sorted(map(str, unknown)))
                if spec.get("label") is not None:
                    label = str(spec["label"])
                if spec.get("lesson") is not None:
                    lesson = str(spec["lesson"])
            elif spec is not None:
                self.problem(line, BAD_COMPETENCY, tag=tag)
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
            self.problem(self.meta_line("characters"), CHARACTERS_NOT_LIST)

    def parse_outcomes(self, raw: Any) -> None:
        if raw is None:
            return
        self.declared_outcomes = True
        if isinstance(raw, list):
            self.outcome_labels = {str(o): str(o) for o in raw}
        elif isinstance(raw, Mapping):
            self.outcome_labels = {str(k): str(v) for k, v in raw.items()}
        else:
            self.problem(self.meta_line("outcomes"), OUTCOMES_NOT_MAPPING)
            self.declared_outcomes = False

    def parse_accept(self, raw: Any) -> None:
        """``accept: [codes]`` (the whole file) and ``# accept: code`` comments (their line)."""
        found, bad = front_matter_acceptances(raw, self.meta_line("accept"), self.front_lines)
        if bad:
            self.problem(self.meta_line("accept"), BAD_LIST)
        self.accepts.extend(found)

    def parse_pass(self, raw: Any, ending_outcomes: set[str]) -> PassRule:
        if raw is None:
            return PassRule()
        line = self.meta_line("pass")
        if not isinstance(raw, Mapping):
            self.problem(line, PASS_NOT_MAPPING)
            return PassRule()
        for key in sorted(set(raw) - {"min_points", "outcomes"}, key=str):
            self.problem(line, PASS_UNKNOWN_KEY, key=key)
        min_points = raw.get("min_points")
        if min_points is not None and kind_of(min_points) != NUM:
            self.problem(line, PASS_MIN_POINTS, value=repr(min_points))
            min_points = None
        outcomes = raw.get("outcomes")
        if outcomes is not None:
            if isinstance(outcomes, str):
                outcomes = [outcomes]
            if not isinstance(outcomes, list) or not outcomes:
                self.problem(line, PASS_OUTCOMES_NOT_LIST)
                outcomes = None
            else:
                outcomes = [str(o) for o in outcomes]
                for name in outcomes:
                    if name in ending_outcomes:
                        continue
                    if ending_outcomes:
                        self.problem(line, PASS_OUTCOME_UNKNOWN, name=name, known=sorted(ending_outcomes))
                    else:
                        self.problem(line, PASS_OUTCOME_NO_ENDINGS, name=name)
        return PassRule(min_points, None if outcomes is None else tuple(outcomes), line)
