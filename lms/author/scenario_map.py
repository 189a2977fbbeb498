"""The map of a role-play in the studio: its steps, replies, routes and endings drawn from the draft,
what the checker found marked on it, and every box linking to its line in the editor."""
from __future__ import annotations

from flask import abort, current_app, render_template, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from ..activities import get as get_kind
from ..core.activities import DEFAULT_KIND
from ..core.folders import decode
from ..core.frontmatter import split_front_matter
from ..core.scenario import Scenario, check_scenario, parse_scenario_document
from ..core.scenario_check import CheckReport
from ..core.scenario_map import MapLabels, MapStep, draw_map, summary
from ..core.scenario_model import ENDING, ROUTE, TEXT
from ..i18n import _, ngettext, text_direction
from ..problem_text import problem_text
from ..services import authoring
from ..state import db_session
from ..web import render_error
from .views import bp, current_course, limits, requested_path


def map_labels(scenario: Scenario, report: CheckReport) -> MapLabels:
    """The map's words in the reader's language."""
    parts = [ngettext("%(num)s step", "%(num)s steps", report.steps),
             ngettext("%(num)s ending", "%(num)s endings", report.endings)]
    if report.best_path:
        parts.append(_("Best run: %(path)s.", path=" → ".join(report.best_path)))
    problems = len(report.unreachable_steps) + len(report.dead_ends) + len(report.trapped_cycles)
    parts.append(ngettext("%(num)s problem marked.", "%(num)s problems marked.", problems) if problems
                 else _("No problems marked."))
    return MapLabels(
        title=_("Map of the role-play “%(title)s”", title=scenario.title),
        desc=" ".join(parts),
        start=_("First step"),
        choice=_("Learner chooses"),
        route=_("Automatic route"),
        text=_("Written answer"),
        passes=_("Ending: passes"),
        passes_with=_("Pass: points ≥ %(points)s"),  # the map puts the number in
        fails=_("Ending: does not pass"),
        unreachable=_("Never reached"),
        dead_end=_("Dead end"),
        trapped=_("Loop with no way out"),
        missing=_("Missing step"),
        best_path=_("Best run"),
        reply=_("Reply"),
        route_line=_("Route"),
        condition=_("if"),
        unreachable_band=_("Steps no run reaches"),
    )


def step_kind(step: MapStep) -> str:
    """What kind of step it is, in words (an ending: whether it passes)."""
    if step.kind == ENDING:
        return _("Ending: passes") if step.passes else _("Ending: does not pass")
    return {ROUTE: _("Automatic route"), TEXT: _("Written answer")}.get(step.kind) or _("Learner chooses")


@bp.get("/<slug>/map")
def scenario_map(slug: str) -> ResponseReturnValue:
    """The map of the role-play at ``?path=``, drawn from the draft as the editor parses it."""
    session = db_session()
    course = current_course()
    path = requested_path()
    data = authoring.working_files(session, course).get(path)
    if data is None or not path.endswith(".md") or len(data) > limits().for_path(path):
        abort(404)
    where = f"{slug}/{path}"
    text, _problem = decode(data, where)
    if text is None:
        abort(404)
    doc = split_front_matter(text, where)
    kind_name = doc.meta.get("type", DEFAULT_KIND)
    kind = get_kind(kind_name) if isinstance(kind_name, str) else None
    if doc.problems or kind is None or not kind.studio_map:
        return render_error(404, _("This file has no map"), _(
            "Only a role-play has a map. If this file is one, open it in the editor and fix the lines between "
            "the two '---' at its top: they must say 'type: scenario'."))
    scenario, _problems = parse_scenario_document(doc, text)  # the report repeats them
    report = check_scenario(scenario)
    rtl = text_direction() == "rtl"

    def editor(line: int) -> str:
        return url_for(".edit", slug=slug, path=path, line=line or None)

    svg = draw_map(scenario, report, link=editor, rtl=rtl, labels=map_labels(scenario, report), legend=False)
    return render_template(
        "lms/author/map.html", course=course, path=path, scenario=scenario, report=report, kind=kind,
        svg=Markup(svg),  # nosec B704 # draw_map escapes every text and address it writes (core/scenario_map.py)
        summary=summary(scenario, report), editor=editor, step_kind=step_kind,
        errors=[(p.line, problem_text(p)) for p in report.errors],
        playable="lms.author.play" in current_app.view_functions and kind.draft_player,
    )
