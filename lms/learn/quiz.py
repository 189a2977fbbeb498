"""Taking a quiz: one question per page or all on one, saved as the learner goes."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..core import quiz as core
from ..i18n import _
from ..services import learning, quizzes, reviews
from ..state import db_session
from . import bp
from .forms import CompleteForm
from .views import activity_view, load_activity_or_404, with_links


def _module(version, language, key):
    return next(m for m in version.manifest["editions"][language]["modules"] if m["slug"] == key.split("/")[0])


def _base(course, content):
    module, activity = content.key.split("/")
    return url_for("lms.learn.activity", slug=course.slug, module=module, activity=activity)


def pinned(session, attempt, content, language=None):
    """The quiz as it was when ``attempt`` was drawn."""
    return learning.content_at(session, content, attempt.version_id, attempt.plan.get("language", language))


@activity_view("quiz")
def quiz_view(course, version, enrollment, language, content):
    session = db_session()
    quiz = quizzes.quiz_of(content)
    history = quizzes.attempts(session, enrollment, content.key)
    current = history[-1] if history and history[-1].status == "open" else None
    if current is not None:
        content = pinned(session, current, content, language)
        quiz = quizzes.quiz_of(content)
    if current is not None and quizzes.expired(current):
        _finish(session, current, content, enrollment, version, course)
        flash(_("Time is up. Your quiz was submitted with the answers saved before the deadline."), "info")
        return redirect(_base(course, content) + f"/attempts/{current.number}")
    context = {
        "course": course, "content": content, "quiz": quiz, "edition": version.manifest["editions"][language],
        "module": _module(version, language, content.key), "form": CompleteForm(), "history": history,
        "left": quizzes.attempts_left(quiz, len(history)), "base": _base(course, content),
        "description": with_links(content.data.get("description_html", ""), course.slug),
    }
    if current is None:
        return render_template("lms/learn/quiz_intro.html", **context)
    plan = quizzes.plan_of(current)
    # the page names choices by the attempt's tokens, never by the ids written in the quiz file
    tokens = quizzes.tokens_for(current, current_app.secret_key)
    questions = [tokens.public_question(quiz, qid, plan) for qid in plan.question_ids]
    one_per_page = quiz.settings.layout == "one_per_page"
    index = request.args.get("q", type=int) or 1
    index = min(max(index, 1), len(questions))
    shown = [questions[index - 1]] if one_per_page else questions
    feedback = {}
    if quiz.settings.feedback == "immediate":
        for question in shown:
            graded = quizzes.grade_preview(quiz, current, question["id"])
            if graded is not None:
                feedback[question["id"]] = graded
    html = content.data.get("html", {})
    context.update(
        attempt=current, questions=questions, shown=shown, index=index, one_per_page=one_per_page,
        answers=quizzes.page_answers(quiz, plan, tokens, current.answers or {}), feedback=feedback,
        texts={qid: with_links(html.get(qid, {}).get("text", ""), course.slug) for qid in plan.question_ids},
        explanations={qid: with_links(html.get(qid, {}).get("explanation", ""), course.slug) for qid in feedback},
        deadline=quizzes.aware(current.deadline),
        answered=sum(1 for q in questions if q["id"] in (current.answers or {})),
    )
    return render_template("lms/learn/quiz_take.html", **context)


def _finish(session, attempt, content, enrollment, version, course):
    content = pinned(session, attempt, content)
    try:
        quizzes.submit(session, attempt, content, enrollment, version, course.id)
        session.commit()
    except StaleDataError:
        session.rollback()


def _quiz_or_400(slug, module, activity):
    loaded = load_activity_or_404(slug, module, activity)
    if loaded[-1].kind != "quiz" or not CompleteForm().validate_on_submit():
        abort(400)
    return loaded


@bp.post("/courses/<slug>/<module>/<activity>/quiz/start")
def quiz_start(slug, module, activity):
    course, version, enrollment, language, content = _quiz_or_400(slug, module, activity)
    session = db_session()
    history = quizzes.attempts(session, enrollment, content.key)
    if history and history[-1].status == "open":
        return redirect(_base(course, content))
    try:
        quizzes.start(session, enrollment, content, version, language)
        session.commit()
    except quizzes.QuizClosed:
        session.rollback()
        flash(_("You have used all your attempts at this quiz."), "error")
    except IntegrityError:
        session.rollback()  # a parallel request took this attempt number
        flash(_("You have used all your attempts at this quiz."), "error")
    return redirect(_base(course, content))


def _current(session, enrollment, content):
    history = quizzes.attempts(session, enrollment, content.key)
    attempt = history[-1] if history else None
    if attempt is None or str(attempt.id) != request.form.get("attempt"):
        return None
    return attempt


@bp.post("/courses/<slug>/<module>/<activity>/quiz/save")
def quiz_save(slug, module, activity):
    course, version, enrollment, _language, content = _quiz_or_400(slug, module, activity)
    session = db_session()
    attempt = _current(session, enrollment, content)
    base = _base(course, content)
    if attempt is None or attempt.status != "open":
        flash(_("This attempt has already been submitted."), "error")
        return redirect(base)
    quiz = quizzes.quiz_of(pinned(session, attempt, content))
    plan = quizzes.plan_of(attempt)
    asked = request.form.getlist("question")
    if any(qid not in plan.question_ids for qid in asked):
        abort(400)
    try:
        raw = quizzes.answers_from_form(quiz, plan, quizzes.tokens_for(attempt, current_app.secret_key), asked,
                                        request.form)
    except core.AnswerError:
        abort(400)  # a choice the page never offered: an authored id, another attempt's token, a guess
    for tries_left in (4, 3, 2, 1, 0):
        try:
            errors = quizzes.save_answers(attempt, quiz, raw)
            session.commit()
            break
        except quizzes.QuizClosed:
            session.rollback()
            _finish(session, attempt, content, enrollment, version, course)
            flash(_("Time is up. Your quiz was submitted with the answers saved before the deadline."), "info")
            return redirect(f"{base}/attempts/{attempt.number}")
        except core.AnswerError:
            session.rollback()
            abort(400)
        except StaleDataError:
            # another save of this attempt (the page's autosave) landed first: apply these
            # answers on top of it, unless the attempt has been submitted meanwhile
            session.rollback()
            attempt = _current(session, enrollment, content)
            if not tries_left or attempt is None:
                return redirect(base)
            session.refresh(attempt, with_for_update=True)  # PostgreSQL: hold the row until this save commits
            if attempt.status != "open":
                return redirect(base)
    if request.headers.get("X-Requested-With") == "fetch":
        return {"saved": len(raw) - len(errors), "errors": errors}
    for message in errors.values():
        flash(_("One answer could not be saved: %(reason)s", reason=message), "error")
    index = request.form.get("index", type=int) or 1
    action = request.form.get("action", "next")
    if action == "finish":
        return redirect(f"{base}?q={index}&review=1#finish")
    if action == "prev":
        index -= 1
    elif action == "next" and not errors:
        index += 1
    return redirect(f"{base}?q={max(1, index)}")


@bp.post("/courses/<slug>/<module>/<activity>/quiz/submit")
def quiz_submit(slug, module, activity):
    course, version, enrollment, _language, content = _quiz_or_400(slug, module, activity)
    session = db_session()
    history = quizzes.attempts(session, enrollment, content.key)
    attempt = next((a for a in history if str(a.id) == request.form.get("attempt")), None)
    if attempt is None:
        abort(400)
    if attempt.status == "open":
        was_complete = enrollment.completed_at is not None
        _finish(session, attempt, content, enrollment, version, course)
        if not was_complete and enrollment.completed_at is not None:
            flash(_("Well done! You have completed the course."), "success")
    return redirect(_base(course, content) + f"/attempts/{attempt.number}")


@bp.get("/courses/<slug>/<module>/<activity>/attempts/<int:number>")
def quiz_result(slug, module, activity, number):
    course, version, enrollment, language, content = load_activity_or_404(slug, module, activity)
    if content.kind != "quiz":
        abort(404)
    session = db_session()
    history = quizzes.attempts(session, enrollment, content.key)
    attempt = next((a for a in history if a.number == number), None)
    if attempt is None:
        abort(404)
    if attempt.status == "open":
        return redirect(_base(course, content))
    # the attempt is shown with the content version it was taken on
    taken = pinned(session, attempt, content, language)
    quiz = quizzes.quiz_of(taken)
    plan = quizzes.plan_of(attempt)
    html = taken.data.get("html", {})
    links = taken.data.get("lesson_links", {})
    results = {r["question_id"]: r for r in (attempt.result or {}).get("results", [])}
    rows = []
    for qid in plan.question_ids:
        question = core.public_question(quiz, qid, plan)
        rows.append({
            "question": question, "text": with_links(html.get(qid, {}).get("text", ""), course.slug),
            "explanation": with_links(html.get(qid, {}).get("explanation", ""), course.slug),
            "lesson": with_links(f'"{links[qid]}"', course.slug).strip('"') if links.get(qid) else None,
            "result": results.get(qid, {}), "answer": describe_answer(quiz.question(qid), (attempt.answers or {}).get(qid)),
        })
    return render_template(
        "lms/learn/quiz_result.html", course=course, content=taken, quiz=quiz, attempt=attempt, rows=rows,
        edition=version.manifest["editions"][language], module=_module(version, language, content.key),
        base=_base(course, content), left=quizzes.attempts_left(quiz, len(history)), form=CompleteForm(),
        show_details=quiz.settings.review and quiz.settings.feedback != "never",
        released=reviews.released_for_attempt(session, attempt.id),
    )


def describe_answer(question: core.Question, answer) -> str:
    """The learner's answer in words, for the results page."""
    if answer is None or answer == "" or answer == []:
        return ""
    if question.type in ("single", "true_false"):
        return next((o.text for o in question.options if o.id == answer), "")
    if question.type == "multiple":
        return "; ".join(o.text for o in question.options if o.id in answer)
    if question.type == "matching":
        rights = dict(question.rights())
        return "; ".join(f"{p.left} → {rights.get(answer.get(p.left_id), '—')}" for p in question.pairs)
    if question.type == "ordering":
        items = {i.id: i.text for i in question.items}
        return " → ".join(items.get(i, "?") for i in answer)
    return str(answer)

