"""The lesson: a Markdown page the learner reads and marks as done."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ...core import xapi
from ...core.activities import ParsedActivity
from ...core.frontmatter import Document
from ...core.render import Rendered
from ...i18n import _
from ...models import ActivityContent, ActivityProgress, Enrollment, User
from ...services import xapi as records
from ..base import ActivityKind, ActivityPage, RecordContext, register
from . import views
from .content import parse_lesson


@dataclass(frozen=True)
class LessonRecord:
    """A lesson in a learner's record."""

    title: str
    module: str
    status: str
    started_at: Any
    completed_at: Any
    version: int


class LessonKind(ActivityKind):
    name = "lesson"
    completion_key = "lessons"
    completion_rules = frozenset({"all"})
    default_rule = "all"
    graded = False
    measures = ("words",)
    xapi_type = xapi.ACTIVITY_TYPES["lesson"]
    record_template = "lms/activities/lesson_record.html"
    blueprint = views.bp

    def parse(self, doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
        return parse_lesson(doc, render)

    def learner_text(self, html: str, data: Mapping[str, Any]) -> list[str]:
        """The objectives at the top of the page, then the text."""
        return [*(f"• {item}" for item in data.get("objectives") or []), *super().learner_text(html, data)]

    def label(self) -> str:
        return _("Lesson")

    def view(self, page: ActivityPage) -> Any:
        return views.lesson_view(page)

    def record(self, session: Session, enrollments: Mapping[int, Any], context: RecordContext
               ) -> Iterator[tuple[int, Any]]:
        rows = session.scalars(select(ActivityProgress).where(ActivityProgress.enrollment_id.in_(enrollments))
                               .order_by(ActivityProgress.started_at, ActivityProgress.id))
        for row in rows:
            if context.kind_of(row.version_id, row.activity_key) != self.name:
                continue
            title, module, number = context.describe(row.enrollment_id, row.version_id, row.activity_key)
            yield row.enrollment_id, LessonRecord(title, module, row.status, row.started_at, row.completed_at,
                                                  number)

    def statements(self, session: Session, catalogue: Any) -> Iterator[Any]:
        rows = records.streamed(session,
            select(ActivityProgress, Enrollment, User)
            .join(Enrollment, Enrollment.id == ActivityProgress.enrollment_id)
            .join(User, User.id == Enrollment.user_id)
            .where(exists().where(ActivityContent.version_id == ActivityProgress.version_id,
                                  ActivityContent.key == ActivityProgress.activity_key,
                                  ActivityContent.kind == self.name),
                   ActivityProgress.status == "completed",
                   ActivityProgress.completed_at.is_not(None))
            .order_by(ActivityProgress.id))
        for progress, enrollment, user in rows:
            title, language = catalogue.title(progress.version_id, enrollment.language, progress.activity_key)
            course = catalogue.course(enrollment.course_id, progress.version_id, enrollment.language)
            yield records.Record(xapi.statement_id("lesson", progress.id), user.id, xapi.lesson_completed(
                record_id=progress.id, actor=records.actor_of(user), course=course,
                iri=xapi.activity_iri(catalogue.base, catalogue.slug(enrollment.course_id), progress.activity_key),
                title=title, language=language, started=progress.started_at,
                completed=progress.completed_at, enrollment_id=enrollment.id))


KIND = register(LessonKind())
