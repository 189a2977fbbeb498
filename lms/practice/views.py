"""The daily practice page: today's questions from the learner's own mistakes, and the streak."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..core import practice as rules
from ..core import quiz as core
from ..learn.forms import CompleteForm
from ..learn.pages import activity_url, parsed_cache
from ..state import db_session
from . import service

bp = Blueprint("practice", __name__)


@bp.get("/practice")
def today() -> ResponseReturnValue:
    session = db_session()
    standing = service.load_standing(session, g.lms_user.id)
    items = service.todays_items(session, g.lms_user, current_app.secret_key, cache=parsed_cache(),
                                 standing=standing)
    answered = standing.answered
    return render_template(
        "lms/practice/today.html", items=items, answered=answered, form=CompleteForm(),
        streak=rules.streak(standing.practice_days, standing.day),
        # when each question answered today comes back (None: learnt, retired)
        comes_back={ref: slot.due for ref, slot in standing.now.items() if ref in answered},
        next_due=standing.next_due(), today=standing.day,
        weak=service.weak_spots(session, g.lms_user, parsed_cache(), standing.day), activity_url=activity_url,
        solutions={item.ref: core.describe_solution(item.question) for item in items
                   if item.ref in answered and item.reveals_answers},
    )


@bp.post("/practice/answer")
def answer() -> ResponseReturnValue:
    if not CompleteForm().validate_on_submit():
        abort(400)
    session = db_session()
    items = service.todays_items(session, g.lms_user, current_app.secret_key, cache=parsed_cache())
    ref = request.form.get("ref", "")
    index, item = next(((i, it) for i, it in enumerate(items, 1) if it.ref == ref), (0, None))
    if item is None:
        abort(400)  # not one of today's questions
    if ref not in service.answered_today(session, g.lms_user):
        try:
            service.answer(session, g.lms_user, item, request.form)
        except core.AnswerError:
            abort(400)  # a choice the page never offered
        session.commit()
    return redirect(url_for(".today") + f"#item-{index}")
