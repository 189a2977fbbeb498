"""Daily practice through the database: the learner's mistakes, today's draw, grading an answer."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..activities.quiz import service as quizzes
from ..activities.quiz.service import Cache
from ..activities.scenario import service as scenarios
from ..core import practice as rules
from ..core import quiz as core
from ..core import refresh
from ..core.quiz.tokens import AttemptTokens
from ..learn.pages import link_in
from ..models import (
    ActivityContent,
    Course,
    CourseVersion,
    Enrollment,
    Group,
    GroupMember,
    QuizAttempt,
    ScenarioRun,
    User,
    aware,
    utcnow,
)
from ..services.groups import MEMBER
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


def _question_misses(session: Session, user_id: int) -> list[tuple[int, int, int, str, str, str, dt.datetime]]:
    """``(attempt, course, version, language, quiz, question, submitted at)`` of every question the learner
    got wrong in their latest graded quiz attempts, newest first (one query)."""
    rows = session.execute(
        select(QuizAttempt.id, QuizAttempt.version_id, QuizAttempt.activity_key, QuizAttempt.plan,
               QuizAttempt.result, QuizAttempt.submitted_at, Enrollment.course_id, Enrollment.language)
        .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.status.in_(("submitted", "awaiting_review")),
               QuizAttempt.result.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc()).limit(ATTEMPTS_SEARCHED))
    found = []
    for attempt_id, version_id, key, plan, result, submitted_at, course_id, language in rows:
        if submitted_at is None:
            continue
        language = (plan or {}).get("language") or language
        for entry in (result or {}).get("results", []):
            if entry.get("correct") is False:
                found.append((attempt_id, course_id, version_id, language, key, entry["question_id"],
                              aware(submitted_at)))
    return found


@dataclass(frozen=True)
class Standing:
    """The learner's quiz refreshers on ``day``: the questions they missed before it, where each stood
    when the day ``began`` (what the day's practice is drawn from, so it stays put all day) and
    ``now`` (after today's answers), today's answers and every day with practice done."""

    day: dt.date
    mistakes: list[rules.Mistake]
    #: ref -> the latest attempt (before ``day``) the question was missed in
    attempt_of: dict[str, int]
    began: dict[str, refresh.Slot]
    now: dict[str, refresh.Slot]
    #: ref -> whether today's (latest) answer was right
    answered: dict[str, bool]
    practice_days: frozenset[dt.date]

    def due(self) -> dict[str, dt.date]:
        """Ref -> the day it fell due, of the questions due today."""
        return {slot.ref: slot.due for slot in refresh.due(self.began, self.day) if slot.due is not None}

    def draw(self, user_id: int) -> list[rules.Mistake]:
        return rules.draw(self.mistakes, self.due(), user_id, self.day)

    def next_due(self) -> dt.date | None:
        """The next day a question comes back (after today)."""
        return refresh.next_due(self.now, self.day)


def load_standing(session: Session, user_id: int, day: dt.date | None = None) -> Standing:
    """Where the learner's quiz refreshers stand on ``day`` (two queries: the misses and the practice answers)."""
    day = day or today()
    events: list[refresh.Event] = []
    missed: list[tuple[int, int, str, str, str, dt.datetime]] = []
    attempt_of: dict[str, int] = {}
    for attempt_id, course_id, version_id, language, key, question_id, at in _question_misses(session, user_id):
        ref = rules.ref_of(course_id, key, question_id)
        events.append(refresh.Event(ref, at.date(), refresh.MISSED, at))
        if at.date() < day:  # a quiz taken today changes nothing in today's practice
            missed.append((course_id, version_id, language, key, question_id, at))
            attempt_of.setdefault(ref, attempt_id)  # newest first: the latest attempt wins
    answered: dict[str, bool] = {}
    days: set[dt.date] = set()
    for course_id, key, question_id, correct, answer_day, at in session.execute(
            select(PracticeAnswer.course_id, PracticeAnswer.activity_key, PracticeAnswer.question_id,
                   PracticeAnswer.correct, PracticeAnswer.day, PracticeAnswer.answered_at)
            .where(PracticeAnswer.user_id == user_id).order_by(PracticeAnswer.id)):
        ref = rules.ref_of(course_id, key, question_id)
        events.append(refresh.Event(ref, answer_day, refresh.RIGHT if correct else refresh.WRONG, aware(at)))
        days.add(answer_day)
        if answer_day == day:
            answered[ref] = bool(correct)
    return Standing(day, rules.collect(missed), attempt_of, refresh.schedule(events, before=day),
                    refresh.schedule(events), answered, frozenset(days))


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
                 cache: Cache = None, standing: Standing | None = None) -> list[Item]:
    """Today's practice: up to three questions the learner got wrong whose refresher is due today."""
    found = standing or load_standing(session, user.id, day)
    drawn = found.draw(user.id)
    # the course's title in the edition the quiz was taken in (one read per version drawn from)
    manifests: dict[int, Any] = dict(session.execute(select(CourseVersion.id, CourseVersion.manifest).where(
        CourseVersion.id.in_({m.version_id for m in drawn}))).all()) if drawn else {}
    titles = {m.course_id: ((manifests.get(m.version_id) or {}).get("editions", {}).get(m.language) or {})
              .get("title", "") for m in drawn}
    items = [_item(session, user, m, found.attempt_of[m.ref], secret, titles, cache) for m in drawn]
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
    in two queries (the questions themselves are loaded only on the practice page)."""
    found = load_standing(session, user.id, day)
    drawn = found.draw(user.id)
    answered = sum(1 for m in drawn if m.ref in found.answered)
    return len(drawn), answered, rules.streak(found.practice_days, found.day)


def due_refreshers(session: Session, user_id: int, today: dt.date) -> int:
    """How many refreshers are due for the learner on ``today`` and not yet done: quiz questions whose
    turn it is (all of them, though a day's practice shows :data:`lms.core.practice.DAILY_SIZE`) and not
    answered today, and role-play competencies due for a replay. For a reminder: 0 means nothing to send."""
    found = load_standing(session, user_id, today)
    questions = sum(1 for ref in found.due() if ref not in found.answered)
    return questions + len(_due_spots(session, user_id, today, None))


@dataclass(frozen=True)
class WeakSpot:
    """A role-play competency due for a refresher (a run left it weak), and where to work on it."""

    label: str
    role_play: str
    role_play_url: tuple[str, str]  # (course slug, activity key)
    lesson_url: str | None
    due: dt.date | None = None


#: how many of the learner's latest finished role-play runs make the competencies' history
RUNS_SEARCHED = 20


def role_play_ref(course_id: int, activity_key: str, tag: str) -> str:
    return f"role-play:{course_id}:{activity_key}:{tag}"


def _due_spots(session: Session, user_id: int, day: dt.date, cache: Cache) -> list[WeakSpot]:
    """Competencies of the learner's role-plays whose refresher is due on ``day``: a run that left one
    weak is a miss, a later run that used it well a right answer (:mod:`lms.core.refresh`)."""
    rows = session.execute(
        select(ScenarioRun, Enrollment.language, Enrollment.course_id, Course.slug)
        .join(Enrollment, Enrollment.id == ScenarioRun.enrollment_id)
        .join(Course, Course.id == Enrollment.course_id)
        .where(ScenarioRun.user_id == user_id, ScenarioRun.finished_at.is_not(None))
        .order_by(ScenarioRun.finished_at.desc()).limit(RUNS_SEARCHED))
    contents: dict[tuple[int, str, str], ActivityContent | None] = {}
    events: list[refresh.Event] = []
    spots: dict[str, WeakSpot] = {}
    for run, language, course_id, slug in rows:
        wanted = (run.version_id, run.activity_key, language)
        if wanted not in contents:
            contents[wanted] = session.scalars(select(ActivityContent).where(
                ActivityContent.version_id == run.version_id, ActivityContent.key == run.activity_key)
                .order_by((ActivityContent.language == language).desc(), ActivityContent.language)).first()
        content = contents[wanted]
        if content is None:
            continue
        at = aware(run.finished_at)
        if at is None:  # the runs read here are finished; a run without a date is not one
            continue
        links = content.data.get("lesson_links") or {}
        for competency in scenarios.run_summary(session, run, content, cache).profile:
            ref = role_play_ref(course_id, run.activity_key, competency.tag)
            if competency.weak:
                events.append(refresh.Event(ref, at.date(), refresh.MISSED, at))
            elif competency.possible > 0:  # met in this run, and used well
                events.append(refresh.Event(ref, at.date(), refresh.RIGHT, at))
            else:
                continue
            # newest run first: the spot is worded as the latest run saw it
            spots.setdefault(ref, WeakSpot(competency.label, content.title, (slug, run.activity_key),
                                           link_in(links[competency.tag], slug) if links.get(competency.tag)
                                           else None))
    return [replace(spots[slot.ref], due=slot.due) for slot in refresh.due(refresh.schedule(events), day)]


def weak_spots(session: Session, user: User, cache: Cache = None, day: dt.date | None = None) -> list[WeakSpot]:
    """Role-play competencies (weak by :data:`lms.core.scenario_engine.WEAK_SHARE`) due for a replay on
    ``day``, the most overdue first, with the lesson each competency points to."""
    return _due_spots(session, user.id, day or today(), cache)


#: the days the trainer's dashboard looks back over for refresher answers
TALLY_DAYS = 30


def group_refreshers(session: Session, group: Group, course: Course, version: CourseVersion, language: str,
                     day: dt.date, cache: Cache = None) -> list[refresh.Tally]:
    """How the group's members answered their refreshers of ``course`` over the last :data:`TALLY_DAYS`
    days, per competency: a question's category if the author gave one, else its quiz's title (in the
    course's published ``version``). One query for the answers, and one for the quizzes they came from."""
    members = select(GroupMember.user_id).where(GroupMember.group_id == group.id, GroupMember.role == MEMBER)
    rows = session.execute(
        select(PracticeAnswer.activity_key, PracticeAnswer.question_id, PracticeAnswer.correct,
               func.count(PracticeAnswer.id))
        .where(PracticeAnswer.course_id == course.id, PracticeAnswer.user_id.in_(members),
               PracticeAnswer.day > day - dt.timedelta(days=TALLY_DAYS))
        .group_by(PracticeAnswer.activity_key, PracticeAnswer.question_id, PracticeAnswer.correct)).all()
    if not rows:
        return []
    quizzes_by_key = {content.key: quizzes.quiz_of(content, cache) for content in session.scalars(
        select(ActivityContent).where(ActivityContent.version_id == version.id, ActivityContent.language == language,
                                      ActivityContent.key.in_({key for key, *_rest in rows})))}

    def label(key: str, question_id: str) -> str:
        quiz = quizzes_by_key.get(key)
        if quiz is None:
            return key  # a quiz no longer in the course
        question = next((q for q in quiz.questions if q.id == question_id), None)
        return (question.category if question is not None and question.category else None) or quiz.title

    return refresh.tally((label(key, question_id), bool(correct), int(count))
                         for key, question_id, correct, count in rows)
