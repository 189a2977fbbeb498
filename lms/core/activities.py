"""The activity registry: lesson, quiz and scenario behind one interface.

An activity type turns one Markdown file of a course into plain data that is
stored with the content version. The application never branches on the kind
of an activity except through this registry, so a new type plugs in by
registering itself here.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .frontmatter import Document
from .problems import Problem
from .render import Rendered, Resolver, render_markdown


@dataclass
class ParsedActivity:
    """What an activity type makes of one file."""

    title: str
    html: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    minutes: int | None = None
    problems: list[Problem] = field(default_factory=list)
    #: what works but is probably not meant (a reply never offered); shown, never blocking
    warnings: list[Problem] = field(default_factory=list)


class ActivityType(Protocol):
    """The interface every activity type implements."""

    name: str
    #: whether the learner completes it by reading (lesson) or by a result
    graded: bool

    def parse(self, doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity: ...

    def passed(self, data: dict[str, Any], result: dict[str, Any] | None) -> bool:
        """Whether a stored result meets this activity's completion rule."""
        ...


_REGISTRY: dict[str, ActivityType] = {}


def register(activity_type: ActivityType) -> ActivityType:
    """Register an activity type under its ``name``; a name is taken once."""
    if activity_type.name in _REGISTRY and _REGISTRY[activity_type.name] is not activity_type:
        raise ValueError(f"activity type {activity_type.name!r} is already registered")
    _REGISTRY[activity_type.name] = activity_type
    return activity_type


def get(name: str) -> ActivityType | None:
    return _REGISTRY.get(name)


def names() -> list[str]:
    return sorted(_REGISTRY)


def _title(doc: Document, problems: list[Problem]) -> str:
    title = doc.meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem(doc.path, 1, "missing 'title:' in the front matter"))
        return doc.path.rsplit("/", 1)[-1]
    return title.strip()


def _minutes(doc: Document, problems: list[Problem]) -> int | None:
    minutes = doc.meta.get("minutes")
    if minutes is None:
        return None
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 < minutes <= 600:
        problems.append(Problem(doc.path, 1, "'minutes:' must be a whole number of minutes between 1 and 600"))
        return None
    return minutes


class LessonType:
    """A Markdown page the learner reads and marks as done."""

    name = "lesson"
    graded = False
    known_keys = {"title", "type", "minutes", "summary"}

    def parse(self, doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
        problems: list[Problem] = []
        title = _title(doc, problems)
        minutes = _minutes(doc, problems)
        for key in sorted(set(doc.meta) - self.known_keys):
            problems.append(Problem(doc.path, 1, f"unknown front matter key '{key}' for a lesson"))
        rendered = render(doc.body)
        if not doc.body.strip():
            problems.append(Problem(doc.path, doc.body_line, "the lesson has no text"))
        if minutes is None:
            # About 180 words a minute; a lesson always takes at least one.
            words = len(doc.body.split())
            minutes = max(1, round(words / 180))
        return ParsedActivity(title=title, html=rendered.html, minutes=minutes, problems=problems)

    def passed(self, data: dict[str, Any], result: dict[str, Any] | None) -> bool:
        return True


register(LessonType())


def plain_resolver() -> Resolver:
    """A resolver that leaves every link as written (for previews of loose files)."""
    return lambda target, is_image: target


__all__ = [
    "ActivityType", "ParsedActivity", "LessonType", "register", "get", "names",
    "render_markdown", "plain_resolver",
]


_HREF = re.compile(r'href="([^"]*)"')


def _link_target(render: Callable[[str], Rendered], target: str | None) -> str | None:
    """Resolve a lesson reference (a file name) to the URL the renderer gives it."""
    if not target:
        return None
    match = _HREF.search(render(f"[lesson]({target})").html)
    return match.group(1) if match else None


_CHECKS: dict[tuple[str, str], tuple[tuple[Problem, ...], tuple[Problem, ...]]] = {}
_DATA: dict[tuple[str, str], dict[str, Any]] = {}


class ScenarioType:
    """A role-play dialogue with a simulated customer (see ``lms.core.scenario``)."""

    name = "scenario"
    graded = True

    def parse(self, doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
        from .scenario import check_scenario, parse_scenario_document

        scenario, problems = parse_scenario_document(doc, doc.source or None)
        problems = list(problems)
        warnings: tuple[Problem, ...] = ()
        if not problems:
            # Exploring the state space is the slow part; the same text gives the same answer.
            key = (doc.path, doc.source)
            checked = _CHECKS.get(key)
            if checked is None:
                report = check_scenario(scenario)
                checked = _CHECKS[key] = (report.errors, report.warnings)
                if len(_CHECKS) > 256:
                    _CHECKS.pop(next(iter(_CHECKS)))
            errors, warnings = checked
            problems.extend(errors)
        data = _DATA.get((doc.path, doc.source))
        if data is None:
            data = _DATA[(doc.path, doc.source)] = scenario.to_dict()
            if len(_DATA) > 256:
                _DATA.pop(next(iter(_DATA)))
        data = dict(data)
        data["html"] = {
            step.id: {
                "lines": [render_markdown(line.text).html for line in step.lines],
                "prompt": render_markdown(step.prompt).html if step.prompt else "",
                "debrief": render_markdown(step.debrief).html if step.debrief else "",
            }
            for step in scenario.steps
        }
        data["intro_html"] = render_markdown(scenario.intro).html if scenario.intro else ""
        data["lesson_links"] = {
            tag: _link_target(render, competency.lesson) for tag, competency in scenario.competencies.items()
            if competency.lesson
        }
        minutes = doc.meta.get("minutes") if isinstance(doc.meta.get("minutes"), int) else None
        return ParsedActivity(title=scenario.title, data=data, minutes=minutes, problems=problems,
                              warnings=list(warnings))

    def passed(self, data: dict[str, Any], result: dict[str, Any] | None) -> bool:
        return bool(result and result.get("passed") is True)


register(ScenarioType())


class QuizType:
    """A graded quiz (see ``lms.core.quiz``); grading happens only on the server."""

    name = "quiz"
    graded = True

    def parse(self, doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
        from .quiz import parse_quiz_document

        quiz, problems = parse_quiz_document(doc, doc.source or None)
        data = quiz.to_dict()
        data["html"] = {
            q.id: {"text": render(q.text).html if q.text else "",
                   "explanation": render(q.explanation).html if q.explanation else ""}
            for q in quiz.questions
        }
        data["lesson_links"] = {q.id: _link_target(render, q.lesson) for q in quiz.questions if q.lesson}
        data["description_html"] = render(quiz.description).html if quiz.description else ""
        minutes = doc.meta.get("minutes") if isinstance(doc.meta.get("minutes"), int) else None
        if minutes is None:
            minutes = max(1, round(len(quiz.questions) * 0.75))
        return ParsedActivity(title=quiz.title, data=data, minutes=minutes, problems=list(problems))

    def passed(self, data: dict[str, Any], result: dict[str, Any] | None) -> bool:
        return bool(result and result.get("passed") is True)


register(QuizType())
