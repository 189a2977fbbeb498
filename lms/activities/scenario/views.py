"""The role-play player: a chat-like page that works as plain forms without JavaScript."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ...core import charts
from ...core import scenario as engine
from ...i18n import _
from ...learn import milestones
from ...learn.forms import CompleteForm
from ...learn.pages import activity_url, link_in, load_page, module_of, parsed_cache, with_links
from ...models import ActivityContent, Enrollment, ScenarioRun
from ...services import learning, reviews
from ...state import db_session
from ..base import ActivityPage
from . import service as scenarios

bp = Blueprint("scenario", __name__)


def player_url(slug: str, key: str, anchor: str = "player") -> str:
    return activity_url(slug, key) + "#" + anchor


#: the anchor of the conversation's newest lines: a reply leads back to it, not to the top
LATEST = "latest"


def signed(value: float, plus: bool = True) -> str:
    """A number as the learner reads it: "+2", "0", "−4" (a real minus sign, U+2212;
    shown in a ``<bdi dir="ltr">`` it stays "−4" in right-to-left text too)."""
    value = round(value, 1)
    sign = ("+" if plus else "") if value > 0 else "−" if value < 0 else ""
    return sign + format(abs(value), "g")


def latest_turn(turns: list[scenarios.Turn]) -> int | None:
    """The index of the first line after the learner's last reply (what the reply brought),
    or of that reply when nothing followed it; None before the first reply."""
    replies = [index for index, turn in enumerate(turns) if turn.who == "learner"]
    if not replies:
        return None
    return replies[-1] + 1 if replies[-1] + 1 < len(turns) else replies[-1]


def run_content(session: Session, run: ScenarioRun | None, content: ActivityContent) -> ActivityContent:
    """The scenario as it was when ``run`` started."""
    return content if run is None else learning.content_at(session, content, run.version_id)


def scenario_view(page: ActivityPage) -> Any:
    course, version, enrollment, language, content = (page.course, page.version, page.enrollment, page.language,
                                                      page.content)
    session = db_session()
    cache = parsed_cache()
    run = scenarios.latest_run(session, enrollment, content.key)
    content = run_content(session, run, content)
    scenario = scenarios.scenario_of(content, cache)
    context = {
        "course": course, "content": content, "edition": version.manifest["editions"][language],
        "module": module_of(page),
        "run": run, "form": CompleteForm(), "intro": with_links(content.data.get("intro_html", ""), course.slug),
    }
    if run is not None:
        state = scenarios.state_of(run)
        context.update(player_context(
            scenario, state, content.data, scenarios.transcript(session, run, content, cache),
            scenarios.run_summary(session, run, content, cache) if state.finished else None, course.slug))
        context.update(
            after=milestones.next_step(page) if state.finished else None,
            released=reviews.released_for(session, scenarios.KIND, run.id) if state.finished else [],
        )
    return render_template("lms/activities/scenario.html", **context)


def player_context(scenario: engine.Scenario, state: engine.RunState, data: dict[str, Any],
                   turns: list[scenarios.Turn], summary: engine.RunSummary | None, slug: str) -> dict[str, Any]:
    """What the player page shows of a run in ``state``: the conversation so far, the mood, the
    current step's replies or, at an ending (``summary``), the outcome and the debrief. ``data`` is
    the scenario's stored data (its rendered texts and lesson links)."""
    step = engine.view(scenario, state)
    rendered = data.get("html", {}).get(step.step_id, {})
    return {
        "state": state, "step": step, "turns": turns, "latest": latest_turn(turns), "mood_text": signed(state.mood),
        "prompt_html": Markup(rendered.get("prompt", "")),  # nosec B704 # nh3-sanitised at import
        "debrief_html": with_links(rendered.get("debrief", ""), slug),
        "summary": summary,
        "lesson_links": {tag: link_in(href, slug) for tag, href in data.get("lesson_links", {}).items() if href},
        "mood_max": max(5, abs(state.mood)),
    }


def _run_or_400(session: Session, enrollment: Enrollment, content: ActivityContent) -> ScenarioRun | None:
    run = scenarios.latest_run(session, enrollment, content.key)
    if run is None or str(run.id) != request.form.get("run"):
        return None
    return run


@bp.post("/courses/<slug>/<module>/<activity>/run")
def scenario_start(slug: str, module: str, activity: str) -> ResponseReturnValue:
    page = load_page(slug, module, activity, kind=scenarios.KIND)
    if not CompleteForm().validate_on_submit():
        abort(400)
    content = page.content
    session = db_session()
    scenarios.start_run(session, page.enrollment, content, page.version, parsed_cache())
    session.commit()
    return redirect(player_url(slug, content.key))


@bp.post("/courses/<slug>/<module>/<activity>/reply")
def scenario_reply(slug: str, module: str, activity: str) -> ResponseReturnValue:
    page = load_page(slug, module, activity, kind=scenarios.KIND)
    if not CompleteForm().validate_on_submit():
        abort(400)
    course, version, enrollment, content = page.course, page.version, page.enrollment, page.content
    cache = parsed_cache()
    session = db_session()
    run = _run_or_400(session, enrollment, content)
    if run is None:
        flash(_("This conversation has moved on; here is where it stands now."), "error")
        return redirect(activity_url(slug, content.key))
    content = run_content(session, run, content)
    try:
        if request.form.get("mode") == "text":
            checks = [int(v) for v in request.form.getlist("check") if v.isdigit()]
            scenarios.write(session, run, content, course.id, request.form.get("step", ""),
                            request.form.get("text", ""), checks, cache)
        else:
            scenarios.choose(session, run, content, request.form.get("step", ""), request.form.get("reply", ""),
                             cache)
        # only an ending records a result, and so may complete the module or the course
        before = milestones.snapshot(page) if scenarios.state_of(run).finished else None
        scenarios.settle(session, run, content, enrollment, version, cache)
        session.commit()
        reached = milestones.reached(page, before) if before is not None else None
        if reached is not None and reached.kind == milestones.COURSE:
            milestones.announce(reached)  # a module's completion is told by the ending itself
        return redirect(player_url(slug, content.key, LATEST))
    except engine.InvalidMove as exc:
        session.rollback()
        flash(refusal(exc), "error")
    except StaleDataError:
        session.rollback()
        flash(_("This conversation has moved on; here is where it stands now."), "error")
    return redirect(activity_url(slug, content.key))  # from the top, where the message is


def refusal(exc: engine.InvalidMove) -> str:
    """Why the engine refused a reply, in the learner's words."""
    message = str(exc)
    if "empty" in message:
        return _("Write your reply before sending it.")
    if "limit" in message:
        return _("Your reply is too long; keep it under 5000 characters.")
    return _("This conversation has moved on; here is where it stands now.")


def competency_chart(competencies: list) -> Any:
    """The group dashboard's competency profile as SVG markup (None when no run counted)."""
    rows = [(c.label, c.earned, c.best, f"{c.earned:.1f} / {c.best:g}" if c.best is not None else f"{c.earned:.1f}")
            for c in competencies]
    if not rows:
        return None
    return Markup(charts.progress_bars(  # nosec B704 # charts escape their text
        "chart-competencies", rows, title=_("Competency profile"),
        desc=_("Average points earned in the role-plays per competency (bar) against the best possible "
               "(dashed outline); each learner counts once per role-play, with their latest finished run.")))
