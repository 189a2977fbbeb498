"""The role-play player: a chat-like page that works as plain forms without JavaScript."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError

from ..core import scenario as engine
from ..i18n import _
from ..services import learning, reviews, scenarios
from ..state import db_session
from . import bp
from .forms import CompleteForm
from .views import activity_url, activity_view, load_activity_or_404, with_links


def player_url(slug: str, key: str) -> str:
    return activity_url(slug, key) + "#player"


def run_content(session, run, content):
    """The scenario as it was when ``run`` started."""
    return content if run is None else learning.content_at(session, content, run.version_id)


@activity_view("scenario")
def scenario_view(course, version, enrollment, language, content):
    session = db_session()
    run = scenarios.latest_run(session, enrollment, content.key)
    content = run_content(session, run, content)
    scenario = scenarios.scenario_of(content)
    context = {
        "course": course, "content": content, "edition": version.manifest["editions"][language],
        "module": next(m for m in version.manifest["editions"][language]["modules"]
                       if m["slug"] == content.key.split("/")[0]),
        "run": run, "form": CompleteForm(), "intro": with_links(content.data.get("intro_html", ""), course.slug),
    }
    if run is not None:
        state = scenarios.state_of(run)
        step = engine.view(scenario, state)
        rendered = content.data.get("html", {}).get(step.step_id, {})
        context.update(
            state=state, step=step, turns=scenarios.transcript(session, run, content),
            prompt_html=Markup(rendered.get("prompt", "")),  # nosec B704 # nh3-sanitised at import
            debrief_html=with_links(rendered.get("debrief", ""), course.slug),
            summary=scenarios.run_summary(session, run, content) if state.finished else None,
            released=reviews.released_for_run(session, run.id) if state.finished else [],
            lesson_links={tag: with_links(f'"{href}"', course.slug).strip('"')
                          for tag, href in content.data.get("lesson_links", {}).items() if href},
            mood_max=max(5, abs(state.mood)),
        )
    return render_template("lms/learn/scenario.html", **context)


def _run_or_400(session, enrollment, content):
    run = scenarios.latest_run(session, enrollment, content.key)
    if run is None or str(run.id) != request.form.get("run"):
        return None
    return run


@bp.post("/courses/<slug>/<module>/<activity>/run")
def scenario_start(slug: str, module: str, activity: str):
    course, version, enrollment, _language, content = load_activity_or_404(slug, module, activity)
    if content.kind != "scenario" or not CompleteForm().validate_on_submit():
        abort(400)
    session = db_session()
    scenarios.start_run(session, enrollment, content, version)
    session.commit()
    return redirect(player_url(slug, content.key))


@bp.post("/courses/<slug>/<module>/<activity>/reply")
def scenario_reply(slug: str, module: str, activity: str):
    course, version, enrollment, _language, content = load_activity_or_404(slug, module, activity)
    if content.kind != "scenario" or not CompleteForm().validate_on_submit():
        abort(400)
    session = db_session()
    run = _run_or_400(session, enrollment, content)
    if run is None:
        flash(_("This conversation has moved on; here is where it stands now."), "error")
        return redirect(player_url(slug, content.key))
    content = run_content(session, run, content)
    was_complete = enrollment.completed_at is not None
    try:
        if request.form.get("mode") == "text":
            checks = [int(v) for v in request.form.getlist("check") if v.isdigit()]
            scenarios.write(session, run, content, course.id, request.form.get("step", ""),
                            request.form.get("text", ""), checks)
        else:
            scenarios.choose(session, run, content, request.form.get("step", ""), request.form.get("reply", ""))
        scenarios.settle(session, run, content, enrollment, version)
        session.commit()
        if not was_complete and enrollment.completed_at is not None:
            flash(_("Well done! You have completed the course."), "success")
    except engine.InvalidMove as exc:
        session.rollback()
        message = str(exc)
        if "empty" in message:
            flash(_("Write your reply before sending it."), "error")
        elif "limit" in message:
            flash(_("Your reply is too long; keep it under 5000 characters."), "error")
        else:
            flash(_("This conversation has moved on; here is where it stands now."), "error")
    except StaleDataError:
        session.rollback()
        flash(_("This conversation has moved on; here is where it stands now."), "error")
    return redirect(player_url(slug, content.key))
