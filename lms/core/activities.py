"""The activity-kind registry of the content loader (pure).

Each kind of activity (lesson, quiz, scenario, task) is a package under
:mod:`lms.activities` whose kind object registers itself here, so the loader of a course
(:mod:`lms.core.content`) and the completion rules (:mod:`lms.core.completion`) can parse
and count it without knowing it. The core imports nothing from those packages: it only
knows the :class:`ContentKind` interface below. (Tests of the pure core that load courses
import :mod:`lms.activities` first, as the application does.)
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .frontmatter import MISSING_TITLE, Document
from .problems import Problem, define
from .render import Rendered, Resolver, render_markdown


@dataclass
class ParsedActivity:
    """What an activity kind makes of one file."""

    title: str
    html: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    minutes: int | None = None
    problems: list[Problem] = field(default_factory=list)
    #: what works but is probably not meant (a reply never offered); shown, never blocking
    warnings: list[Problem] = field(default_factory=list)
    #: what a course's own rules can count in it (``questions``, ``endings``...; see :mod:`lms.core.course_rules`)
    measures: dict[str, int] = field(default_factory=dict)
    #: what the course outline shows of it without opening it (a quiz's ``pass_mark``); JSON values
    facts: dict[str, Any] = field(default_factory=dict)


class ContentKind(Protocol):
    """What the content loader and the completion rules need of an activity kind.

    The attributes are read-only here, so a kind may define them as class variables.
    """

    @property
    def name(self) -> str:
        """The ``type:`` of the file."""
        ...

    @property
    def graded(self) -> bool:
        """Whether the learner completes it with a result (pass or fail) rather than by doing it."""
        ...

    @property
    def completion_key(self) -> str:
        """Its name in course.md's ``completion:`` rules."""
        ...

    @property
    def completion_rules(self) -> frozenset[str]:
        """The ``completion:`` rules it accepts."""
        ...

    @property
    def default_rule(self) -> str:
        """Its ``completion:`` rule when course.md names none."""
        ...

    @property
    def measures(self) -> tuple[str, ...]:
        """The names of the ``measures`` its parser gives (what course.md's ``rules:`` may ask of it)."""
        ...

    def parse(self, doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity: ...


_REGISTRY: dict[str, ContentKind] = {}
#: the kind of a file whose front matter has no ``type:`` (the course format says: a lesson)
DEFAULT_KIND = "lesson"
BAD_MINUTES = define("activity-bad-minutes", "'minutes:' must be a whole number of minutes between 1 and 600")


def register(kind: ContentKind) -> ContentKind:
    """Register a kind under its ``name``; a name is taken once."""
    existing = _REGISTRY.get(kind.name)
    if existing is not None and type(existing) is not type(kind):
        raise ValueError(f"activity type {kind.name!r} is already registered")
    _REGISTRY[kind.name] = kind
    return kind


def get(name: str) -> ContentKind | None:
    return _REGISTRY.get(name)


def names() -> list[str]:
    return sorted(_REGISTRY)


def measures() -> dict[str, tuple[str, ...]]:
    """Each kind's name -> what a course's rules can count in its activities."""
    return {name: tuple(kind.measures) for name, kind in _REGISTRY.items()}


def completion_rules() -> dict[str, frozenset[str]]:
    """course.md's ``completion:`` keys and the rules each accepts (``none`` always)."""
    return {kind.completion_key: kind.completion_rules | {"none"} for kind in _REGISTRY.values()}


def default_completion() -> dict[str, str]:
    return {kind.completion_key: kind.default_rule for kind in _REGISTRY.values()}


def title_of(doc: Document, problems: list[Problem]) -> str:
    title = doc.meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem.of(doc.path, 1, MISSING_TITLE))
        return doc.path.rsplit("/", 1)[-1]
    return title.strip()


def minutes_of(doc: Document, problems: list[Problem]) -> int | None:
    minutes = doc.meta.get("minutes")
    if minutes is None:
        return None
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 < minutes <= 600:
        problems.append(Problem.of(doc.path, 1, BAD_MINUTES))
        return None
    return minutes


def plain_resolver() -> Resolver:
    """A resolver that leaves every link as written (for previews of loose files)."""
    return lambda target, is_image: target


_HREF = re.compile(r'href="([^"]*)"')


def link_target(render: Callable[[str], Rendered], target: str | None) -> str | None:
    """Resolve a lesson reference (a file name) to the URL the renderer gives it."""
    if not target:
        return None
    match = _HREF.search(render(f"[lesson]({target})").html)
    return match.group(1) if match else None


__all__ = [
    "ContentKind", "ParsedActivity", "register", "get", "names", "completion_rules", "default_completion", "measures",
    "title_of", "minutes_of", "plain_resolver", "link_target", "render_markdown",
]
