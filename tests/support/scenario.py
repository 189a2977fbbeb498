"""Playing the sample course's role-play through the test client."""
import re

from support import csrf_from

URL = "/training/courses/sample/02-practice/02-call"


def page(client) -> str:
    return client.get(URL).get_data(as_text=True)


def start(client) -> str:
    html = page(client)
    client.post(URL + "/run", data={"csrf_token": csrf_from(html)})
    return page(client)


def reply(client, html: str, reply_id: str, **extra):
    run = re.search(r'name="run" value="(\d+)"', html).group(1)
    step = re.search(r'name="step" value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_from(html), "run": run, "step": step, "reply": reply_id, **extra}
    response = client.post(URL + "/reply", data=data)
    assert response.status_code == 302
    return page(client)


def offered(html: str) -> list[str]:
    return re.findall(r'name="reply" value="(\d+)"', html)
