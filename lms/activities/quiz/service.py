"""Taking quizzes: attempts drawn once, answers saved as they go, graded on the server.

Functions take a session and plain values and flush; the view commits (once). A save that
loses a race with the page's autosave is applied again on the fresh row
(:func:`save_with_retry`), and a review released by a trainer is applied to its attempt
(:func:`apply_review`).
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, MutableMapping
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ...core import quiz as core
from ...core.quiz import AttemptTokens
from ...models import ActivityContent, CourseVersion, Enrollment, QuizAttempt, Review, aware, utcnow
from ...services import learning
from ...services.certificates import cycle_started_at
from ...services.learning import complete_activity

Cache = MutableMapping[tuple, Any] | None
#: the kind this package implements (``ActivityContent.kind``)
KIND = "quiz"



class QuizClosed(Exception):
    """The attempt cannot take this action (finished, out of attempts, time up)."""


def quiz_of(content: ActivityContent, cache: Cache = None) -> core.Quiz:
    return learning.parsed(content, core.Quiz.from_dict, cache)


def plan_of(attempt: QuizAttempt) -> core.AttemptPlan:
    return core.AttemptPlan.from_dict(attempt.plan)


def attempts(session: Session, enrollment: Enrollment, key: str) -> list[QuizAttempt]:
    return list(session.scalars(select(QuizAttempt).where(
        QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.activity_key == key).order_by(QuizAttempt.number)))


def latest_attempt(session: Session, enrollment: Enrollment, key: str) -> QuizAttempt | None:
    """The learner's newest attempt at the quiz ``key`` (the only one answers can go to), alone."""
    return session.scalar(select(QuizAttempt).where(
        QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.activity_key == key)
        .order_by(QuizAttempt.number.desc()).limit(1))




def attempts_left(quiz: core.Quiz, done: int) -> int | None:
    """None means unlimited."""
    allowed = quiz.settings.attempts
    return None if not allowed else max(0, allowed - done)


def start(session: Session, enrollment: Enrollment, content: ActivityContent, version: CourseVersion,
          language: str, cache: Cache = None) -> QuizAttempt:
    """Draw a new attempt. Two simultaneous starts cannot both take the last attempt:
    the (enrollment, quiz, number) key is unique."""
    quiz = quiz_of(content, cache)
    done = session.scalar(select(func.count(QuizAttempt.id)).where(
        QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.activity_key == content.key)) or 0
    left = attempts_left(quiz, done)
    if left == 0:
        raise QuizClosed("no attempts left")
    seed = secrets.randbits(48)
    plan = core.draw_attempt(quiz, seed).to_dict()
    plan["language"] = language
    now = utcnow()
    limit = quiz.settings.time_limit
    attempt = QuizAttempt(
        enrollment_id=enrollment.id, user_id=enrollment.user_id, activity_key=content.key,
        version_id=version.id, number=done + 1, seed=seed, plan=plan, answers={}, started_at=now,
        deadline=now + dt.timedelta(minutes=limit) if limit else None,
    )
    session.add(attempt)
    enrollment.last_key = content.key
    session.flush()
    return attempt


def expired(attempt: QuizAttempt, now: dt.datetime | None = None) -> bool:
    deadline = aware(attempt.deadline)
    return deadline is not None and (now or utcnow()) > deadline


def flagged(attempt: QuizAttempt) -> list[str]:
    """The questions the learner marked to come back to, in the attempt's order."""
    marked = set(attempt.flags or ())
    return [qid for qid in plan_of(attempt).question_ids if qid in marked]


def save_answers(attempt: QuizAttempt, quiz: core.Quiz, raw: dict[str, Any],
                 flags: tuple[Iterable[str], Iterable[str]] | None = None) -> dict[str, core.AnswerError]:
    """Validate and store answers; returns errors per question id. Nothing is stored
    for an attempt that is closed or past its deadline.

    ``flags`` is (the questions the page showed, those of them it flagged): their marks
    "come back to this" are set or cleared; other questions keep theirs.
    """
    if attempt.status != "open":
        raise QuizClosed("submitted")
    if expired(attempt):
        raise QuizClosed("time is up")
    plan = plan_of(attempt)
    errors: dict[str, core.AnswerError] = {}
    answers = dict(attempt.answers or {})
    immediate = quiz.settings.feedback == "immediate"
    for question_id, value in raw.items():
        if question_id not in plan.question_ids:
            raise core.AnswerError(question_id, "this question is not part of the attempt")
        if immediate and question_id in answers:
            continue  # with feedback after each question, a shown answer is final
        if value is None or value == "" or value == [] or value == {}:
            answers.pop(question_id, None)
            continue
        question = quiz.question(question_id)
        try:
            answers[question_id] = core.validate_answer(question, value)
        except core.AnswerError as exc:
            if not core.strategy_for(question).typed:
                raise  # ids the page never offered: a tampered request changes nothing
            errors[question_id] = exc  # worded in the learner's language by the page
    attempt.answers = answers
    if flags is not None:
        shown, marked = set(flags[0]), set(flags[1])
        if not shown <= set(plan.question_ids):
            raise core.AnswerError(next(iter(shown - set(plan.question_ids))), core.NOT_IN_ATTEMPT)
        kept = (set(attempt.flags or ()) - shown) | (marked & shown)
        if kept != set(attempt.flags or ()):
            attempt.flags = [qid for qid in plan.question_ids if qid in kept]
    return errors


def submit(session: Session, attempt: QuizAttempt, content: ActivityContent, enrollment: Enrollment,
           version: CourseVersion, course_id: int, cache: Cache = None) -> core.AttemptResult | None:
    """Grade the attempt once: a repeated submission changes nothing (returns None)."""
    if attempt.status != "open":
        return None
    quiz = quiz_of(content, cache)
    plan = plan_of(attempt)
    result = core.grade_attempt(quiz, plan, attempt.answers or {})
    attempt.submitted_at = min(utcnow(), aware(attempt.deadline) or utcnow())
    attempt.status = "awaiting_review" if result.pending else "submitted"
    attempt.percent = float(result.percent)
    attempt.passed = result.passed
    attempt.result = result.to_dict()
    for question_id in result.pending:
        question = quiz.question(question_id)
        session.add(Review(
            kind="quiz", user_id=attempt.user_id, course_id=course_id, activity_key=attempt.activity_key,
            version_id=attempt.version_id, source_id=attempt.id, item_id=question_id, prompt=question.title,
            answer=str((attempt.answers or {}).get(question_id, "")),
            rubric=[{"label": label, "points": None} for label in question.rubric],
            max_points=float(question.points),
        ))
    record_outcome(session, attempt, content, enrollment, version, result)
    return result


def passed_in_cycle(session: Session, enrollment: Enrollment, key: str) -> bool:
    """Whether any attempt at the quiz passed in the learner's current certification cycle."""
    query = select(func.count(QuizAttempt.id)).where(
        QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.activity_key == key, QuizAttempt.passed.is_(True))
    since = cycle_started_at(session, enrollment.user_id, enrollment.course_id)
    if since is not None:  # after a certificate expired, only this cycle's attempts count
        query = query.where(QuizAttempt.started_at >= since)
    return bool(session.scalar(query))


def record_outcome(session: Session, attempt: QuizAttempt, content: ActivityContent, enrollment: Enrollment,
                   version: CourseVersion, result: core.AttemptResult) -> None:
    """The activity's progress after ``attempt`` was graded: passed when any attempt of this
    cycle passed; awaiting review while this attempt waits for one and none passed yet."""
    session.flush()
    best = passed_in_cycle(session, enrollment, content.key)
    complete_activity(session, enrollment, content, version,
                      result={"passed": best, "percent": float(result.percent), "attempt": attempt.number,
                              "awaiting_review": list(result.pending)},
                      score=float(result.percent), awaiting_review=bool(result.pending) and not best)


def apply_review(session: Session, attempt: QuizAttempt, content: ActivityContent,
                 released: dict[str, Decimal], cache: Cache = None) -> None:
    """Grade ``attempt`` again with the trainers' released points (question id -> points) and
    record the activity's progress; the learner's "Continue" stays where it was."""
    if attempt.status == "open":
        return  # cannot happen: reviews are created at submission
    enrollment = session.get_one(Enrollment, attempt.enrollment_id)
    result = core.finalize_with_review(quiz_of(content, cache), plan_of(attempt), attempt.answers or {},
                                       {item_id: core.Review(points) for item_id, points in released.items()})
    attempt.status = "awaiting_review" if result.pending else "submitted"
    attempt.percent = float(result.percent)
    attempt.passed = result.passed
    attempt.result = result.to_dict()
    latest = session.scalar(select(func.max(QuizAttempt.number)).where(
        QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.activity_key == attempt.activity_key))
    version = session.get_one(CourseVersion, enrollment.version_id)
    last_key = enrollment.last_key
    if attempt.number == latest:
        record_outcome(session, attempt, content, enrollment, version, result)
    else:  # an earlier attempt: only whether the quiz is passed may change
        session.flush()
        learning.mark_passed(session, enrollment, content, version, passed_in_cycle(session, enrollment, content.key))
    enrollment.last_key = last_key


def save_with_retry(session: Session, attempt: QuizAttempt, quiz: core.Quiz, raw: dict[str, Any],
                    reload, flags: tuple[Iterable[str], Iterable[str]] | None = None
                    ) -> tuple[QuizAttempt | None, dict[str, core.AnswerError]]:
    """Save answers, retrying on top of a concurrent save of the same attempt (the page's
    autosave): up to five tries, each on the freshly loaded row (locked on PostgreSQL).

    ``reload()`` returns the attempt anew (None when it is no longer the current one).
    ``flags`` as for :func:`save_answers`.
    Commits each try (a save is its own transaction). Returns the attempt and the errors
    per question; (None, {}) when the attempt went away or was submitted meanwhile.
    Raises :class:`QuizClosed` (time is up) and ``core.AnswerError`` (a tampered answer)
    after rolling back.
    """
    for tries_left in (4, 3, 2, 1, 0):
        try:
            errors = save_answers(attempt, quiz, raw, flags)
            session.commit()
            return attempt, errors
        except (QuizClosed, core.AnswerError):
            session.rollback()
            raise
        except StaleDataError:
            session.rollback()
            fresh = reload()
            if not tries_left or fresh is None:
                return None, {}
            attempt = fresh
            session.refresh(attempt, with_for_update=True)  # PostgreSQL: hold the row until this save commits
            if attempt.status != "open":
                return None, {}
    return None, {}


def grade_preview(quiz: core.Quiz, attempt: QuizAttempt, question_id: str) -> core.QuestionResult | None:
    """Feedback for one saved answer (used when feedback is shown after each question)."""
    answer = (attempt.answers or {}).get(question_id)
    if answer is None:
        return None
    return core.grade_question(quiz.question(question_id), answer)


def tokens_for(attempt: QuizAttempt, secret: str | bytes | None) -> AttemptTokens:
    """The tokens that name ``attempt``'s choices on its pages (see :mod:`lms.core.quiz.tokens`).

    ``secret`` is the application's secret key (``ValueError`` when it is not set); the attempt's
    id and random seed make the tokens its own. Nothing is stored: the same inputs always give the same tokens.
    """
    return AttemptTokens(secret, f"{attempt.id}:{attempt.seed}")


def page_answers(quiz: core.Quiz, plan: core.AttemptPlan, tokens: AttemptTokens,
                 answers: dict[str, Any]) -> dict[str, Any]:
    """Stored answers (authored ids) as the page shows them checked: in the attempt's tokens."""
    return {qid: tokens.to_browser(quiz.question(qid), answer)
            for qid, answer in answers.items() if qid in plan.question_ids}


def answers_from_form(quiz: core.Quiz, plan: core.AttemptPlan, tokens: AttemptTokens,
                      question_ids: list[str], form) -> dict[str, Any]:
    """The answers a quiz page posted for ``question_ids``, in authored ids.

    Raises :class:`~lms.core.quiz.AnswerError` for a choice token this attempt's page
    did not offer for that question (a tampered or guessed request changes nothing).
    """
    return {qid: tokens.from_browser(quiz.question(qid),
                                     core.read_answer(tokens.public_question(quiz, qid, plan), form))
            for qid in question_ids}


def describe_answer(question: core.Question, answer: Any) -> str:
    """The learner's answer in words (the results page, the learner record)."""
    return core.describe_answer(question, answer)


def shows_answers(quiz: core.Quiz) -> bool:
    """Whether a learner may look at their answers once the attempt is submitted (``review``)."""
    return quiz.settings.review


def shows_solutions(quiz: core.Quiz) -> bool:
    """Whether the results say right or wrong and give the right answer, the option feedback and the
    explanation: the quiz lets learners look at their answers and does not withhold feedback."""
    return quiz.settings.review and quiz.settings.feedback != "never"
