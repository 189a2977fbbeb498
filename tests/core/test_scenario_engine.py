"""Playing scenarios: the pure engine the application calls per request."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from lms.core.scenario import (
    MAX_TEXT_LENGTH,
    InvalidMove,
    RunState,
    Scenario,
    ScenarioError,
    best_path,
    choose,
    parse_scenario,
    start_state,
    submit_text,
    summary,
    view,
)

DATA = Path(__file__).parent / "data"
EXAMPLE = (DATA / "scenario_proposal.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sc() -> Scenario:
    scenario, problems = parse_scenario(EXAMPLE, "proposal.md")
    assert problems == []
    return scenario


def play(scenario: Scenario, *moves: str) -> RunState:
    """Replies by id; ``text:...`` submits a written reply."""
    state = start_state(scenario)
    for move in moves:
        if move.startswith("text:"):
            state = submit_text(scenario, state, move[5:], expected_step=state.step_id)
        else:
            state = choose(scenario, state, move, expected_step=state.step_id)
    return state


def reply_texts(scenario: Scenario, state: RunState) -> dict[str, str]:
    return {r.id: r.text for r in view(scenario, state).replies}


def test_start_and_first_view(sc):
    state = start_state(sc)
    assert state.step_id == "request"
    assert state.variables["promised"] is False
    assert state.path == () and not state.finished
    v = view(sc, state)
    assert v.speaker == "Ирина"
    assert v.text.startswith("**Ирина:** Добрый день!")
    assert [r.id for r in v.replies] == ["1", "2"]
    assert v.mood == 0 and v.points == 0
    assert not v.is_ending and not v.is_free_text and v.rubric == ()


def test_view_never_reveals_targets_or_effects(sc):
    data = json.dumps(view(sc, start_state(sc)).to_dict(), ensure_ascii=False)
    assert "needs+2" not in data and "#needs" not in data and "target" not in data and "effects" not in data


def test_mood_is_experience_minus_expectations(sc):
    state = play(sc, "1")  # experience+1
    assert view(sc, state).mood == 1
    state = choose(sc, state, "1")  # promise: expectations+1
    assert (state.variables["experience"], state.variables["expectations"]) == (1, 1)
    assert state.mood == 0 and view(sc, state).mood == 0


def test_reply_offered_only_if_a_promise_was_made(sc):
    promised = play(sc, "1", "1")
    assert promised.step_id == "afternoon"
    assert list(reply_texts(sc, promised)) == ["1", "2", "3"]
    not_promised = play(sc, "1", "2")
    assert list(reply_texts(sc, not_promised)) == ["3", "4"]


def test_promise_kept_leads_to_a_recommending_client(sc):
    state = play(sc, "1", "1", "1")
    # the routing step "check" was passed automatically
    assert state.step_id == "kept"
    assert state.path[-1] == ("check", "auto")
    state = choose(sc, state, "1", expected_step="kept")
    assert state.finished and state.outcome == "recommends"
    v = view(sc, state)
    assert v.is_ending and v.outcome_label == "Клиент рекомендует вас"
    assert v.debrief.startswith("Вы выполнили обещание")
    assert v.replies == ()
    result = summary(sc, state)
    assert result.passed is True
    assert result.points == 9 == result.best_points
    assert [s.id for s in result.path] == best_path(sc) == ["request", "needs", "afternoon", "check", "kept",
                                                           "recommends"]
    assert result.weak == ()


def test_promise_broken_leads_elsewhere_and_the_customer_checks(sc):
    state = play(sc, "1", "1", "3")  # promised, then went to the meeting
    assert state.step_id == "broken"
    assert state.variables["experience"] == -1  # 1, then -2 when the promise was found broken
    assert view(sc, state).mood == -2
    state = choose(sc, state, "1")  # own the mistake -> write the apology
    assert state.step_id == "apology"
    v = view(sc, state)
    assert v.is_free_text and v.prompt == "Ваше письмо клиенту" and v.replies == ()
    assert v.rubric == ("извинились без оправданий и без перекладывания вины",
                        "назвали точное время, когда придёт КП", "предложили компенсацию или бонус")
    state = submit_text(sc, state, "Ирина, простите: КП будет у вас в 17:00, монтаж — со скидкой 5%.")
    assert state.finished and state.outcome == "one-off"  # mood got back to 0
    assert ("apology", "text") in state.path and ("reaction", "auto") in state.path
    result = summary(sc, state)
    assert result.passed is False  # one-off is not a passing outcome
    assert result.awaiting_review == ("apology",)


def test_excuses_after_a_broken_promise_lose_the_client(sc):
    state = play(sc, "1", "1", "3", "2")
    assert state.outcome == "lost"
    result = summary(sc, state)
    assert result.passed is False
    assert result.outcome_label == "Клиент потерян"
    assert result.debrief.startswith("Клиент ждал конкретного срока")


def test_no_promise_and_late_means_silence(sc):
    state = play(sc, "2", "2", "3")
    assert state.step_id == "silence"
    assert play(sc, "2", "2", "3", "1").outcome == "lost"


def test_weak_competencies_point_to_lessons(sc):
    state = play(sc, "2", "2", "3", "1")
    result = summary(sc, state)
    profile = {c.tag: (c.earned, c.possible, c.best, c.weak) for c in result.profile}
    assert profile["needs"] == (-1, 2, 2, True)
    assert profile["promises"] == (0, 1, 3, True)  # only the promise itself was on offer
    assert profile["speed"] == (-1, 1, 1, True)
    # complaints never came up on this path, so they are not a weak spot
    assert profile["complaints"] == (0, 0, 2, False)
    weak = {c.tag: c.lesson for c in result.weak}
    assert weak == {"needs": "03-good-proposal-step-by-step.md", "promises": "../04-keeping-your-word/01-said-it-did-it.md", "speed": "../04-keeping-your-word/02-first-contact-and-speed.md"}
    assert [s.title for s in result.best_path][:2] == ["Запрос", "Потребности"]


def test_tampered_reply_is_refused_without_changing_state(sc):
    state = play(sc, "1", "1")  # promised: reply 4 ("if not promised") is hidden
    before = copy.deepcopy(state.to_dict())
    for bad in ("4", "99", "", "1; DROP TABLE"):
        with pytest.raises(InvalidMove):
            choose(sc, state, bad)
    assert state.to_dict() == before


def test_replayed_old_step_is_refused(sc):
    state = play(sc, "1")
    with pytest.raises(InvalidMove, match="for step 'request', but the run is now at step 'needs'"):
        choose(sc, state, "1", expected_step="request")


def test_finished_run_refuses_moves(sc):
    state = play(sc, "1", "1", "1", "2")
    assert state.finished
    with pytest.raises(InvalidMove, match="finished"):
        choose(sc, state, "1")
    with pytest.raises(InvalidMove, match="finished"):
        submit_text(sc, state, "hello")


def test_text_and_choices_only_where_they_belong(sc):
    with pytest.raises(InvalidMove, match="does not ask for a written reply"):
        submit_text(sc, start_state(sc), "hello")
    at_text = play(sc, "1", "1", "3", "1")
    with pytest.raises(InvalidMove, match="does not offer replies"):
        choose(sc, at_text, "1")
    for bad in ("", "   \n", "x" * (MAX_TEXT_LENGTH + 1)):
        with pytest.raises(InvalidMove):
            submit_text(sc, at_text, bad)
    assert submit_text(sc, at_text, "x" * MAX_TEXT_LENGTH).finished


def test_engine_is_deterministic_and_does_not_mutate(sc):
    state = play(sc, "1", "1")
    snapshot = copy.deepcopy(state)
    a = choose(sc, state, "2")
    b = choose(sc, state, "2")
    assert a == b
    assert state == snapshot


def test_run_state_round_trips_through_json(sc):
    state = play(sc, "1", "1", "2")
    data = json.loads(json.dumps(state.to_dict()))
    again = RunState.from_dict(data)
    assert again == state
    assert choose(sc, again, "1") == choose(sc, state, "1")


def test_run_state_from_bad_data(sc):
    with pytest.raises(ValueError):
        RunState.from_dict({"variables": {}})
    with pytest.raises(ValueError):
        RunState.from_dict({"step_id": "request", "variables": {"points": "lots"}})
    with pytest.raises(InvalidMove, match="does not have"):
        view(sc, RunState("gone", dict(sc.variables)))


def test_stored_scenario_plays_the_same(sc):
    stored = Scenario.from_dict(json.loads(json.dumps(sc.to_dict())))
    assert play(stored, "1", "1", "1", "1") == play(sc, "1", "1", "1", "1")
    assert best_path(stored) == best_path(sc)


def test_unfinished_run_has_not_passed(sc):
    result = summary(sc, play(sc, "1"))
    assert result.passed is False and not result.finished
    assert [s.id for s in result.path] == ["request", "needs"]


MIN_POINTS = """---
pass: {min_points: 4}
---
## Start {#start}
- [Write to the customer](#write) points+2
- [Leave](#end)

## Write {#write}
Write your reply: your e-mail

- [ ] polite (1)
- [ ] names the time (2)

-> #end

## End {#end}
outcome: done
"""


def test_pass_awaits_review_when_written_reply_decides():
    scenario, problems = parse_scenario(MIN_POINTS, "m.md")
    assert problems == []
    state = play(scenario, "1", "text:Dear customer, the proposal comes at 3 pm.")
    assert state.finished
    pending = summary(scenario, state)
    assert pending.passed is None and pending.awaiting_review == ("write",)
    passed = summary(scenario, state, text_points={"write": 2})
    assert passed.passed is True and passed.points == 4 and passed.awaiting_review == ()
    failed = summary(scenario, state, text_points={"write": 1})
    assert failed.passed is False
    # without writing, review can't help: failed at once
    assert summary(scenario, play(scenario, "2")).passed is False


def test_start_step_may_route_and_routing_loops_are_stopped():
    scenario, _ = parse_scenario("## Go {#go}\n-> #end\n\n## End {#end}\noutcome: ok\n", "r.md")
    state = start_state(scenario)
    assert state.finished and state.outcome == "ok" and state.path == (("go", "auto"),)
    looping, _ = parse_scenario("## A {#a}\n-> #b\n\n## B {#b}\n-> #a\n\n## End {#end}\noutcome: ok\n", "l.md")
    with pytest.raises(ScenarioError, match="routes loop"):
        start_state(looping)


def test_stored_scenario_carries_its_outline_and_never_explores_again(sc, monkeypatch):
    from lms.core.scenario_explore import outline

    # the content layer stores the outline with the data (lms/activities/scenario/content.py)
    data = json.loads(json.dumps({**sc.to_dict(), "outline": outline(sc)}, ensure_ascii=False))
    assert "outline" not in sc.to_dict()
    assert data["outline"]["best_path"][-1] == "recommends"
    assert data["outline"]["best_points"] == 9

    import lms.core.scenario_explore as explore_module

    def no_exploring(*args, **kwargs):
        raise AssertionError("explored the states of a stored scenario")

    monkeypatch.setattr(explore_module, "analyse", no_exploring)
    stored = Scenario.from_dict(data)
    result = summary(stored, play(stored, "1", "1", "1", "2"))
    assert result.outcome == "loyal" and result.passed is True and result.best_points == 9
