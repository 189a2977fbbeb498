"""What an activity type is: one class that owns everything that varies with the kind.

In the manner of CTFd's challenge types, each kind (lesson, quiz, scenario, task) is a
package under :mod:`lms.activities` with one :class:`ActivityKind` subclass, registered
with :func:`register`. The rest of the plugin asks the registry and calls the kind's
methods; it never asks "which kind is this?":

- **content**: ``parse`` turns one Markdown file into stored data (pure: the kind's
  ``content`` module); ``completion_key``/``completion_rules`` say how course.md's
  ``completion:`` rules name it;
- **the learner**: ``view`` renders the activity page; the kind's ``blueprint`` holds its
  form handling (start, save, submit, reply); ``completion_panel`` adds to the learner's
  course completion page;
- **outcome**: the kind's service records results on the progress row, and
  :mod:`lms.core.status` turns that row into the activity's status;
- **the trainer**: ``record`` (the learner's record), ``dashboard`` (panels on the group
  dashboard), ``analysis`` (item analysis), ``reviewable`` and ``apply_review`` (the
  review queue);
- **learning records**: ``statements`` (xAPI).

A kind that has nothing to say leaves the default.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from flask import Blueprint
from sqlalchemy.orm import Session

from ..core import activities as content_kinds
from ..core.activities import ParsedActivity
from ..core.frontmatter import Document
from ..core.plain_text import paragraphs
from ..core.render import Rendered

if TYPE_CHECKING:
    from ..models import ActivityContent, Course, CourseVersion, Enrollment

#: the registry, in the order kinds were registered (lesson, quiz, scenario, task)
_KINDS: dict[str, ActivityKind] = {}


@dataclass(frozen=True)
class ActivityPage:
    """What the learner's activity route found: the course, its published version, the
    learner's enrollment, the edition's language and the activity's content row."""

    course: Course
    version: CourseVersion
    enrollment: Enrollment
    language: str
    content: ActivityContent

    @property
    def key(self) -> str:
        return self.content.key


class RecordContext(Protocol):
    """What a kind needs to describe a learner's work in their record."""

    #: the parsed-content cache
    cache: Any

    def describe(self, enrollment_id: int, version_id: int, key: str) -> tuple[str, str, int]:
        """(activity title, module title, version number) in the learner's edition."""
        ...

    def kind_of(self, version_id: int, key: str) -> str | None: ...

    def language(self, enrollment_id: int) -> str: ...

    def content(self, version_id: int, key: str, language: str) -> Any: ...


@dataclass
class RecordSection:
    """A kind's part of one course in a learner's record: a template and what it shows."""

    kind: str
    template: str
    items: list[Any] = field(default_factory=list)


@dataclass
class DashboardPanel:
    """A kind's panel on the group dashboard (e.g. the quiz score bands)."""

    kind: str
    template: str
    data: Any


@dataclass
class LearnerPanel:
    """A kind's part of the learner's own course completion page (e.g. the role-plays'
    competency profile)."""

    kind: str
    template: str
    data: Any


@dataclass
class AnalysisSection:
    """A kind's part of a course's item analysis."""

    kind: str
    template: str
    items: list[Any] = field(default_factory=list)


class ActivityKind(ABC):
    """The interface of an activity kind, with defaults for a kind that needs nothing more.

    It satisfies :class:`lms.core.activities.ContentKind`, so registering it also lets the
    content loader parse its files and the completion rules count it.
    """

    #: the ``type:`` of the file in the course (and ``ActivityContent.kind``)
    name: ClassVar[str]
    #: how course.md's ``completion:`` names the kind, the rules it accepts, and the default
    completion_key: ClassVar[str]
    completion_rules: ClassVar[frozenset[str]] = frozenset({"all"})
    default_rule: ClassVar[str] = "all"
    #: whether the learner completes it with a result (pass or fail) rather than by doing it
    graded: ClassVar[bool] = False
    #: what its parser counts for course.md's ``rules:`` (:mod:`lms.core.course_rules`)
    measures: ClassVar[tuple[str, ...]] = ()
    #: whether a trainer reviews some of its work in the review queue
    reviewable: ClassVar[bool] = False
    #: whether the learner ticks the rubric themselves before a review (shown to the trainer)
    self_check: ClassVar[bool] = False
    #: the xAPI activity type of the activity itself
    xapi_type: ClassVar[str] = "http://adlnet.gov/expapi/activities/lesson"
    #: the routes of its forms (registered under the plugin's blueprint), if any
    blueprint: ClassVar[Blueprint | None] = None

    # -- content (pure) ------------------------------------------------------------

    @abstractmethod
    def parse(self, doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
        """Make the activity of one file: title, rendered body, data, problems and warnings."""

    # -- the studio -------------------------------------------------------------------

    #: the syntax help the studio's editor shows beside a file of this kind
    help_template: ClassVar[str] = "lms/activities/lesson_help.html"
    #: the editor's preview of a file of this kind (``activity``: the parsed activity); None: its rendered text
    preview_template: ClassVar[str | None] = None
    #: whether the studio can play a draft of it as a learner would, without recording anything
    draft_player: ClassVar[bool] = False
    #: whether the studio draws a map of it (the scenario map: steps, replies, routes, endings)
    studio_map: ClassVar[bool] = False

    def starter(self, language: str) -> str:
        """The file a new activity of this kind starts from, in ``language`` (English when there is none):
        ``lms/templates/lms/activities/<name>_starter.<language>.md``."""
        folder = resources.files("lms") / "templates" / "lms" / "activities"
        for lang in (language, "en"):
            starter = folder / f"{self.name}_starter.{lang}.md"
            if starter.is_file():
                return starter.read_text(encoding="utf-8")
        return f"---\ntype: {self.name}\ntitle: \"\"\n---\n"

    def learner_text(self, html: str, data: Mapping[str, Any]) -> list[str]:
        """What a learner reads in the activity (its stored ``html`` and ``data``), paragraph by
        paragraph: the "text as learners see it" the studio compares between two versions."""
        return paragraphs(html)

    # -- the learner -----------------------------------------------------------------

    def label(self) -> str:
        """The kind's name in the reader's language ("Quiz", "Тест")."""
        return self.name

    @abstractmethod
    def view(self, page: ActivityPage) -> Any:
        """The activity's page (``GET /courses/<slug>/<module>/<activity>``)."""

    def completion_panel(self, session: Session, enrollment: Enrollment, version: CourseVersion, language: str,
                         cache: Any) -> LearnerPanel | None:
        """A panel for the learner's course completion page (their own work only), or None."""
        return None

    # -- the trainer -----------------------------------------------------------------

    #: the template that shows this kind's part of a course in a learner's record
    record_template: ClassVar[str | None] = None
    #: whether its results have a percent the dashboard shows in each module's cell
    scored: ClassVar[bool] = False

    def record(self, session: Session, enrollments: Mapping[int, Any], context: RecordContext
               ) -> Iterator[tuple[int, Any]]:
        """(enrollment id, item) pairs of the learner's record for this kind."""
        return iter(())

    def dashboard(self, session: Session, course: Any, version: Any, language: str, in_course: Any,
                  cache: Any) -> DashboardPanel | None:
        """A panel for the group dashboard, or None. ``in_course`` is an SQL condition on
        ``Enrollment``: the group's learners' enrollments in the course."""
        return None

    def best_percents(self, session: Session, in_course: Any, user_ids: list[int]) -> dict[int, dict[str, float]]:
        """For a scored kind: each learner's best percent per activity (user id -> key -> percent)."""
        return {}

    def analysis(self, session: Session, version: Any, contents: list[Any], cache: Any) -> AnalysisSection | None:
        """Item analysis of this kind's activities (``contents``) of a course version, or None."""
        return None

    def apply_review(self, session: Session, review: Any, cache: Any) -> None:
        """Recompute what a released review changes (the attempt, the run, the submission).
        A kind that is not ``reviewable`` has nothing to recompute."""
        return None

    #: a template that shows the work under review beside the rubric (None: the answer text)
    review_template: ClassVar[str | None] = None

    def review_context(self, session: Session, review: Any) -> dict[str, Any]:
        """What ``review_template`` needs (as ``extras``), e.g. the files handed in."""
        return {}

    # -- learning records ------------------------------------------------------------

    def statements(self, session: Session, catalogue: Any) -> Iterator[Any]:
        """xAPI records (:class:`lms.services.xapi.Record`) of this kind's finished work."""
        return iter(())


def register(kind: ActivityKind) -> ActivityKind:
    """Register ``kind`` under its name (and its parser with the content loader)."""
    existing = _KINDS.get(kind.name)
    if existing is not None and type(existing) is not type(kind):
        raise ValueError(f"activity kind {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    content_kinds.register(kind)
    return kind


def get(name: str) -> ActivityKind | None:
    return _KINDS.get(name)


def kinds() -> list[ActivityKind]:
    return list(_KINDS.values())


def names() -> list[str]:
    return list(_KINDS)


def reviewable() -> list[ActivityKind]:
    return [kind for kind in _KINDS.values() if kind.reviewable]
