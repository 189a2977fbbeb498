"""The certificate test course and completing it."""
from support import ROOT, csrf_from

CERT_COURSES = ROOT / "tests" / "data" / "cert_courses"


LESSONS = ("01-promise", "02-keep")


def complete(client, lessons=LESSONS):
    for lesson in lessons:
        url = f"/training/courses/cert-basics/01-intro/{lesson}"
        token = csrf_from(client.get(url).get_data(as_text=True))
        assert client.post(url + "/done", data={"csrf_token": token}).status_code == 302
