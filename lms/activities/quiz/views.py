"""Taking a quiz: one question per page or all on one, saved as the learner goes."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ...core import charts
from ...core import quiz as core
from ...core.completion import neighbours
from ...i18n import _, gettext, ngettext
from ...learn import milestones
from ...learn.forms import CompleteForm
from ...learn.pages import activity_url, load_page, module_of, parsed_cache, with_links
from ...models import ActivityContent, Course, CourseVersion, Enrollment, QuizAttempt
from ...services import learning, reviews
from ...state import db_session
from ..base import ActivityPage
from . import service as quizzes

bp = Blueprint("quiz", __name__)


def _base(course: Course, content: ActivityContent) -> str:
    return activity_url(course.slug, content.key)


def pinned(session: Session, attempt: QuizAttempt, content: ActivityContent, language: str | None = None
           ) -> ActivityContent:
    """The quiz as it was when ``attempt`` was drawn."""
    return learning.content_at(session, content, attempt.version_id, attempt.plan.get("language", language))


def quiz_view(page: ActivityPage) -> Any:
    course, version, enrollment, language, content = (page.course, page.version, page.enrollment, page.language,
                                                      page.content)
    session = db_session()
    cache = parsed_cache()
    quiz = quizzes.quiz_of(content, cache)
    history = quizzes.attempts(session, enrollment, content.key)
    current = history[-1] if history and history[-1].status == "open" else None
    if current is not None:
        content = pinned(session, current, content, language)
        quiz = quizzes.quiz_of(content, cache)
    if current is not None and quizzes.expired(current):
        _finish(session, current, content, enrollment, version, course)
        flash(_("Time is up. Your quiz was submitted with the answers saved before the deadline."), "info")
        return redirect(_base(course, content) + f"/attempts/{current.number}")
    context = {
        "course": course, "content": content, "quiz": quiz, "edition": version.manifest["editions"][language],
        "module": module_of(page), "form": CompleteForm(), "history": history,
        "left": quizzes.attempts_left(quiz, len(history)), "base": _base(course, content),
        "description": with_links(content.data.get("description_html", ""), course.slug),
    }
    if current is None:
        return render_template("lms/activities/quiz_intro.html", **context)
    # the page names choices by the attempt's tokens, never by the ids written in the quiz file
    return attempt_page(context, quiz, current, quizzes.tokens_for(current, current_app.secret_key),
                        content.data.get("html", {}), course.slug)


def attempt_page(context: dict[str, Any], quiz: core.Quiz, attempt: QuizAttempt, tokens: core.AttemptTokens,
                 html: dict[str, Any], slug: str) -> Any:
    """The open ``attempt``'s page: its questions (one or all, as the quiz lays them out) or, with
    ``?summary=1``, the check before submitting. ``context`` holds what every quiz page shows (the
    course, the quiz, ``base``...); ``tokens`` name the choices; ``html`` is the questions' rendered text."""
    plan = quizzes.plan_of(attempt)
    questions = [tokens.public_question(quiz, qid, plan) for qid in plan.question_ids]
    one_per_page = quiz.settings.layout == "one_per_page"
    saved = attempt.answers or {}
    asked = [q for q in questions if core.strategy_for(q["type"]).graded]
    context.update(
        attempt=attempt, questions=questions, one_per_page=one_per_page, flagged=set(quizzes.flagged(attempt)),
        deadline=quizzes.aware(attempt.deadline), total=len(asked),
        answered=sum(1 for q in asked if q["id"] in saved),
    )
    if request.args.get("summary"):
        return _summary(context, asked)
    index = request.args.get("q", type=int) or 1
    index = min(max(index, 1), len(questions))
    shown = [questions[index - 1]] if one_per_page else questions
    feedback = {}
    if quiz.settings.feedback == "immediate":
        for question in shown:
            graded = quizzes.grade_preview(quiz, attempt, question["id"])
            if graded is not None:
                feedback[question["id"]] = graded
    context.update(
        shown=shown, index=index, answers=quizzes.page_answers(quiz, plan, tokens, saved), feedback=feedback,
        texts={qid: with_links(html.get(qid, {}).get("text", ""), slug) for qid in plan.question_ids},
        explanations={qid: with_links(html.get(qid, {}).get("explanation", ""), slug) for qid in feedback},
    )
    return render_template("lms/activities/quiz_take.html", **context)


def _question_link(context: dict[str, Any], question: dict[str, Any]) -> str:
    """Where a question of the open attempt is: its page, or its place on the one page."""
    if context["one_per_page"]:
        return f"{context['base']}?q={context['questions'].index(question) + 1}"
    return f"{context['base']}#question-{question['id']}"


def _summary(context: dict[str, Any], asked: list[dict[str, Any]]) -> Any:
    """Before the final submission: which questions have no answer and which the learner flagged."""
    saved = context["attempt"].answers or {}
    rows = [{"question": q, "href": _question_link(context, q), "answered": q["id"] in saved,
             "flagged": q["id"] in context["flagged"]} for q in asked]
    return render_template(
        "lms/activities/quiz_summary.html", rows=rows, unanswered=[r for r in rows if not r["answered"]],
        marked=[r for r in rows if r["flagged"]], **context)


def _finish(session: Session, attempt: QuizAttempt, content: ActivityContent, enrollment: Enrollment,
            version: CourseVersion, course: Course) -> None:
    content = pinned(session, attempt, content)
    try:
        quizzes.submit(session, attempt, content, enrollment, version, course.id, parsed_cache())
        session.commit()
    except StaleDataError:
        session.rollback()


def _quiz_or_400(slug: str, module: str, activity: str
                 ) -> tuple[Course, CourseVersion, Enrollment, str, ActivityContent]:
    page = load_page(slug, module, activity, kind="quiz")
    if not CompleteForm().validate_on_submit():
        abort(400)
    return page.course, page.version, page.enrollment, page.language, page.content


@bp.post("/courses/<slug>/<module>/<activity>/quiz/start")
def quiz_start(slug: str, module: str, activity: str) -> ResponseReturnValue:
    course, version, enrollment, language, content = _quiz_or_400(slug, module, activity)
    session = db_session()
    history = quizzes.attempts(session, enrollment, content.key)
    if history and history[-1].status == "open":
        return redirect(_base(course, content))
    try:
        quizzes.start(session, enrollment, content, version, language, parsed_cache())
        session.commit()
    except quizzes.QuizClosed:
        session.rollback()
        flash(_("You have used all your attempts at this quiz."), "error")
    except IntegrityError:
        session.rollback()  # a parallel request took this attempt number
        flash(_("You have used all your attempts at this quiz."), "error")
    return redirect(_base(course, content))


def _current(session: Session, enrollment: Enrollment, content: ActivityContent) -> QuizAttempt | None:
    attempt = quizzes.latest_attempt(session, enrollment, content.key)
    if attempt is None or str(attempt.id) != request.form.get("attempt"):
        return None
    return attempt


def _by_script() -> bool:
    """The page's script saving in the background (or the browser delivering its last answers as the
    page goes away): it is answered in JSON, never redirected."""
    return request.headers.get("X-Requested-With") == "fetch" or request.form.get("background") == "1"


def _gone(location: str, message: str, category: str = "error") -> ResponseReturnValue:
    """The attempt takes no more answers: the page goes to ``location`` (the script is told so)."""
    if _by_script():
        return {"closed": True, "location": location}, 409
    flash(message, category)
    return redirect(location)


def _save_posted(session: Session, attempt: QuizAttempt, content: ActivityContent, enrollment: Enrollment,
                 asked: list[str]) -> tuple[QuizAttempt | None, dict[str, core.AnswerError]]:
    """Save what a page posted for the questions ``asked``, and their flags: (attempt, errors per
    question), or (None, {}) when another request submitted the attempt meanwhile. 400 for a
    tampered form; :class:`~.service.QuizClosed` when the time is up."""
    quiz = quizzes.quiz_of(pinned(session, attempt, content), parsed_cache())
    plan = quizzes.plan_of(attempt)
    if any(qid not in plan.question_ids for qid in asked):
        abort(400)
    try:
        raw = quizzes.answers_from_form(quiz, plan, quizzes.tokens_for(attempt, current_app.secret_key), asked,
                                        request.form)
    except core.AnswerError:
        abort(400)  # a choice the page never offered: an authored id, another attempt's token, a guess
    marked = [qid for qid in request.form.getlist("flag") if qid in asked]
    try:
        return quizzes.save_with_retry(session, attempt, quiz, raw, lambda: _current(session, enrollment, content),
                                       flags=(asked, marked))
    except core.AnswerError:
        abort(400)


@bp.post("/courses/<slug>/<module>/<activity>/quiz/save")
def quiz_save(slug: str, module: str, activity: str) -> ResponseReturnValue:
    course, version, enrollment, _language, content = _quiz_or_400(slug, module, activity)
    session = db_session()
    attempt = _current(session, enrollment, content)
    base = _base(course, content)
    if attempt is None or attempt.status != "open":
        return _gone(base, _("This attempt has already been submitted."))
    asked = request.form.getlist("question")
    try:
        saved, errors = _save_posted(session, attempt, content, enrollment, asked)
    except quizzes.QuizClosed:
        _finish(session, attempt, content, enrollment, version, course)
        return _gone(f"{base}/attempts/{attempt.number}",
                     _("Time is up. Your quiz was submitted with the answers saved before the deadline."), "info")
    if saved is None:
        return _gone(base, _("This attempt has already been submitted."))
    if _by_script():
        return {"saved": len(asked) - len(errors), "errors": {qid: exc.text(gettext) for qid, exc in errors.items()}}
    for message in (exc.text(gettext) for exc in errors.values()):
        flash(_("One answer could not be saved: %(reason)s", reason=message), "error")
    return after_save(base, bool(errors))


def after_save(base: str, refused: bool) -> ResponseReturnValue:
    """Where a saved page of a one-question-per-page quiz goes: the asked step, unless an answer was refused."""
    index = request.form.get("index", type=int) or 1
    action = request.form.get("action", "next")
    if action == "finish" and not refused:
        return redirect(f"{base}?summary=1")
    if action == "prev":
        index -= 1
    elif action == "next" and not refused:
        index += 1
    return redirect(f"{base}?q={max(1, index)}")


@bp.post("/courses/<slug>/<module>/<activity>/quiz/submit")
def quiz_submit(slug: str, module: str, activity: str) -> ResponseReturnValue:
    course, version, enrollment, _language, content = _quiz_or_400(slug, module, activity)
    session = db_session()
    history = quizzes.attempts(session, enrollment, content.key)
    attempt = next((a for a in history if str(a.id) == request.form.get("attempt")), None)
    if attempt is None:
        abort(400)
    base = _base(course, content)
    asked = request.form.getlist("question")
    if attempt.status == "open" and asked:  # answers sent with the submission are saved first
        try:
            saved, errors = _save_posted(session, attempt, content, enrollment, asked)
        except quizzes.QuizClosed:
            saved, errors = attempt, {}  # time is up: graded with what was saved before the deadline
        if saved is None:
            return redirect(f"{base}/attempts/{attempt.number}")
        if errors:
            for message in (exc.text(gettext) for exc in errors.values()):
                flash(_("One answer could not be saved: %(reason)s", reason=message), "error")
            return redirect(f"{base}?summary=1")
        attempt = saved
    if attempt.status == "open":
        page = ActivityPage(course, version, enrollment, _language, content)
        before = milestones.snapshot(page)
        _finish(session, attempt, content, enrollment, version, course)
        # the result page says so, with a link to the module's or the course's completion page
        milestones.announce(milestones.reached(page, before))
    return redirect(f"{base}/attempts/{attempt.number}")


@bp.get("/courses/<slug>/<module>/<activity>/attempts/<int:number>")
def quiz_result(slug: str, module: str, activity: str, number: int) -> ResponseReturnValue:
    page = load_page(slug, module, activity, kind="quiz")
    course, version, enrollment, language, content = (page.course, page.version, page.enrollment, page.language,
                                                      page.content)
    session = db_session()
    history = quizzes.attempts(session, enrollment, content.key)
    attempt = next((a for a in history if a.number == number), None)
    if attempt is None:
        abort(404)
    if attempt.status == "open":
        return redirect(_base(course, content))
    # the attempt is shown with the content version it was taken on
    taken = pinned(session, attempt, content, language)
    quiz = quizzes.quiz_of(taken, parsed_cache())
    plan = quizzes.plan_of(attempt)
    solutions = quizzes.shows_solutions(quiz)  # the attempt is submitted: the server redirected an open one
    rows = result_rows(quiz, plan, attempt, taken.data, course.slug, solutions)
    edition = version.manifest["editions"][language]
    next_key = neighbours(edition, content.key)[1]
    following = next((a for m in edition["modules"] for a in m["activities"] if a["key"] == next_key), None)
    return render_template(
        "lms/activities/quiz_result.html", course=course, content=taken, quiz=quiz, attempt=attempt, rows=rows,
        edition=edition, module=module_of(page),
        base=_base(course, content), left=quizzes.attempts_left(quiz, len(history)), form=CompleteForm(),
        show_answers=quizzes.shows_answers(quiz), show_details=solutions,
        following={"url": activity_url(course.slug, following["key"]), "title": following["title"]} if following else None,
        released={r.item_id: r for r in reviews.released_for(session, "quiz", attempt.id)},
    )


def result_rows(quiz: core.Quiz, plan: core.AttemptPlan, attempt: QuizAttempt, data: dict[str, Any], slug: str,
                solutions: bool) -> list[dict[str, Any]]:
    """The results page's rows of a submitted ``attempt``: each graded question with its text, the
    learner's answer and the verdict; with ``solutions``, also the right answer. ``data`` is the
    quiz's stored data (its rendered texts and lesson links)."""
    html = data.get("html", {})
    links = data.get("lesson_links", {})
    results = {r["question_id"]: r for r in (attempt.result or {}).get("results", [])}
    rows = []
    for qid in plan.question_ids:
        question = core.public_question(quiz, qid, plan)
        if not core.strategy_for(question["type"]).graded:
            continue  # a block of text between questions: nothing to review
        rows.append({
            "question": question, "text": with_links(html.get(qid, {}).get("text", ""), slug),
            "explanation": with_links(html.get(qid, {}).get("explanation", ""), slug),
            "lesson": with_links(f'"{links[qid]}"', slug).strip('"') if links.get(qid) else None,
            "result": results.get(qid, {}),
            "answer": quizzes.describe_answer(quiz.question(qid), (attempt.answers or {}).get(qid)),
            "solution": core.describe_solution(quiz.question(qid)) if solutions else "",
        })
    return rows


def score_charts(scores: list) -> list[tuple[Any, list[str], Any]]:
    """The group dashboard's quiz charts: (scores, band labels, SVG markup) per quiz taken."""
    labels = [f"{10 * i}–{10 * i + 9}" if i < 9 else "90–100" for i in range(10)]
    shown = []
    for index, quiz_scores in enumerate(scores):
        if not quiz_scores.learners:
            continue
        chart = Markup(charts.bar_chart(  # nosec B704 # charts escape their text
            f"chart-quiz-{index}", quiz_scores.counts, labels,
            title=_("Best scores in “%(quiz)s”", quiz=quiz_scores.title),
            desc=ngettext("Best score of %(num)s learner, in 10%% bands.",
                          "Best scores of %(num)s learners, in 10%% bands.", quiz_scores.learners)))
        shown.append((quiz_scores, labels, chart))
    return shown
