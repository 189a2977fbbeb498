"""The task: an on-the-job assignment ("answer a real lead within 30 minutes") that the learner
hands in as text with photos or PDFs, and a trainer reviews with the task's rubric."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.activities import ParsedActivity
from ...core.frontmatter import Document
from ...core.render import Rendered
from ...i18n import _
from ...models import ActivityContent, Enrollment, Review
from ..base import ActivityKind, ActivityPage, RecordContext, register
from . import service, views
from .content import parse_task
from .models import TaskFile, TaskSubmission


class TaskKind(ActivityKind):
    name = service.KIND
    completion_key = "tasks"
    completion_rules = frozenset({"passed", "submitted"})
    default_rule = "passed"
    graded = True
    measures = ("rubric_items",)
    reviewable = True
    xapi_type = service.XAPI_TYPE
    blueprint = views.bp
    record_template = "lms/activities/task_record.html"
    review_template = "lms/activities/task_review.html"

    def parse(self, doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
        return parse_task(doc, render)

    def learner_text(self, html: str, data: Mapping[str, Any]) -> list[str]:
        """The instructions, then the rubric the learner reads (☐)."""
        return [*super().learner_text(html, data), *(f"☐ {item['label']}" for item in data.get("rubric") or [])]

    help_template = "lms/activities/task_help.html"

    def label(self) -> str:
        return _("Task")

    def view(self, page: ActivityPage) -> Any:
        return views.task_view(page)

    def record(self, session: Session, enrollments: Mapping[int, Any], context: RecordContext
               ) -> Iterator[tuple[int, Any]]:
        return service.submission_records(session, enrollments, context)

    def apply_review(self, session: Session, review: Review, cache: Any) -> None:
        submission = session.get_one(TaskSubmission, review.source_id)
        language = session.scalar(select(Enrollment.language).where(Enrollment.id == submission.enrollment_id))
        content = session.scalars(select(ActivityContent).where(
            ActivityContent.version_id == submission.version_id, ActivityContent.key == submission.activity_key)
            .order_by((ActivityContent.language == (language or "")).desc(), ActivityContent.language)).first()
        # the work was handed in on one of these rows, which live as long as the version (and the work) does
        assert content is not None, f"no content {submission.activity_key!r} in version {submission.version_id}"
        service.apply_review(session, submission, content, float(review.points or 0))

    def review_context(self, session: Session, review: Review) -> dict[str, Any]:
        """The files handed in with the work under ``review``, for its page."""
        return {"files": list(session.scalars(select(TaskFile).where(TaskFile.submission_id == review.source_id)
                                              .order_by(TaskFile.id)))}

    def statements(self, session: Session, catalogue: Any) -> Iterator[Any]:
        return service.statements(session, catalogue)


KIND = register(TaskKind())
