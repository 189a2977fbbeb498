"""The role-play: a branching dialogue with a simulated customer, with state and a debrief."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core import xapi
from ...core.activities import ParsedActivity
from ...core.frontmatter import Document
from ...core.render import Rendered
from ...i18n import _
from ...models import ActivityContent, Enrollment, Review, ScenarioRun
from ..base import (
    ActivityKind,
    ActivityPage,
    AnalysisSection,
    DashboardPanel,
    LearnerPanel,
    RecordContext,
    register,
)
from . import insight, service, views
from .content import parse_scenario
from .text import scenario_text


class ScenarioKind(ActivityKind):
    name = service.KIND
    completion_key = "scenarios"
    completion_rules = frozenset({"passed", "finished"})
    default_rule = "passed"
    graded = True
    measures = ("steps", "endings", "conditions", "free_text_rubrics")
    reviewable = True
    self_check = True
    xapi_type = xapi.ACTIVITY_TYPES["scenario"]
    blueprint = views.bp
    record_template = "lms/activities/scenario_record.html"

    def parse(self, doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
        return parse_scenario(doc, render)

    def learner_text(self, html: str, data: Mapping[str, Any]) -> list[str]:
        return scenario_text(data)

    help_template = "lms/activities/scenario_help.html"
    draft_player = True
    preview_template = "lms/activities/scenario_preview.html"
    studio_map = True

    def label(self) -> str:
        return _("Role-play")

    def view(self, page: ActivityPage) -> Any:
        return views.scenario_view(page)

    def completion_panel(self, session: Session, enrollment: Enrollment, version: Any, language: str,
                         cache: Any) -> LearnerPanel | None:
        """The learner's competency profile across the course's role-plays: the group
        dashboard's profile (:func:`insight.competencies`) over this enrollment alone."""
        profile = insight.competencies(session, version.id, language, Enrollment.id == enrollment.id)
        if not profile:
            return None
        return LearnerPanel(self.name, "lms/activities/scenario_completion.html",
                            {"rows": [(c, views.signed(c.earned, plus=False),
                                       views.signed(c.best, plus=False) if c.best else None) for c in profile]})

    def record(self, session: Session, enrollments: Mapping[int, Any], context: RecordContext
               ) -> Iterator[tuple[int, Any]]:
        return insight.run_records(session, enrollments, context)

    def dashboard(self, session: Session, course: Any, version: Any, language: str, in_course: Any,
                  cache: Any) -> DashboardPanel | None:
        profile = insight.competencies(session, version.id, language, in_course)
        chart = views.competency_chart(profile)
        if chart is None:
            return None
        return DashboardPanel(self.name, "lms/activities/scenario_dashboard.html", {"chart": chart, "rows": profile})

    def analysis(self, session: Session, version: Any, contents: list[Any], cache: Any) -> AnalysisSection | None:
        if not contents:
            return None
        return AnalysisSection(self.name, "lms/activities/scenario_analysis.html",
                               insight.analysis(session, version.id, contents, cache))

    def apply_review(self, session: Session, review: Review, cache: Any) -> None:
        run = session.get_one(ScenarioRun, review.source_id)
        language = session.scalar(select(Enrollment.language).where(Enrollment.id == run.enrollment_id))
        content = session.scalars(select(ActivityContent).where(
            ActivityContent.version_id == run.version_id, ActivityContent.key == run.activity_key)
            .order_by((ActivityContent.language == (language or "")).desc(), ActivityContent.language)).first()
        # the run was played on one of these rows, which live as long as the version (and the run) does
        assert content is not None, f"no content {run.activity_key!r} in version {run.version_id}"
        service.apply_review(session, run, content, cache)

    def statements(self, session: Session, catalogue: Any) -> Iterator[Any]:
        return insight.statements(session, catalogue)


KIND = register(ScenarioKind())
