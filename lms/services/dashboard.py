"""Loading what the trainer's pages show: the group dashboard and a learner's record.

The dashboard reads a fixed number of queries whatever the size of the group
(members are a subquery in each), then hands plain rows to
:mod:`lms.core.dashboard`. ``tests/web/test_trainer_queries.py`` keeps it so.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, String, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from ..core import dashboard as core
from ..core import quiz as quiz_core
from ..core.scenario import ROUTE
from ..models import (
    ActivityContent,
    ActivityProgress,
    Assignment,
    Course,
    CourseVersion,
    Enrollment,
    Group,
    GroupMember,
    QuizAttempt,
    ScenarioChoice,
    ScenarioRun,
    User,
)
from . import quizzes, scenarios
from .groups import MEMBER
from .learning import pick_language

#: how an activity of the plan counts as done (see ``core.Plan``)
NEVER_DONE, DONE_WHEN_COMPLETED, DONE_WHEN_PASSED = 0, 1, 2


@dataclass(frozen=True)
class QuizScores:
    """How many learners' best score in one quiz falls in each band (see ``core.band_of``)."""

    key: str
    title: str
    counts: list[int]

    @property
    def learners(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class GroupDashboard:
    course: Course
    version: CourseVersion
    language: str
    edition: Mapping[str, Any]
    due: dt.date | None
    plan: core.Plan
    matrix: core.Matrix
    timeline: list[tuple[dt.date, int]]
    quiz_scores: list[QuizScores]
    competencies: list[core.CompetencyAverage]


def group_courses(session: Session, group: Group) -> list[tuple[Course, CourseVersion, Assignment]]:
    """Published courses actively assigned to the group, by slug."""
    return [tuple(row) for row in session.execute(
        select(Course, CourseVersion, Assignment)
        .join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .join(Assignment, and_(Assignment.course_id == Course.id, Assignment.group_id == group.id,
                               Assignment.removed_at.is_(None)))
        .order_by(Course.slug, Assignment.id))]


def _member_ids(group: Group):
    return select(GroupMember.user_id).where(GroupMember.group_id == group.id, GroupMember.role == MEMBER)


def _in_course(group: Group, course: Course):
    """SQL condition on ``Enrollment``: a member's enrollment in the course."""
    return and_(Enrollment.course_id == course.id, Enrollment.user_id.in_(_member_ids(group)))


def _progress_counts(session: Session, plan: core.Plan, in_course) -> dict[int, dict[int, tuple[int, int]]]:
    """user id -> {module index: (activities done that count, activities touched at all)}."""
    rules = {**dict.fromkeys(plan.done_when_completed, DONE_WHEN_COMPLETED),
             **dict.fromkeys(plan.done_when_passed, DONE_WHEN_PASSED)}
    query = (select(Enrollment.user_id).select_from(Enrollment)
             .join(ActivityProgress, ActivityProgress.enrollment_id == Enrollment.id).where(in_course))
    if session.get_bind().dialect.name == "sqlite":
        # SQLite would scan a joined plan table for every progress row: CASEs cost less there
        module = case(plan.module_of, value=ActivityProgress.activity_key)
        rule = case(rules, value=ActivityProgress.activity_key, else_=NEVER_DONE)
    else:
        # the plan as a small table (key, module, rule), hash-joined on the activity key:
        # less work per progress row than CASEs over every key of the course
        table = union_all(*[
            select(literal(key, String).label("key"), literal(index, Integer).label("module"),
                   literal(rules.get(key, NEVER_DONE), Integer).label("rule"))
            for key, index in sorted(plan.module_of.items())]).subquery("plan")
        query = query.outerjoin(table, table.c.key == ActivityProgress.activity_key)
        module, rule = table.c.module, table.c.rule
    done = case((and_(ActivityProgress.status == "completed",
                      or_(rule == DONE_WHEN_COMPLETED, and_(rule == DONE_WHEN_PASSED, ActivityProgress.passed.is_(True)))),
                 1), else_=0)
    progress: dict[int, dict[int, tuple[int, int]]] = {}
    for user_id, index, done_count, touched in session.execute(
            query.add_columns(module, func.sum(done), func.count()).group_by(Enrollment.user_id, module)):
        if index is not None:  # progress in an activity that is no longer in the course
            progress.setdefault(user_id, {})[int(index)] = (int(done_count or 0), int(touched))
    return progress


def group_dashboard(session: Session, group: Group, course: Course, version: CourseVersion,
                    group_due: dt.date | None, ui_language: str, today: dt.date) -> GroupDashboard:
    """Everything the dashboard shows for the group's members in ``course`` but the
    quiz scores of each row (see :func:`best_scores`, for the rows on screen).

    Progress is counted per learner and module in the database, so the rows
    read grow with learners × modules, not with every activity done.
    """
    manifest = version.manifest
    language = pick_language(manifest, ui_language)
    edition = manifest["editions"][language]
    plan = core.make_plan(edition, manifest["completion"])
    member_ids = _member_ids(group)
    in_course = _in_course(group, course)

    learners = [core.Learner(uid, name, email) for uid, name, email in session.execute(
        select(User.id, User.name, User.email).join(GroupMember, GroupMember.user_id == User.id)
        .where(GroupMember.group_id == group.id, GroupMember.role == MEMBER))]

    # the earliest due date of each member's active assignments of the course, as learners see it
    through_groups = (select(GroupMember.user_id.label("user_id"), Assignment.due_date.label("due"))
                      .join(Assignment, Assignment.group_id == GroupMember.group_id)
                      .where(GroupMember.user_id.in_(member_ids), Assignment.course_id == course.id,
                             Assignment.removed_at.is_(None)))
    direct = (select(Assignment.user_id.label("user_id"), Assignment.due_date.label("due"))
              .where(Assignment.user_id.in_(member_ids), Assignment.course_id == course.id,
                     Assignment.removed_at.is_(None)))
    dues: dict[int, dt.date | None] = {}
    for user_id, due in session.execute(union_all(through_groups, direct)):
        if due is not None and (dues.get(user_id) is None or due < dues[user_id]):
            dues[user_id] = due
        else:
            dues.setdefault(user_id, None)

    progress = _progress_counts(session, plan, in_course) if plan.module_of else {}
    matrix = core.build_matrix(plan, learners, progress, dues, today)

    timeline = core.completion_timeline(at.date() for at in session.scalars(
        select(Enrollment.completed_at).where(in_course, Enrollment.completed_at.is_not(None))))

    best = (select(QuizAttempt.activity_key.label("key"), func.max(QuizAttempt.percent).label("best"))
            .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
            .where(in_course, QuizAttempt.percent.is_not(None))
            .group_by(QuizAttempt.user_id, QuizAttempt.activity_key).subquery())
    width = 100 / core.BANDS
    banded = select(best.c.key, case(*[(best.c.best < width * (i + 1), i) for i in range(core.BANDS - 1)],
                                     else_=core.BANDS - 1).label("band")).subquery()
    bands: dict[str, list[int]] = {}
    for key, index, count in session.execute(
            select(banded.c.key, banded.c.band, func.count()).group_by(banded.c.key, banded.c.band)):
        bands.setdefault(key, [0] * core.BANDS)[max(0, int(index))] += int(count)
    quiz_scores = [QuizScores(a["key"], a["title"], bands.get(a["key"], [0] * core.BANDS))
                   for m in edition["modules"] for a in m["activities"] if a["kind"] == "quiz"]

    outlines = {key: core.outline_of(data) for key, data in session.execute(
        select(ActivityContent.key, ActivityContent.data).where(
            ActivityContent.version_id == version.id, ActivityContent.language == language,
            ActivityContent.kind == "scenario"))}
    # only tags some scenario can award (best above 0, or unlimited) are summed
    tags = sorted({tag for outline in outlines.values() for tag, best in outline.best.items()
                   if best is None or best > 0})
    totals: dict[str, core.RunTotals] = {}
    if tags:
        # each learner counts once per scenario, with the latest finished run; the
        # competencies are taken out of the run's state once, then summed per tag
        ranked = (select(ScenarioRun.activity_key.label("key"),
                         ScenarioRun.competencies.label("competencies"),
                         func.row_number().over(partition_by=(ScenarioRun.enrollment_id, ScenarioRun.activity_key),
                                                order_by=ScenarioRun.number.desc()).label("rank"))
                  .join(Enrollment, Enrollment.id == ScenarioRun.enrollment_id)
                  .where(in_course, ScenarioRun.finished_at.is_not(None)).subquery())
        sums = [func.sum(ranked.c.competencies[tag].as_float()) for tag in tags]
        for key, runs, *points in session.execute(
                select(ranked.c.key, func.count(), *sums).where(ranked.c.rank == 1).group_by(ranked.c.key)):
            totals[key] = core.RunTotals(int(runs), {tag: float(p or 0) for tag, p in zip(tags, points, strict=True)})
    competencies = core.competency_profile(outlines, totals)

    return GroupDashboard(course, version, language, edition, group_due, plan, matrix, timeline, quiz_scores,
                          competencies)


def best_scores(session: Session, group: Group, course: Course, user_ids: list[int]) -> dict[int, dict[str, float]]:
    """The best quiz percent of each of ``user_ids`` (the rows on screen) per quiz of the course."""
    best: dict[int, dict[str, float]] = {}
    if not user_ids:
        return best
    for user_id, key, percent in session.execute(
            select(QuizAttempt.user_id, QuizAttempt.activity_key, func.max(QuizAttempt.percent))
            .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
            .where(_in_course(group, course), QuizAttempt.user_id.in_(user_ids), QuizAttempt.percent.is_not(None))
            .group_by(QuizAttempt.user_id, QuizAttempt.activity_key)):
        best.setdefault(user_id, {})[key] = float(percent)
    return best


# -- a learner's record ------------------------------------------------------------

@dataclass(frozen=True)
class LessonRecord:
    title: str
    module: str
    status: str
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    version: int


@dataclass(frozen=True)
class AnswerRecord:
    question: str
    answer: str
    score: float | None
    max_points: float | None
    correct: bool | None


@dataclass(frozen=True)
class AttemptRecord:
    title: str
    number: int
    status: str
    started_at: dt.datetime | None
    submitted_at: dt.datetime | None
    percent: float | None
    passed: bool | None
    version: int
    answers: tuple[AnswerRecord, ...]


@dataclass(frozen=True)
class RunRecord:
    title: str
    number: int
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    outcome: str | None
    points: float | None
    passed: bool | None
    version: int
    path: tuple[str, ...]
    seconds: int


@dataclass
class CourseRecord:
    course: Course
    title: str
    language: str
    enrollment: Enrollment
    lessons: list[LessonRecord] = field(default_factory=list)
    attempts: list[AttemptRecord] = field(default_factory=list)
    runs: list[RunRecord] = field(default_factory=list)


def _titles(manifest: Mapping[str, Any], language: str) -> dict[str, tuple[str, str, str]]:
    """activity key -> (kind, title, module title) in the edition nearest to ``language``."""
    edition = manifest["editions"][pick_language(manifest, language)]
    return {a["key"]: (a["kind"], a["title"], m["title"]) for m in edition["modules"] for a in m["activities"]}


def describe_answer(question: quiz_core.Question, answer: Any) -> str:
    """The learner's answer in words (as the learner's results page shows it)."""
    from ..learn.quiz import describe_answer as describe

    return describe(question, answer)


def learner_record(session: Session, learner: User, course_ids: Collection[int] | None = None) -> list[CourseRecord]:
    """Everything ``learner`` did, course by course, each item pinned to the
    content version number it was made on; only in ``course_ids`` if given (what
    the viewer may see, :func:`lms.services.groups.visible_course_ids`)."""
    query = (select(Enrollment, Course).join(Course, Course.id == Enrollment.course_id)
             .where(Enrollment.user_id == learner.id).order_by(Course.slug))
    if course_ids is not None:
        query = query.where(Enrollment.course_id.in_(course_ids))
    rows = session.execute(query).all()
    if not rows:
        return []
    enrollments = {e.id: e for e, _ in rows}
    progress = list(session.scalars(select(ActivityProgress).where(ActivityProgress.enrollment_id.in_(enrollments))
                                    .order_by(ActivityProgress.started_at, ActivityProgress.id)))
    attempts = list(session.scalars(select(QuizAttempt).where(QuizAttempt.enrollment_id.in_(enrollments))
                                    .order_by(QuizAttempt.activity_key, QuizAttempt.number)))
    runs = list(session.scalars(select(ScenarioRun).where(ScenarioRun.enrollment_id.in_(enrollments))
                                .order_by(ScenarioRun.activity_key, ScenarioRun.number)))
    seconds = dict(session.execute(
        select(ScenarioChoice.run_id, func.sum(ScenarioChoice.seconds))
        .join(ScenarioRun, ScenarioRun.id == ScenarioChoice.run_id)
        .where(ScenarioRun.enrollment_id.in_(enrollments)).group_by(ScenarioChoice.run_id)).all())
    version_ids = ({e.version_id for e in enrollments.values()} | {p.version_id for p in progress}
                   | {a.version_id for a in attempts} | {r.version_id for r in runs})
    versions = {v.id: v for v in session.scalars(select(CourseVersion).where(CourseVersion.id.in_(version_ids)))}
    contents: dict[tuple[int, str, str], ActivityContent] = {}
    wanted_keys = {a.activity_key for a in attempts} | {r.activity_key for r in runs}
    if wanted_keys:
        for content in session.scalars(select(ActivityContent).where(
                ActivityContent.version_id.in_({a.version_id for a in attempts} | {r.version_id for r in runs}),
                ActivityContent.key.in_(wanted_keys), ActivityContent.kind.in_(("quiz", "scenario")))):
            contents[(content.version_id, content.key, content.language)] = content

    records: dict[int, CourseRecord] = {}
    for enrollment, course in rows:
        manifest = versions[enrollment.version_id].manifest
        language = pick_language(manifest, enrollment.language)
        records[enrollment.id] = CourseRecord(course, manifest["editions"][language]["title"], language, enrollment)

    def content_for(version_id: int, key: str, language: str) -> ActivityContent | None:
        found = contents.get((version_id, key, language))
        if found is None:
            found = next((c for (v, k, _), c in contents.items() if v == version_id and k == key), None)
        return found

    for row in progress:
        record = records[row.enrollment_id]
        version = versions[row.version_id]
        kind, title, module = _titles(version.manifest, record.language).get(row.activity_key,
                                                                             ("", row.activity_key, ""))
        if kind == "lesson":
            record.lessons.append(LessonRecord(title, module, row.status, row.started_at, row.completed_at,
                                               version.number))

    for attempt in attempts:
        record = records.get(attempt.enrollment_id)
        if record is None:
            continue
        version = versions[attempt.version_id]
        title = _titles(version.manifest, record.language).get(attempt.activity_key, ("", attempt.activity_key, ""))[1]
        language = (attempt.plan or {}).get("language", record.language)
        content = content_for(attempt.version_id, attempt.activity_key, language)
        answers: list[AnswerRecord] = []
        if content is not None:
            quiz = quizzes.quiz_of(content)
            results = {r["question_id"]: r for r in (attempt.result or {}).get("results", [])}
            for question_id in (attempt.plan or {}).get("question_ids", []):
                try:
                    question = quiz.question(question_id)
                except KeyError:
                    continue
                if not question.graded:
                    continue
                result = results.get(question_id, {})
                answers.append(AnswerRecord(question.title, describe_answer(question, (attempt.answers or {}).get(
                    question_id)), result.get("score"), result.get("max_points"), result.get("correct")))
        record.attempts.append(AttemptRecord(title, attempt.number, attempt.status, attempt.started_at,
                                             attempt.submitted_at, attempt.percent, attempt.passed, version.number,
                                             tuple(answers)))

    for run in runs:
        record = records.get(run.enrollment_id)
        if record is None:
            continue
        version = versions[run.version_id]
        title = _titles(version.manifest, record.language).get(run.activity_key, ("", run.activity_key, ""))[1]
        content = content_for(run.version_id, run.activity_key, record.language)
        path: list[str] = []
        outcome = run.outcome
        if content is not None:
            scenario = scenarios.scenario_of(content)
            state = run.state or {}
            for step_id in [p[0] for p in state.get("path", [])] + [state.get("step_id")]:
                step = scenario.step(step_id) if step_id else None
                if step is not None and step.kind != ROUTE:
                    path.append(step.title or step.id)
            outcome = scenario.outcome_label(run.outcome)
        record.runs.append(RunRecord(title, run.number, run.started_at, run.finished_at, outcome, run.points,
                                     run.passed, version.number, tuple(path), int(seconds.get(run.id) or 0)))
    return list(records.values())
