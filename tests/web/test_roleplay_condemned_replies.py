"""Every reply of the built-in course that the lessons condemn leads, in a learner's run, to an ending that
does not pass: played through the test client, edition by edition, as the learner's page offers it.

The runs come from the checker's exploration (:mod:`support.worst_runs`): the worst run of each
role-play and runs through every reply that lowers a competency. A translation that branches exactly as
an edition already played ends every run the same way, so it plays its worst run only. The browser
test ``tests/browser/test_roleplay_worst_paths.py`` plays each role-play's worst run in Chromium.
"""
from __future__ import annotations

import re

from support import ROOT, csrf_from
from support.worst_runs import WRITTEN, Run, builtin_roleplays, runs_to_play, structure

ENDING = re.compile(r'<section class="scenario-ending".*?</section>', re.S)


def play(client, address: str, run: Run) -> None:
    html = client.get(address).get_data(as_text=True)
    assert client.post(address + "/run", data={"csrf_token": csrf_from(html)}).status_code == 302
    html = client.get(address).get_data(as_text=True)
    for step, action in run.moves:
        assert f'name="step" value="{step}"' in html, f"expected the step {step}"
        fields = {"csrf_token": csrf_from(html), "step": step,
                  "run": re.search(r'name="run" value="(\d+)"', html).group(1)}
        fields.update({"mode": "text", "text": WRITTEN} if action == "text" else {"reply": action})
        assert client.post(address + "/reply", data=fields).status_code == 302
        html = client.get(address).get_data(as_text=True)
    ending = ENDING.search(html)
    assert ending, "the run did not reach an ending"
    assert run.outcome_label in ending.group(0)
    result = ending.group(0)[ending.group(0).index('class="ending-result"'):]
    assert "badge-overdue" in result  # "Not passed yet"
    assert "badge-completed" not in result and "badge-in_progress" not in result


def test_no_reply_the_lessons_condemn_leads_to_a_pass(client, auth, runner):
    assert runner.invoke(args=["lms", "courses", "import", str(ROOT / "courses")]).exit_code == 0
    roleplays = builtin_roleplays()
    assert {language for _, language, _, _ in roleplays} >= {"ru", "en", "ar"}
    auth.create("condemned@example.com", "Learner")
    auth.login("condemned@example.com")

    played, edition, structures_played = 0, None, set()
    for slug, language, activity, scenario in roleplays:
        if (slug, language) != edition:  # the learner switches the course to this edition
            html = client.get(f"/training/courses/{slug}/").get_data(as_text=True)
            client.post(f"/training/courses/{slug}/edition", data={"csrf_token": csrf_from(html), "language": language})
            assert f'lang="{language}"' in client.get(f"/training/courses/{slug}/").get_data(as_text=True)
            edition = (slug, language)
        runs = runs_to_play(scenario)
        key = (slug, activity.key, structure(scenario))
        if key in structures_played:  # a translation that branches as the original: its worst run is enough
            runs = runs[:1]
        structures_played.add(key)
        for run in runs:
            try:
                play(client, f"/training/courses/{slug}/{activity.module}/{activity.slug}", run)
            except AssertionError as exc:
                raise AssertionError(f"{language} {activity.path}, {run.why} → {run.ending}: {exc}") from exc
            played += 1
    assert played > len(roleplays)  # beyond the worst runs: the condemned replies were played too
