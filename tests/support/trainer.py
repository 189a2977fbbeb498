"""Helpers for the trainer's workspace tests: a group built through the real pages."""
from __future__ import annotations

import re

from sqlalchemy import select

from lms.models import Group
from lms.state import db_session

from support import csrf_from

TRAINER = "/training/trainer"
SAMPLE = "/training/courses/sample"


def post(client, path: str, data: dict | None = None, page: str = TRAINER + "/"):
    """POST a form with a CSRF token taken from ``page``."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def create_group(client, name: str = "Магазин на Арбате", kind: str = "store") -> int:
    response = post(client, TRAINER + "/groups", {"name": name, "kind": kind})
    assert response.status_code == 302, response.status_code
    match = re.search(r"/groups/(\d+)/members$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def add_members(client, group_id: int, emails: str, role: str = "member"):
    return post(client, f"{TRAINER}/groups/{group_id}/members", {"emails": emails, "role": role})


def course_id(client, group_id: int, slug: str = "sample") -> str:
    """The value of ``slug``'s option in the assign form of the group's courses page."""
    html = client.get(f"{TRAINER}/groups/{group_id}/courses").get_data(as_text=True)
    options = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', html))
    assert options, html
    from lms.models import Course

    with client.application.app_context():
        wanted = db_session().scalar(select(Course.id).where(Course.slug == slug))
    assert str(wanted) in options
    return str(wanted)


def assign_to_group(client, group_id: int, due: str = "", slug: str = "sample"):
    return post(client, f"{TRAINER}/groups/{group_id}/courses",
                {"course": course_id(client, group_id, slug), "due_date": due})


def group_named(app, name: str) -> Group | None:
    with app.app_context():
        return db_session().scalar(select(Group).where(Group.name == name))


def read_lesson(client, module: str, activity: str):
    url = f"{SAMPLE}/{module}/{activity}"
    html = client.get(url).get_data(as_text=True)
    return client.post(url + "/done", data={"csrf_token": csrf_from(html)})


def flashes(html: str) -> list[tuple[str, str]]:
    """(category, text) of the flashed messages on a page."""
    return re.findall(r'<p class="flash flash-(\w+)">([^<]*)</p>', html)


def row_users(html: str) -> list[int]:
    """User ids of the dashboard's learner rows, in order."""
    return [int(uid) for uid in re.findall(r'<tr class="learner-row[^"]*" data-user="(\d+)"', html)]


def cells_of(html: str, user_id: int) -> list[str]:
    """The statuses of one learner's module cells."""
    row = re.search(rf'data-user="{user_id}">(.*?)</tr>', html, re.S).group(1)
    return re.findall(r'<td class="cell cell-(\w+)"', row)


def seed_group(session, slug: str, learners: int, **options):
    """``bench/seed.py``'s bulk seeder (the benchmark and the tests share it)."""
    import sys

    from support import ROOT

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.seed import seed_group as seed

    return seed(session, slug, learners, **options)
