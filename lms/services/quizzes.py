"""Taking quizzes: attempts drawn once, answers saved as they go, graded on the server."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core import quiz as core
from ..core.quiz_tokens import AttemptTokens
from ..models import ActivityContent, CourseVersion, Enrollment, QuizAttempt, Review, utcnow
from . import learning
from .certificates import cycle_started_at
from .learning import complete_activity

#: question types whose answers the learner types, so a bad one is a mistake to point out
TYPED_ANSWERS = frozenset({"numeric", "short", "open"})


class QuizClosed(Exception):
    """The attempt cannot take this action (finished, out of attempts, time up)."""


def quiz_of(content: ActivityContent) -> core.Quiz:
    return learning.parsed(content, core.Quiz.from_dict)


def plan_of(attempt: QuizAttempt) -> core.AttemptPlan:
    return core.AttemptPlan.from_dict(attempt.plan)


def attempts(session: Session, enrollment: Enrollment, key: str) -> list[QuizAttempt]:
    return list(session.scalars(select(QuizAttempt).where(
        QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.activity_key == key).order_by(QuizAttempt.number)))


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def attempts_left(quiz: core.Quiz, done: int) -> int | None:
    """None means unlimited."""
    allowed = quiz.settings.attempts
    return None if not allowed else max(0, allowed - done)


def start(session: Session, enrollment: Enrollment, content: ActivityContent, version: CourseVersion,
          language: str) -> QuizAttempt:
    """Draw a new attempt. Two simultaneous starts cannot both take the last attempt:
    the (enrollment, quiz, number) key is unique."""
    quiz = quiz_of(content)
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


def save_answers(attempt: QuizAttempt, quiz: core.Quiz, raw: dict[str, Any]) -> dict[str, str]:
    """Validate and store answers; returns errors per question id. Nothing is stored
    for an attempt that is closed or past its deadline."""
    if attempt.status != "open":
        raise QuizClosed("submitted")
    if expired(attempt):
        raise QuizClosed("time is up")
    plan = plan_of(attempt)
    errors: dict[str, str] = {}
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
            if question.type not in TYPED_ANSWERS:
                raise  # ids the page never offered: a tampered request changes nothing
            errors[question_id] = str(exc)
    attempt.answers = answers
    return errors


def submit(session: Session, attempt: QuizAttempt, content: ActivityContent, enrollment: Enrollment,
           version: CourseVersion, course_id: int) -> core.AttemptResult | None:
    """Grade the attempt once: a repeated submission changes nothing (returns None)."""
    if attempt.status != "open":
        return None
    quiz = quiz_of(content)
    plan = plan_of(attempt)
    result = core.grade_attempt(quiz, plan, attempt.answers or {})
    attempt.submitted_at = min(utcnow(), aware(attempt.deadline)) if attempt.deadline else utcnow()
    attempt.status = "awaiting_review" if result.pending else "submitted"
    attempt.percent = float(result.percent)
    attempt.passed = result.passed
    attempt.result = result.to_dict()
    for question_id in result.pending:
        question = quiz.question(question_id)
        session.add(Review(
            kind="quiz", user_id=attempt.user_id, course_id=course_id, activity_key=attempt.activity_key,
            version_id=attempt.version_id, attempt_id=attempt.id, item_id=question_id, prompt=question.title,
            answer=str((attempt.answers or {}).get(question_id, "")),
            rubric=[{"label": label, "points": None} for label in question.rubric],
            max_points=float(question.points),
        ))
    earlier_passed = select(func.count(QuizAttempt.id)).where(
        QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.activity_key == content.key,
        QuizAttempt.passed.is_(True), QuizAttempt.id != attempt.id)
    since = cycle_started_at(session, enrollment.user_id, enrollment.course_id)
    if since is not None:  # after a certificate expired, only this cycle's attempts count
        earlier_passed = earlier_passed.where(QuizAttempt.started_at >= since)
    best = bool(result.passed) or bool(session.scalar(earlier_passed))
    complete_activity(session, enrollment, content, version,
                      result={"passed": best, "percent": float(result.percent), "attempt": attempt.number,
                              "awaiting_review": list(result.pending)},
                      score=float(result.percent))
    return result


def grade_preview(quiz: core.Quiz, attempt: QuizAttempt, question_id: str) -> core.QuestionResult | None:
    """Feedback for one saved answer (used when feedback is shown after each question)."""
    answer = (attempt.answers or {}).get(question_id)
    if answer is None:
        return None
    return core.grade_question(quiz.question(question_id), answer)


def tokens_for(attempt: QuizAttempt, secret: str | bytes) -> AttemptTokens:
    """The tokens that name ``attempt``'s choices on its pages (see :mod:`lms.core.quiz_tokens`).

    ``secret`` is the application's secret key; the attempt's id and random seed make
    the tokens its own. Nothing is stored: the same inputs always give the same tokens.
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
                                     answer_from_form(tokens.public_question(quiz, qid, plan), form))
            for qid in question_ids}


def answer_from_form(question: dict[str, Any], form) -> Any:
    """Turn the fields of one question's inputs into the core's answer shape, in the ids
    ``question`` names its choices by (the attempt's tokens on a learner's page)."""
    qid = question["id"]
    name = f"q-{qid}"
    kind = question["type"]
    if kind in ("single", "true_false"):
        return form.get(name) or None
    if kind == "multiple":
        return form.getlist(name)
    if kind in ("short", "numeric", "open"):
        return (form.get(name) or "").strip()
    if kind == "matching":
        chosen = {left["id"]: form.get(f"{name}-{left['id']}") for left in question["lefts"]}
        return {k: v for k, v in chosen.items() if v}
    if kind == "ordering":
        positions = []
        for index, item in enumerate(question["items"]):
            raw = form.get(f"{name}-{item['id']}", "")
            position = int(raw) if raw.isdigit() else 10_000 + index
            positions.append((position, index, item["id"]))
        if all(p[0] >= 10_000 for p in positions):
            return None
        return [item_id for _, _, item_id in sorted(positions)]
    return None
