"""A realistic learner history for the learning-record tests: every question type, two attempts, a role-play,
open answers a trainer reviews, course completions and a certificate, partly in a translated edition."""
from __future__ import annotations

import re

from support import SAMPLE_COURSES, csrf_from
from support.certificates import CERT_COURSES, complete
from support.quiz import answers_for, save, start, submit
from support.review import REVIEW_COURSES, pending_ids, release, take_quiz, team_up, write_letter

SAMPLE = "/training/courses/sample"
QUIZ = f"{SAMPLE}/02-practice/03-quiz"


def import_courses(runner) -> None:
    for folder in (SAMPLE_COURSES, CERT_COURSES, REVIEW_COURSES):
        result = runner.invoke(args=["lms", "courses", "import", str(folder)])
        assert result.exit_code == 0, result.output


def sample_course_in_arabic(client) -> None:
    """The learner takes the sample course in its Arabic edition, where some lessons fall back to English and
    the quiz and the role-play to the Russian original: fails the quiz, passes it on the second attempt."""
    client.post(f"{SAMPLE}/edition", data={"language": "ar", "csrf_token": csrf_from(
        client.get(f"{SAMPLE}/").get_data(as_text=True))})
    for key in ("01-basics/01-welcome", "01-basics/02-speed", "02-practice/01-checklist"):
        html = client.get(f"{SAMPLE}/{key}").get_data(as_text=True)
        assert client.post(f"{SAMPLE}/{key}/done", data={"csrf_token": csrf_from(html)}).status_code == 302
    for right in (False, True):
        html = start(client)
        save(client, html, answers_for(html, right=right))
        assert submit(client, client.get(QUIZ).get_data(as_text=True)).status_code == 302
    url = f"{SAMPLE}/02-practice/02-call"
    client.post(url + "/run", data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True))})
    for reply in ("1", "1"):
        html = client.get(url).get_data(as_text=True)
        run = re.search(r'name="run" value="(\d+)"', html).group(1)
        step = re.search(r'name="step" value="([^"]+)"', html).group(1)
        client.post(url + "/reply", data={"csrf_token": csrf_from(html), "run": run, "step": step, "reply": reply})


def certificate_and_reviewed_answers(app, client, auth) -> None:
    """The learner completes the certificate course and the course with open answers; the trainer reviews them."""
    complete(client)
    write_letter(client)
    take_quiz(client)
    auth.login("trainer@example.com")
    letter, apology = pending_ids(app)
    assert release(client, letter, marks=[0, 1]).status_code == 302
    assert release(client, apology, marks=[0, 1], comment="Хорошо.").status_code == 302
    auth.logout()


def learner_history(app, client, auth, runner) -> None:
    import_courses(runner)
    team_up(app, auth)  # learner@example.com, trained by trainer@example.com in the reviewed course
    auth.login("learner@example.com")
    sample_course_in_arabic(client)
    certificate_and_reviewed_answers(app, client, auth)
