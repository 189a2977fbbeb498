"""What trainers and learning records see of quizzes: the learner's attempts, the score bands
of a group, item analysis, and the xAPI statements of graded attempts."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ...core import dashboard as dashboard_core
from ...core import item_analysis, xapi
from ...core import quiz as quiz_core
from ...models import ActivityContent, Enrollment, QuizAttempt, User
from ...services import xapi as records
from . import service


@dataclass(frozen=True)
class AnswerRecord:
    question: str
    answer: str
    score: float | None
    max_points: float | None
    correct: bool | None


@dataclass(frozen=True)
class AttemptRecord:
    """An attempt in a learner's record."""

    title: str
    number: int
    status: str
    started_at: dt.datetime | None
    submitted_at: dt.datetime | None
    percent: float | None
    passed: bool | None
    version: int
    answers: tuple[AnswerRecord, ...]


def attempt_records(session: Session, enrollments: Mapping[int, Enrollment], context: Any
                    ) -> Iterator[tuple[int, AttemptRecord]]:
    attempts = session.scalars(select(QuizAttempt).where(QuizAttempt.enrollment_id.in_(enrollments))
                               .order_by(QuizAttempt.activity_key, QuizAttempt.number))
    for attempt in attempts:
        title, _module, number = context.describe(attempt.enrollment_id, attempt.version_id, attempt.activity_key)
        language = (attempt.plan or {}).get("language", context.language(attempt.enrollment_id))
        content = context.content(attempt.version_id, attempt.activity_key, language)
        answers: list[AnswerRecord] = []
        if content is not None:
            quiz = service.quiz_of(content, context.cache)
            results = {r["question_id"]: r for r in (attempt.result or {}).get("results", [])}
            for question_id in (attempt.plan or {}).get("question_ids", []):
                try:
                    question = quiz.question(question_id)
                except KeyError:
                    continue
                if not question.graded:
                    continue
                result = results.get(question_id, {})
                answers.append(AnswerRecord(question.title, service.describe_answer(
                    question, (attempt.answers or {}).get(question_id)), result.get("score"),
                    result.get("max_points"), result.get("correct")))
        yield attempt.enrollment_id, AttemptRecord(
            title, attempt.number, attempt.status, attempt.started_at, attempt.submitted_at, attempt.percent,
            attempt.passed, number, tuple(answers))


@dataclass(frozen=True)
class QuizScores:
    """How many learners' best score in one quiz falls in each band (see ``core.band_of``)."""

    key: str
    title: str
    counts: list[int]

    @property
    def learners(self) -> int:
        return sum(self.counts)


def score_bands(session: Session, edition: Mapping[str, Any], in_course: Any) -> list[QuizScores]:
    """Per quiz of the edition: the learners' best scores in ten bands."""
    best = (select(QuizAttempt.activity_key.label("key"), func.max(QuizAttempt.percent).label("best"))
            .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
            .where(in_course, QuizAttempt.percent.is_not(None))
            .group_by(QuizAttempt.user_id, QuizAttempt.activity_key).subquery())
    width = 100 / dashboard_core.BANDS
    banded = select(best.c.key, case(*[(best.c.best < width * (i + 1), i) for i in range(dashboard_core.BANDS - 1)],
                                     else_=dashboard_core.BANDS - 1).label("band")).subquery()
    bands: dict[str, list[int]] = {}
    for key, index, count in session.execute(
            select(banded.c.key, banded.c.band, func.count()).group_by(banded.c.key, banded.c.band)):
        bands.setdefault(key, [0] * dashboard_core.BANDS)[max(0, int(index))] += int(count)
    return [QuizScores(a["key"], a["title"], bands.get(a["key"], [0] * dashboard_core.BANDS))
            for m in edition["modules"] for a in m["activities"] if a["key"] in _quiz_keys(edition)]


def _quiz_keys(edition: Mapping[str, Any]) -> set[str]:
    return {a["key"] for m in edition["modules"] for a in m["activities"] if a["kind"] == service.KIND}


def best_percents(session: Session, in_course: Any, user_ids: list[int]) -> dict[int, dict[str, float]]:
    """The best quiz percent of each of ``user_ids`` (the rows on screen) per quiz."""
    best: dict[int, dict[str, float]] = {}
    if not user_ids:
        return best
    for user_id, key, percent in session.execute(
            select(QuizAttempt.user_id, QuizAttempt.activity_key, func.max(QuizAttempt.percent))
            .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
            .where(in_course, QuizAttempt.user_id.in_(user_ids), QuizAttempt.percent.is_not(None))
            .group_by(QuizAttempt.user_id, QuizAttempt.activity_key)):
        assert percent is not None  # the query leaves out the attempts without a percent
        best.setdefault(user_id, {})[key] = float(percent)
    return best


@dataclass(frozen=True)
class QuizAnalysis:
    key: str
    title: str
    attempts: int
    questions: list[item_analysis.QuestionStats]


def analysis(session: Session, version_id: int, contents: list[ActivityContent], cache: Any) -> list[QuizAnalysis]:
    """Item analysis of the quizzes ``contents`` of a version, over submitted attempts only
    (not those still awaiting review)."""
    attempts: dict[str, list[item_analysis.AttemptRecord]] = defaultdict(list)
    if contents:
        for key, result, answers in session.execute(
            select(QuizAttempt.activity_key, QuizAttempt.result, QuizAttempt.answers).where(
                QuizAttempt.version_id == version_id, QuizAttempt.activity_key.in_([c.key for c in contents]),
                QuizAttempt.status == "submitted").order_by(QuizAttempt.id)):
            attempts[key].append(item_analysis.AttemptRecord.from_result(result, answers))
    return [QuizAnalysis(c.key, c.title, len(attempts[c.key]),
                         item_analysis.analyse_quiz(service.quiz_of(c, cache), attempts[c.key]))
            for c in contents]


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def statements(session: Session, catalogue: Any) -> Iterator[records.Record]:
    """Each graded attempt: one "answered" statement per question (a cmi.interaction with the learner's
    response, in authored ids) and one "passed" or "failed" for the attempt, both with the learner's
    attempt number. Texts are tagged with the language of the edition the attempt was taken in, or of
    its fallback when the quiz is not translated."""
    rows = records.streamed(session,
        select(QuizAttempt, Enrollment, User)
        .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id).join(User, User.id == QuizAttempt.user_id)
        .where(QuizAttempt.submitted_at.is_not(None), QuizAttempt.passed.is_not(None))
        .order_by(QuizAttempt.id))
    cache: dict = {}
    for attempt, enrollment, user in rows:
        base = catalogue.base
        slug = catalogue.slug(enrollment.course_id)
        course = catalogue.course(enrollment.course_id, attempt.version_id, enrollment.language)
        taken_in = (attempt.plan or {}).get("language") or enrollment.language
        content = catalogue.content(attempt.version_id, taken_in, attempt.activity_key)
        title, language = catalogue.title(attempt.version_id, taken_in, attempt.activity_key)
        quiz_iri = xapi.activity_iri(base, slug, attempt.activity_key)
        quiz_activity = xapi.activity(quiz_iri, title, "quiz", language)
        parsed = service.quiz_of(content, cache) if content is not None and content.data else None
        result = attempt.result or {}
        answers = attempt.answers or {}
        for graded in result.get("results", []):
            question_id = graded["question_id"]
            question = _question(parsed, question_id)
            if question is not None and not question.graded:
                continue  # a description block asks nothing
            answered = bool(graded.get("answered"))
            yield records.Record(xapi.statement_id("answer", attempt.id, question_id), user.id, xapi.question_answered(
                attempt_id=attempt.id, number=attempt.number, question_id=question_id, actor=records.actor_of(user),
                course=course, iri=xapi.question_iri(base, slug, attempt.activity_key, question_id),
                title=(question.title if question else "") or question_id,
                language=language if question and question.title else xapi.UNDETERMINED,
                description=(question.text.strip() or None) if question else None,
                interaction=quiz_core.xapi_interaction(question) if question else xapi.Interaction("other"),
                response=quiz_core.xapi_response(question, answers.get(question_id)) if question and answered
                else None,
                quiz=quiz_activity, fraction=_float(graded.get("fraction")), points=_float(graded.get("score")),
                max_points=_float(graded.get("max_points")), correct=graded.get("correct"),
                answered=answered, when=attempt.submitted_at, enrollment_id=enrollment.id))
        yield records.Record(xapi.statement_id("attempt", attempt.id), user.id, xapi.attempt_result(
            attempt_id=attempt.id, number=attempt.number, actor=records.actor_of(user), course=course,
            quiz=quiz_activity, percent=attempt.percent, points=_float(result.get("points")),
            max_points=_float(result.get("max_points")), passed=bool(attempt.passed), started=attempt.started_at,
            submitted=attempt.submitted_at, enrollment_id=enrollment.id))


def _question(parsed: quiz_core.Quiz | None, question_id: str) -> quiz_core.Question | None:
    if parsed is None:
        return None
    try:
        return parsed.question(question_id)
    except KeyError:
        return None
