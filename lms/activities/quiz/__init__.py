"""The quiz: questions graded on the server, attempts drawn once, open answers reviewed."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core import xapi
from ...core.activities import ParsedActivity
from ...core.frontmatter import Document
from ...core.render import Rendered
from ...i18n import _
from ...models import ActivityContent, QuizAttempt, Review
from ..base import ActivityKind, ActivityPage, AnalysisSection, DashboardPanel, register
from . import insight, service, views
from .content import parse_quiz
from .text import quiz_text


class QuizKind(ActivityKind):
    name = service.KIND
    completion_key = "quizzes"
    completion_rules = frozenset({"passed", "attempted"})
    default_rule = "passed"
    graded = True
    measures = ("questions", "question_types", "application_percent")
    reviewable = True
    scored = True
    xapi_type = xapi.ACTIVITY_TYPES["quiz"]
    blueprint = views.bp
    record_template = "lms/activities/quiz_record.html"
    review_template = None

    def parse(self, doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
        return parse_quiz(doc, render)

    def learner_text(self, html: str, data: Mapping[str, Any]) -> list[str]:
        return quiz_text(data)

    help_template = "lms/activities/quiz_help.html"
    draft_player = True
    preview_template = "lms/activities/quiz_preview.html"

    def label(self) -> str:
        return _("Quiz")

    def view(self, page: ActivityPage) -> Any:
        return views.quiz_view(page)

    def record(self, session: Session, enrollments: Mapping[int, Any], context: Any) -> Iterator[tuple[int, Any]]:
        return insight.attempt_records(session, enrollments, context)

    def dashboard(self, session: Session, course: Any, version: Any, language: str, in_course: Any,
                  cache: Any) -> DashboardPanel | None:
        scores = insight.score_bands(session, version.manifest["editions"][language], in_course)
        if not scores:
            return None
        return DashboardPanel(self.name, "lms/activities/quiz_dashboard.html", views.score_charts(scores))

    def best_percents(self, session: Session, in_course: Any, user_ids: list[int]) -> dict[int, dict[str, float]]:
        return insight.best_percents(session, in_course, user_ids)

    def analysis(self, session: Session, version: Any, contents: list[Any], cache: Any) -> AnalysisSection | None:
        if not contents:
            return None
        return AnalysisSection(self.name, "lms/activities/quiz_analysis.html",
                               insight.analysis(session, version.id, contents, cache))

    def apply_review(self, session: Session, review: Review, cache: Any) -> None:
        attempt = session.get_one(QuizAttempt, review.source_id)
        content = _content(session, attempt.version_id, attempt.activity_key, (attempt.plan or {}).get("language"))
        released = {item_id: Decimal(str(points)) for item_id, points in session.execute(
            select(Review.item_id, Review.points).where(Review.kind == self.name, Review.source_id == attempt.id,
                                                        Review.status == "released"))}
        service.apply_review(session, attempt, content, released, cache)

    def statements(self, session: Session, catalogue: Any) -> Iterator[Any]:
        return insight.statements(session, catalogue)


def _content(session: Session, version_id: int, key: str, language: str | None) -> ActivityContent:
    """The activity as it was when the work was done, preferably in the learner's language."""
    content = session.scalars(select(ActivityContent).where(
        ActivityContent.version_id == version_id, ActivityContent.key == key)
        .order_by((ActivityContent.language == (language or "")).desc(), ActivityContent.language)
    ).first()
    # the attempt was made on one of these rows, which live as long as the version (and the attempt) does
    assert content is not None, f"no content {key!r} in version {version_id}"
    return content


KIND = register(QuizKind())
