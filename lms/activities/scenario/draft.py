"""A draft role-play played in the studio: the learner's player, nothing recorded.

Each reply moves the run on with the pure engine, as a learner's does; the run's state (where it
is, its variables, its competency points, its path) and the written replies live in the play's
state in the session (:mod:`lms.activities.draft`), never in a run, a choice or a review row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from ...core import scenario as engine
from ...i18n import _
from ...learn.forms import CompleteForm
from ...learn.pages import with_links
from ...models import ScenarioRun
from ..draft import BadState, DraftPlay, StateTooLarge, new_play_id
from . import service as scenarios
from . import views

#: a written reply is kept this long at most in the play (the session is small); the rest is cut
KEPT_TEXT = 600


@dataclass
class PlayState:
    """One play of a draft role-play as the session keeps it."""

    play_id: int
    number: int
    run: engine.RunState
    texts: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.play_id, "n": self.number, "run": self.run.to_dict(), "texts": self.texts}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlayState:
        """Read a saved play; :class:`~lms.activities.draft.BadState` when it is not one."""
        try:
            state = cls(data["id"], data["n"], engine.RunState.from_dict(data["run"]), data["texts"])
        except (KeyError, TypeError, ValueError) as exc:
            raise BadState("not a role-play play") from exc
        if not (isinstance(state.play_id, int) and isinstance(state.number, int) and isinstance(state.texts, dict)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in state.texts.items())):
            raise BadState("not a role-play play")
        return state


def _scenario(play: DraftPlay) -> engine.Scenario:
    return engine.Scenario.from_dict(dict(play.content.data))


def _load(play: DraftPlay) -> PlayState | None:
    found = play.load()
    return None if found is None else PlayState.from_dict(found)


class ScenarioDraft:
    """The draft player of role-plays (``PLAYER``)."""

    def page(self, play: DraftPlay) -> ResponseReturnValue:
        scenario = _scenario(play)
        data = dict(play.content.data)
        state = _load(play)
        context: dict[str, Any] = {
            "course": play.course, "content": play.content, "edition": play.edition, "module": play.module,
            "form": CompleteForm(), "draft_play": play, "after": None, "released": [],
            "intro": with_links(data.get("intro_html", ""), play.course.slug),
            # the play in place of a run: the page's forms name it as they name a learner's run
            "run": None if state is None else ScenarioRun(id=state.play_id, number=state.number,
                                                          state=state.run.to_dict()),
        }
        if state is not None:
            run = state.run
            try:
                turns = scenarios.dialogue(scenario, data.get("html", {}), run, state.texts)
                summary = engine.summary(scenario, run, {}) if run.finished else None
                context.update(views.player_context(scenario, run, data, turns, summary, play.course.slug))
            except engine.InvalidMove as exc:  # a step this draft does not have
                raise BadState("the play is not at a step of this draft") from exc
        return render_template("lms/activities/scenario.html", **context)

    def get(self, play: DraftPlay, action: str) -> ResponseReturnValue:
        abort(404)

    def post(self, play: DraftPlay, action: str) -> ResponseReturnValue:
        if action == "run":
            return self.start(play)
        if action == "reply":
            return self.reply(play)
        abort(404)

    def start(self, play: DraftPlay) -> ResponseReturnValue:
        """A new run of the draft (the first, or "Play again" and "Start over")."""
        previous = _load(play)
        try:
            run = engine.start_state(_scenario(play))
        except engine.ScenarioError:
            flash(_("This role-play cannot be played yet: fix the problems the editor lists."), "error")
            return redirect(play.base)
        play.save(PlayState(new_play_id(), previous.number + 1 if previous else 1, run).to_dict())
        return redirect(play.base + "#player")

    def reply(self, play: DraftPlay) -> ResponseReturnValue:
        state = _load(play)
        if state is None or str(state.play_id) != request.form.get("run"):
            flash(_("This conversation has moved on; here is where it stands now."), "error")
            return redirect(play.base)
        scenario = _scenario(play)
        step = request.form.get("step", "")
        texts = dict(state.texts)
        try:
            if request.form.get("mode") == "text":
                text = request.form.get("text", "")
                run = engine.submit_text(scenario, state.run, text, expected_step=step)
                kept = text.strip()
                texts[step] = kept if len(kept) <= KEPT_TEXT else kept[:KEPT_TEXT] + "…"
            else:
                run = engine.choose(scenario, state.run, request.form.get("reply", ""), expected_step=step)
        except engine.InvalidMove as exc:
            flash(views.refusal(exc), "error")
            return redirect(play.base)
        except engine.ScenarioError:
            flash(_("This role-play cannot be played yet: fix the problems the editor lists."), "error")
            return redirect(play.base)
        try:
            play.save(PlayState(state.play_id, state.number, run, texts).to_dict())
        except StateTooLarge:
            # the session holds a few kilobytes: the written replies give way first
            play.save(PlayState(state.play_id, state.number, run, dict.fromkeys(texts, "…")).to_dict())
        return redirect(play.base + "#" + views.LATEST)


PLAYER = ScenarioDraft()
