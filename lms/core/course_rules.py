"""A course's own rules about its shape, written in ``course.md`` and checked with the course (pure).

An author (or a company's training standard) states what every edition of the course must
hold; ``flask lms courses check`` and the studio report what falls short, as warnings
(``--strict`` fails on them). The code's test suite does not carry quotas about one course::

    rules:
      modules: 5                    # a number: at least that many; [least, most]: a range
      per_module:                   # activities of each type in every module
        lesson: [2, 4]
        quiz: [1, 1]
        scenario: 1
      each:                         # what every activity of a type must count at least
        quiz: {questions: 8, question_types: 4}
        scenario: {steps: 8, endings: 3, conditions: 1}
      total:                        # summed over each edition's activities
        free_text_rubrics: 1
      translated: [ru, en]          # these editions use no file from another language

What an activity can be counted by is its kind's business: each kind's parser gives its
``measures`` (a quiz its questions and question types, a role-play its steps, endings,
conditions and free-text turns with a rubric). This module only compares numbers.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .problems import WARNING, Problem, define

RULE_KEYS = ("modules", "per_module", "each", "total", "translated")

NOT_MAPPING = define("rules-not-mapping", "'rules:' must be a mapping with any of: %(known)s")
UNKNOWN_RULE = define("rules-unknown-key", "unknown rule '%(key)s' (known: %(known)s)")
BAD_RANGE = define("rules-bad-range", "rule '%(rule)s' must be a whole number (at least) or [least, most]")
UNKNOWN_KIND = define("rules-unknown-type", "rule '%(rule)s' names the activity type '%(kind)s' (known: %(known)s)")
UNKNOWN_MEASURE = define("rules-unknown-measure",
                         "rule '%(rule)s': '%(measure)s' is not something the course's activities count "
                         "(known: %(known)s)")
BAD_LANGUAGES = define("rules-bad-translated", "rule 'translated' must be a list of language codes")

FEW_MODULES = define("rule-modules", "the %(language)s edition has %(found)s modules; the course's rules ask for "
                                     "%(wanted)s")
PER_MODULE = define("rule-per-module", "module %(module)s (%(language)s) has %(found)s activities of type "
                                       "%(kind)s; the course's rules ask for %(wanted)s")
EACH = define("rule-each", "%(measure)s: %(found)s; the course's rules ask every %(kind)s for %(wanted)s")
TOTAL = define("rule-total", "the %(language)s edition has %(measure)s: %(found)s in all; the course's rules "
                             "ask for %(wanted)s")
NOT_TRANSLATED = define("rule-translated", "the %(language)s edition shows this file, written in %(found)s; "
                                           "the course's rules ask for every activity in %(language)s")


@dataclass(frozen=True)
class Range:
    least: int
    most: int | None = None

    def holds(self, value: int) -> bool:
        return value >= self.least and (self.most is None or value <= self.most)

    def __str__(self) -> str:
        if self.most is None:
            return f"≥ {self.least}"
        return str(self.least) if self.most == self.least else f"{self.least}–{self.most}"


@dataclass(frozen=True)
class CourseRules:
    modules: Range | None = None
    per_module: Mapping[str, Range] = field(default_factory=dict)
    each: Mapping[str, Mapping[str, Range]] = field(default_factory=dict)
    total: Mapping[str, Range] = field(default_factory=dict)
    translated: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.modules or self.per_module or self.each or self.total or self.translated)


@dataclass(frozen=True)
class Counted:
    """One activity as the rules see it: where it is, its type, its language and its measures."""

    path: str
    module: str
    kind: str
    language: str
    measures: Mapping[str, int]


def _range(value: Any, rule: str, problems: list[tuple[str, Problem]]) -> Range | None:
    def whole(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0

    if whole(value):
        return Range(value)
    if isinstance(value, list) and len(value) in (1, 2) and all(whole(v) for v in value) and value[0] <= value[-1]:
        return Range(value[0], value[1] if len(value) == 2 else None)
    problems.append((rule.split(".")[0], Problem.of("", 1, BAD_RANGE, rule=rule)))
    return None


def parse_rules(raw: Any, kinds: Iterable[str], measures: Mapping[str, Iterable[str]]
                ) -> tuple[CourseRules, list[tuple[str, Problem]]]:
    """Read ``rules:`` from course.md. ``kinds`` are the registered activity types, ``measures``
    what each can be counted by. Returns the rules and ``(rule key, problem)`` pairs (the caller
    places each problem on its line of course.md)."""
    problems: list[tuple[str, Problem]] = []
    if raw is None:
        return CourseRules(), problems
    if not isinstance(raw, dict):
        return CourseRules(), [("rules", Problem.of("", 1, NOT_MAPPING, known=list(RULE_KEYS)))]
    for key in sorted(set(raw) - set(RULE_KEYS), key=str):
        problems.append((str(key), Problem.of("", 1, UNKNOWN_RULE, key=key, known=list(RULE_KEYS))))
    kinds = sorted(kinds)
    every_measure = sorted({m for names in measures.values() for m in names})

    def known_kind(kind: Any, rule: str) -> bool:
        if kind in kinds:
            return True
        problems.append((rule.split(".")[0], Problem.of("", 1, UNKNOWN_KIND, rule=rule, kind=kind, known=kinds)))
        return False

    def table(key: str) -> dict:
        value = raw.get(key) or {}
        if isinstance(value, dict):
            return value
        problems.append((key, Problem.of("", 1, BAD_RANGE, rule=key)))
        return {}

    modules = _range(raw["modules"], "modules", problems) if raw.get("modules") is not None else None
    per_module = {}
    for kind, value in table("per_module").items():
        if known_kind(kind, f"per_module.{kind}") and (found := _range(value, f"per_module.{kind}", problems)):
            per_module[kind] = found
    each: dict[str, dict[str, Range]] = {}
    for kind, wanted in table("each").items():
        if not known_kind(kind, f"each.{kind}"):
            continue
        if not isinstance(wanted, dict):
            problems.append(("each", Problem.of("", 1, BAD_RANGE, rule=f"each.{kind}")))
            continue
        for measure, value in wanted.items():
            rule = f"each.{kind}.{measure}"
            if measure not in measures.get(kind, ()):
                problems.append(("each", Problem.of("", 1, UNKNOWN_MEASURE, rule=rule, measure=measure,
                                                    known=sorted(measures.get(kind, ())) or "—")))
            elif found := _range(value, rule, problems):
                each.setdefault(kind, {})[measure] = found
    total = {}
    for measure, value in table("total").items():
        if measure not in every_measure:
            problems.append(("total", Problem.of("", 1, UNKNOWN_MEASURE, rule=f"total.{measure}", measure=measure,
                                                 known=every_measure)))
        elif found := _range(value, f"total.{measure}", problems):
            total[measure] = found
    translated = raw.get("translated") or []
    if not isinstance(translated, list) or not all(isinstance(v, str) for v in translated):
        problems.append(("translated", Problem.of("", 1, BAD_LANGUAGES)))
        translated = []
    return CourseRules(modules, per_module, each, total, tuple(translated)), problems


def check_rules(rules: CourseRules, course_path: str, line: int,
                editions: Mapping[str, list[tuple[str, list[Counted]]]]) -> list[Problem]:
    """Warnings for what the editions (language -> [(module, activities)]) lack by ``rules``.
    Rules about the whole course or a module point at ``course_path:line`` (the ``rules:`` key);
    rules about one activity point at its file."""
    found: list[Problem] = []

    def warn(path: str, at: int, code: str, **params: Any) -> None:
        found.append(Problem.of(path, at, code, severity=WARNING, **params))

    for language, modules in sorted(editions.items()):
        if rules.modules and not rules.modules.holds(len(modules)):
            warn(course_path, line, FEW_MODULES, language=language, found=len(modules), wanted=str(rules.modules))
        totals: dict[str, int] = {}
        for module, counted in modules:
            for kind, wanted in sorted(rules.per_module.items()):
                count = sum(1 for a in counted if a.kind == kind)
                if not wanted.holds(count):
                    warn(course_path, line, PER_MODULE, module=module, language=language, kind=kind, found=count,
                         wanted=str(wanted))
            for activity in counted:
                for measure, value in activity.measures.items():
                    totals[measure] = totals.get(measure, 0) + value
                for measure, wanted in sorted(rules.each.get(activity.kind, {}).items()):
                    value = activity.measures.get(measure, 0)
                    if not wanted.holds(value):
                        warn(activity.path, 1, EACH, measure=measure, kind=activity.kind, found=value,
                             wanted=str(wanted))
                if language in rules.translated and activity.language != language:
                    warn(activity.path, 1, NOT_TRANSLATED, language=language, found=activity.language)
        for measure, wanted in sorted(rules.total.items()):
            if not wanted.holds(totals.get(measure, 0)):
                warn(course_path, line, TOTAL, language=language, measure=measure, found=totals.get(measure, 0),
                     wanted=str(wanted))
    return sorted(set(found))
