"""Daily practice through the database: the learner's mistakes, today's draw, grading an answer."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..activities.quiz import service as quizzes
from ..activities.quiz.service import Cache
from ..activities.scenario import service as scenarios
from ..core import practice as rules
from ..core import quiz as core
from ..core.quiz.tokens import AttemptTokens
from ..learn.pages import link_in
from ..models import (
    ActivityContent,
    Course,
    CourseVersion,
    Enrollment,
    QuizAttempt,
    ScenarioRun,
    User,
    utcnow,
)
from .models import PracticeAnswer

#: how many of the learner's latest graded attempts are searched for mistakes
ATTEMPTS_SEARCHED = 200


@dataclass(frozen=True)
class Item:
    """One practice question, ready for the page: the mistake, its quiz and question, its tokens."""

    mistake: rules.Mistake
    attempt_id: int
    course_title: str
    quiz: core.Quiz
    question: core.Question
    plan: core.AttemptPlan
    tokens: AttemptTokens
    #: the question's text and explanation, rendered when the course was published
    text_html: str = ""
    explanation_html: str = ""

    @property
    def ref(self) -> str:
        return self.mistake.ref

    def shown(self) -> dict[str, Any]:
        """The question as the page shows it (choices named by tokens, nothing that gives the answer)."""
        return self.tokens.public_question(self.quiz, self.question.id, self.plan)

    @property
    def reveals_answers(self) -> bool:
        """Whether the quiz lets a learner see the right answer (its ``feedback`` and ``review``)."""
        return self.quiz.settings.review and self.quiz.settings.feedback != "never"


def today() -> dt.date:
    return utcnow().date()


def _missed(session: Session, user: User) -> tuple[list[rules.Mistake], dict[str, int]]:
    """The learner's mistakes in graded quiz attempts, and the attempt each was last made in."""
    rows = session.execute(
        select(QuizAttempt.id, QuizAttempt.version_id, QuizAttempt.activity_key, QuizAttempt.plan,
               QuizAttempt.result, QuizAttempt.submitted_at, Enrollment.course_id, Enrollment.language)
        .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.status.in_(("submitted", "awaiting_review")),
               QuizAttempt.result.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc()).limit(ATTEMPTS_SEARCHED))
    missed: list[tuple[int, int, str, str, str, dt.datetime]] = []
    attempt_of: dict[str, int] = {}
    for attempt_id, version_id, key, plan, result, submitted_at, course_id, language in rows:
        language = (plan or {}).get("language") or language
        for entry in (result or {}).get("results", []):
            if entry.get("correct") is False:
                ref = rules.ref_of(course_id, key, entry["question_id"])
                missed.append((course_id, version_id, language, key, entry["question_id"], submitted_at))
                attempt_of.setdefault(ref, attempt_id)  # newest first: the latest attempt wins
    return rules.collect(missed), attempt_of


def _mastered(session: Session, user: User, mistakes: list[rules.Mistake], day: dt.date) -> set[str]:
    """Refs answered right in practice after they were last missed, before ``day`` (what is put right
    today stays in today's set, so the set does not change under the learner's hands)."""
    last = {m.ref: m.last for m in mistakes}
    mastered = set()
    for course_id, key, question_id, at in session.execute(
            select(PracticeAnswer.course_id, PracticeAnswer.activity_key, PracticeAnswer.question_id,
                   PracticeAnswer.answered_at)
            .where(PracticeAnswer.user_id == user.id, PracticeAnswer.correct.is_(True), PracticeAnswer.day < day)):
        ref = rules.ref_of(course_id, key, question_id)
        if ref in last and quizzes.aware(at) >= quizzes.aware(last[ref]):
            mastered.add(ref)
    return mastered


def _item(session: Session, user: User, mistake: rules.Mistake, attempt_id: int, secret: str | bytes | None,
          titles: dict[int, str], cache: Cache) -> Item | None:
    content = session.scalar(select(ActivityContent).where(
        ActivityContent.version_id == mistake.version_id, ActivityContent.language == mistake.language,
        ActivityContent.key == mistake.activity_key))
    attempt = session.get(QuizAttempt, attempt_id)
    if content is None or attempt is None or attempt.user_id != user.id:
        return None
    quiz = quizzes.quiz_of(content, cache)
    question = next((q for q in quiz.questions if q.id == mistake.question_id), None)
    plan = quizzes.plan_of(attempt)
    if question is None or not question.graded or question.id not in plan.question_ids:
        return None
    # tokens of its own: an answer given here names nothing in the quiz attempt's page
    tokens = AttemptTokens(secret, f"practice:{user.id}:{attempt.id}:{attempt.seed}")
    html = (content.data.get("html") or {}).get(question.id, {})
    return Item(mistake, attempt_id, titles.get(mistake.course_id, ""), quiz, question, plan, tokens,
                html.get("text", ""), html.get("explanation", ""))


def todays_items(session: Session, user: User, secret: str | bytes | None, day: dt.date | None = None,
                 cache: Cache = None) -> list[Item]:
    """Today's practice: up to three questions the learner got wrong and has not yet put right."""
    day = day or today()
    mistakes, attempt_of = _missed(session, user)
    drawn = rules.draw(mistakes, _mastered(session, user, mistakes, day), user.id, day)
    # the course's title in the edition the quiz was taken in (one read per version drawn from)
    manifests: dict[int, Any] = dict(session.execute(select(CourseVersion.id, CourseVersion.manifest).where(
        CourseVersion.id.in_({m.version_id for m in drawn}))).all()) if drawn else {}
    titles = {m.course_id: ((manifests.get(m.version_id) or {}).get("editions", {}).get(m.language) or {})
              .get("title", "") for m in drawn}
    items = [_item(session, user, m, attempt_of[m.ref], secret, titles, cache) for m in drawn]
    return [item for item in items if item is not None]


def answered_today(session: Session, user: User, day: dt.date | None = None) -> dict[str, bool]:
    """Refs answered today and whether the (latest) answer was right."""
    found: dict[str, bool] = {}
    for course_id, key, question_id, correct in session.execute(
            select(PracticeAnswer.course_id, PracticeAnswer.activity_key, PracticeAnswer.question_id,
                   PracticeAnswer.correct)
            .where(PracticeAnswer.user_id == user.id, PracticeAnswer.day == (day or today()))
            .order_by(PracticeAnswer.id)):
        found[rules.ref_of(course_id, key, question_id)] = bool(correct)
    return found


def answer(session: Session, user: User, item: Item, form: Any, day: dt.date | None = None) -> core.QuestionResult:
    """Grade a posted answer to ``item`` (tokens from ``form``) and record it.

    Raises :class:`lms.core.quiz.AnswerError` for a choice the page never offered."""
    raw = item.tokens.from_browser(item.question, core.read_answer(item.shown(), form))
    result = core.grade_question(item.question, raw)
    session.add(PracticeAnswer(
        user_id=user.id, course_id=item.mistake.course_id, activity_key=item.mistake.activity_key,
        question_id=item.question.id, attempt_id=item.attempt_id, correct=bool(result.correct),
        day=day or today()))
    return result


def streak(session: Session, user: User, day: dt.date | None = None) -> int:
    days = session.scalars(select(PracticeAnswer.day).where(PracticeAnswer.user_id == user.id).distinct())
    return rules.streak(days, day or today())


def summary(session: Session, user: User, day: dt.date | None = None) -> tuple[int, int, int]:
    """For the learner's home: (questions in today's practice, of them answered today, the streak),
    in three queries (the questions themselves are loaded only on the practice page)."""
    day = day or today()
    mistakes, _attempts = _missed(session, user)
    waiting = len(rules.draw(mistakes, _mastered(session, user, mistakes, day), user.id, day))
    answered = min(len(answered_today(session, user, day)), waiting) if waiting else 0
    return waiting, answered, streak(session, user, day)


@dataclass(frozen=True)
class WeakSpot:
    """A competency the learner's latest finished run of a role-play left weak, and where to work on it."""

    label: str
    role_play: str
    role_play_url: tuple[str, str]  # (course slug, activity key)
    lesson_url: str | None


#: how many of the learner's latest finished role-play runs are looked at
RUNS_SEARCHED = 10


def weak_spots(session: Session, user: User, cache: Cache = None) -> list[WeakSpot]:
    """Weak competencies (:data:`lms.core.scenario_engine.WEAK_SHARE`) of the learner's latest finished
    run of each role-play, newest first, with the lesson each competency points to."""
    rows = session.execute(
        select(ScenarioRun, Enrollment.language, Course.slug)
        .join(Enrollment, Enrollment.id == ScenarioRun.enrollment_id)
        .join(Course, Course.id == Enrollment.course_id)
        .where(ScenarioRun.user_id == user.id, ScenarioRun.finished_at.is_not(None))
        .order_by(ScenarioRun.finished_at.desc()).limit(RUNS_SEARCHED))
    seen: set[tuple[int, str]] = set()
    found: list[WeakSpot] = []
    for run, language, slug in rows:
        if (run.enrollment_id, run.activity_key) in seen:
            continue  # an older run of a role-play already looked at
        seen.add((run.enrollment_id, run.activity_key))
        content = session.scalar(select(ActivityContent).where(
            ActivityContent.version_id == run.version_id, ActivityContent.key == run.activity_key,
            ActivityContent.language == language)) or session.scalar(select(ActivityContent).where(
                ActivityContent.version_id == run.version_id, ActivityContent.key == run.activity_key).limit(1))
        if content is None:
            continue
        summary = scenarios.run_summary(session, run, content, cache)
        links = content.data.get("lesson_links") or {}
        found.extend(WeakSpot(c.label, content.title, (slug, run.activity_key),
                              link_in(links[c.tag], slug) if links.get(c.tag) else None)
                     for c in summary.weak)
    return found
