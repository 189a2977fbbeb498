"""A learner who does everything in the sample courses."""
import re

from support import csrf_from
from support.certificates import CERT_COURSES, complete
from support.quiz import answers_for, save, start, submit

SAMPLE = "/training/courses/sample"


def learn_everything(client, auth, runner):
    """A learner reads the lessons, passes the quiz, plays the role-play and earns a certificate."""
    assert runner.invoke(args=["lms", "courses", "import", str(CERT_COURSES)]).exit_code == 0
    auth.as_role("learner")
    for key in ("01-basics/01-welcome", "01-basics/02-speed", "02-practice/01-checklist"):
        html = client.get(f"{SAMPLE}/{key}").get_data(as_text=True)
        client.post(f"{SAMPLE}/{key}/done", data={"csrf_token": csrf_from(html)})
    html = start(client)
    save(client, html, answers_for(html, right=True))
    assert submit(client, client.get(f"{SAMPLE}/02-practice/03-quiz").get_data(as_text=True)).status_code == 302
    url = f"{SAMPLE}/02-practice/02-call"
    client.post(url + "/run", data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True))})
    for reply in ("1", "1"):
        html = client.get(url).get_data(as_text=True)
        run = re.search(r'name="run" value="(\d+)"', html).group(1)
        step = re.search(r'name="step" value="([^"]+)"', html).group(1)
        client.post(url + "/reply", data={"csrf_token": csrf_from(html), "run": run, "step": step, "reply": reply})
    complete(client)
    auth.logout()
