"""A draft quiz played in the studio: the learner's pages and forms, nothing recorded.

The play is an attempt that never reaches the database: a transient :class:`~lms.models.QuizAttempt`
rebuilt on every request from the play's state in the session (:mod:`lms.activities.draft`), so
the learner's own functions draw, save, check and grade it. The state keeps the random seed the
questions were drawn with, the answers as the page's choice tokens (never the file's ids), the
marks "come back to this", the status and the deadline. The tokens are the play's own: a per-play
key under the application's secret, as an attempt's are.
"""
from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from ...core import quiz as core
from ...i18n import _, gettext
from ...learn.forms import CompleteForm
from ...learn.pages import with_links
from ...models import QuizAttempt
from ..draft import BadState, DraftPlay, StateTooLarge, new_play_id
from . import service as quizzes
from . import views

#: what the result of a play's attempt may say of its status
STATUSES = ("open", "submitted", "awaiting_review")


@dataclass
class PlayState:
    """One play of a draft quiz as the session keeps it (see the module's docstring)."""

    play_id: int
    seed: int
    number: int
    status: str = "open"
    answers: dict[str, Any] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    deadline: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.play_id, "seed": self.seed, "n": self.number, "status": self.status,
                "answers": self.answers, "flags": self.flags, "deadline": self.deadline}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlayState:
        """Read a saved play; :class:`~lms.activities.draft.BadState` when it is not one."""
        try:
            state = cls(data["id"], data["seed"], data["n"], data["status"], data["answers"], data["flags"],
                        data["deadline"])
        except (KeyError, TypeError) as exc:
            raise BadState("not a quiz play") from exc
        if not (all(isinstance(v, int) and not isinstance(v, bool) for v in (state.play_id, state.seed, state.number))
                and state.status in STATUSES and isinstance(state.answers, dict) and isinstance(state.flags, list)
                and all(isinstance(f, str) for f in state.flags)
                and (state.deadline is None or isinstance(state.deadline, int))):
            raise BadState("not a quiz play")
        return state


def _quiz(play: DraftPlay) -> core.Quiz:
    return core.Quiz.from_dict(dict(play.content.data))


def _load(play: DraftPlay) -> PlayState | None:
    found = play.load()
    return None if found is None else PlayState.from_dict(found)


def _attempt(play: DraftPlay, quiz: core.Quiz, state: PlayState) -> tuple[QuizAttempt, core.AttemptTokens]:
    """The play as an attempt that is never added to a database session, and its choice tokens;
    a submitted one is graded again (the same draft, seed and answers give the same grade)."""
    plan = core.draw_attempt(quiz, state.seed)
    tokens = core.AttemptTokens(current_app.secret_key, play.token_key(state.play_id, state.seed))
    try:
        answers = {qid: tokens.from_browser(quiz.question(qid), value) for qid, value in state.answers.items()
                   if qid in plan.question_ids}
    except (core.AnswerError, TypeError, ValueError, KeyError) as exc:
        raise BadState("the play's answers are not this draft's") from exc
    attempt = QuizAttempt(
        id=state.play_id, number=state.number, seed=state.seed, activity_key=play.content.key,
        plan={**plan.to_dict(), "language": play.edition.language}, answers=answers,
        flags=[qid for qid in state.flags if qid in plan.question_ids], status=state.status,
        deadline=dt.datetime.fromtimestamp(state.deadline, dt.UTC) if state.deadline is not None else None,
    )
    if state.status != "open":
        _grade(quiz, attempt)
    return attempt, tokens


def _grade(quiz: core.Quiz, attempt: QuizAttempt) -> None:
    result = core.grade_attempt(quiz, quizzes.plan_of(attempt), attempt.answers or {})
    attempt.status = "awaiting_review" if result.pending else "submitted"
    attempt.percent = float(result.percent)
    attempt.passed = result.passed
    attempt.result = result.to_dict()


def _store(play: DraftPlay, quiz: core.Quiz, attempt: QuizAttempt, tokens: core.AttemptTokens,
           state: PlayState) -> None:
    """Keep the attempt's answers (as the page's tokens), marks and status in the play."""
    state.answers = quizzes.page_answers(quiz, quizzes.plan_of(attempt), tokens, attempt.answers or {})
    state.flags = list(attempt.flags or [])
    state.status = attempt.status
    play.save(state.to_dict())


def _finish(play: DraftPlay, quiz: core.Quiz, attempt: QuizAttempt, tokens: core.AttemptTokens,
            state: PlayState) -> None:
    _grade(quiz, attempt)
    _store(play, quiz, attempt, tokens, state)


def _context(play: DraftPlay, quiz: core.Quiz, history: list[QuizAttempt], done: int) -> dict[str, Any]:
    """What every quiz page of the play shows, as the learner's view gives it."""
    return {
        "course": play.course, "content": play.content, "quiz": quiz, "edition": play.edition,
        "module": play.module, "form": CompleteForm(), "history": history,
        "left": quizzes.attempts_left(quiz, done), "base": play.base, "draft_play": play,
        "description": with_links(play.content.data.get("description_html", ""), play.course.slug),
    }


def _result_url(play: DraftPlay, state: PlayState) -> str:
    return f"{play.base}/attempts/{state.number}"


class QuizDraft:
    """The draft player of quizzes (``PLAYER``)."""

    def page(self, play: DraftPlay) -> ResponseReturnValue:
        quiz = _quiz(play)
        state = _load(play)
        if state is None:
            return render_template("lms/activities/quiz_intro.html", **_context(play, quiz, [], 0))
        attempt, tokens = _attempt(play, quiz, state)
        if attempt.status == "open" and quizzes.expired(attempt):
            _finish(play, quiz, attempt, tokens, state)
            flash(_("Time is up. Your quiz was submitted with the answers saved before the deadline."), "info")
            return redirect(_result_url(play, state))
        if attempt.status != "open":
            return render_template("lms/activities/quiz_intro.html",
                                   **_context(play, quiz, [attempt], state.number))
        context = _context(play, quiz, [], state.number)
        # the page names choices by the play's tokens, never by the ids written in the quiz file
        return views.attempt_page(context, quiz, attempt, tokens, play.content.data.get("html", {}),
                                  play.course.slug)

    def get(self, play: DraftPlay, action: str) -> ResponseReturnValue:
        folder, _slash, number = action.partition("/")
        if folder != "attempts" or not number.isdigit():
            abort(404)
        quiz = _quiz(play)
        state = _load(play)
        if state is None or state.number != int(number):
            abort(404)
        attempt, _tokens = _attempt(play, quiz, state)
        if attempt.status == "open":
            return redirect(play.base)
        solutions = quizzes.shows_solutions(quiz)
        return render_template(
            "lms/activities/quiz_result.html", attempt=attempt, following=None, released={},
            rows=views.result_rows(quiz, quizzes.plan_of(attempt), attempt, dict(play.content.data),
                                   play.course.slug, solutions),
            show_answers=quizzes.shows_answers(quiz), show_details=solutions,
            **_context(play, quiz, [attempt], state.number))

    def post(self, play: DraftPlay, action: str) -> ResponseReturnValue:
        handlers = {"quiz/start": self.start, "quiz/save": self.save, "quiz/submit": self.submit}
        if action not in handlers:
            abort(404)
        return handlers[action](play, _quiz(play))

    def start(self, play: DraftPlay, quiz: core.Quiz) -> ResponseReturnValue:
        state = _load(play)
        if state is not None and state.status == "open":
            return redirect(play.base)
        done = state.number if state is not None else 0
        if quizzes.attempts_left(quiz, done) == 0:
            flash(_("You have used all your attempts at this quiz."), "error")
            return redirect(play.base)
        limit = quiz.settings.time_limit
        play.save(PlayState(new_play_id(), secrets.randbits(48), done + 1,
                            deadline=int(time.time()) + 60 * limit if limit else None).to_dict())
        return redirect(play.base)

    def save(self, play: DraftPlay, quiz: core.Quiz) -> ResponseReturnValue:
        state = _load(play)
        if state is None or str(state.play_id) != request.form.get("attempt") or state.status != "open":
            return views._gone(play.base, _("This attempt has already been submitted."))
        attempt, tokens = _attempt(play, quiz, state)
        asked = request.form.getlist("question")
        try:
            errors = _save_posted(play, quiz, attempt, tokens, state, asked)
        except quizzes.QuizClosed:
            _finish(play, quiz, attempt, tokens, state)
            return views._gone(_result_url(play, state),
                               _("Time is up. Your quiz was submitted with the answers saved before the deadline."),
                               "info")
        if views._by_script():
            return {"saved": len(asked) - len(errors), "errors": errors}
        for message in errors.values():
            flash(_("One answer could not be saved: %(reason)s", reason=message), "error")
        return views.after_save(play.base, bool(errors))

    def submit(self, play: DraftPlay, quiz: core.Quiz) -> ResponseReturnValue:
        state = _load(play)
        if state is None or str(state.play_id) != request.form.get("attempt"):
            abort(400)
        attempt, tokens = _attempt(play, quiz, state)
        asked = request.form.getlist("question")
        if attempt.status == "open" and asked:  # answers sent with the submission are saved first
            try:
                errors = _save_posted(play, quiz, attempt, tokens, state, asked)
            except quizzes.QuizClosed:
                errors = {}  # time is up: graded with what was saved before the deadline
            if errors:
                for message in errors.values():
                    flash(_("One answer could not be saved: %(reason)s", reason=message), "error")
                return redirect(f"{play.base}?summary=1")
        if attempt.status == "open":
            _finish(play, quiz, attempt, tokens, state)
        return redirect(_result_url(play, state))


def _save_posted(play: DraftPlay, quiz: core.Quiz, attempt: QuizAttempt, tokens: core.AttemptTokens,
                 state: PlayState, asked: list[str]) -> dict[str, str]:
    """Save what a page posted for the questions ``asked``, and their marks, in the play; the
    reasons per question an answer was not kept. 400 for a tampered form (a choice the page never
    offered); :class:`~.service.QuizClosed` when the time is up."""
    plan = quizzes.plan_of(attempt)
    if any(qid not in plan.question_ids for qid in asked):
        abort(400)
    try:
        raw = quizzes.answers_from_form(quiz, plan, tokens, asked, request.form)
    except core.AnswerError:
        abort(400)
    marked = [qid for qid in request.form.getlist("flag") if qid in asked]
    before = dict(attempt.answers or {})
    try:
        errors = {qid: exc.text(gettext) for qid, exc in
                  quizzes.save_answers(attempt, quiz, raw, flags=(asked, marked)).items()}
    except core.AnswerError:
        abort(400)
    try:
        _store(play, quiz, attempt, tokens, state)
    except StateTooLarge:
        # the session holds a few kilobytes: keep the choices, give back the long written answers
        written = [qid for qid in asked if core.strategy_for(quiz.question(qid)).typed
                   and attempt.answers.get(qid) != before.get(qid)]
        answers = dict(attempt.answers)
        for qid in written:
            if qid in before:
                answers[qid] = before[qid]
            else:
                answers.pop(qid, None)
            errors[qid] = _("A draft preview keeps only short written answers; shorten this one. "
                            "Learners can write more.")
        attempt.answers = answers
        _store(play, quiz, attempt, tokens, state)
    return errors


PLAYER = QuizDraft()
