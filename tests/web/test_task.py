"""The on-the-job task, end to end: a learner hands in, a trainer reviews, the module completes.

It also proves the activity-kind registry: the task lives in ``lms/activities/task`` (with
its templates and migration) and nothing else in the plugin names it.
"""
from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

from sqlalchemy import select

from lms.models import Assignment, Course, Group, GroupMember, Review
from lms.state import db_session

from support import ROOT, csrf_from

TASK_COURSES = ROOT / "tests" / "data" / "task_courses"
COURSE = "/training/courses/on-the-job"
TASK = f"{COURSE}/01-lead/02-answer-a-lead"


def png() -> bytes:
    """A real 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + \
        chunk(b"IEND", b"")


def setup_course(app, auth, runner) -> dict[str, int]:
    result = runner.invoke(args=["lms", "courses", "import", str(TASK_COURSES)])
    assert result.exit_code == 0, result.output
    learner = auth.create("learner@example.com", "Анна Петрова")
    other = auth.create("other@example.com", "Олег Другой")
    trainer = auth.create("trainer@example.com", "Тимур Тренер", ("trainer",))
    with app.app_context():
        session = db_session()
        course = session.scalar(select(Course).where(Course.slug == "on-the-job"))
        group = Group(name="Магазин")
        session.add(group)
        session.flush()
        session.add_all([GroupMember(group_id=group.id, user_id=trainer, role="trainer"),
                         GroupMember(group_id=group.id, user_id=learner, role="member")])
        session.add(Assignment(course_id=course.id, group_id=group.id, assigned_by_id=trainer))
        session.commit()
    return {"learner": learner, "other": other, "trainer": trainer}


def hand_in(client, text: str, files=()):
    page = client.get(TASK).get_data(as_text=True)
    return client.post(f"{TASK}/task", data={"csrf_token": csrf_from(page), "text": text,
                                            "files": [(io.BytesIO(data), name) for name, data in files]},
                       content_type="multipart/form-data", follow_redirects=True)


def activity_status(client, key: str) -> str:
    html = client.get(f"{COURSE}/").get_data(as_text=True)
    return re.search(rf'data-status="([a-z_]+)">\s*<a href="[^"]*/{re.escape(key)}"', html).group(1)


def release(client, review_id: int, marks: list[int], comment: str):
    page = client.get(f"/training/review/{review_id}").get_data(as_text=True)
    return client.post(f"/training/review/{review_id}", data={"csrf_token": csrf_from(page), "marks": marks,
                                                              "comment": comment}, follow_redirects=True)


def test_a_learner_hands_in_a_trainer_reviews_and_the_module_completes(app, client, auth, runner, tmp_path):
    app.config["LMS_TASK_FILES_PATH"] = str(tmp_path / "files")
    ids = setup_course(app, auth, runner)
    auth.login("learner@example.com")
    page = client.get(TASK).get_data(as_text=True)
    assert "Ответьте на реальную заявку" in page and "Что проверит тренер" in page
    assert 'enctype="multipart/form-data"' in page

    # a file that is not what its name says is refused, and nothing is kept
    refused = hand_in(client, "Ответил в 10:05.", [("screen.pdf", b"not a pdf at all")])
    assert "не фото" in refused.get_data(as_text=True)
    assert not (tmp_path / "files").exists() or not any((tmp_path / "files").rglob("*"))

    done = hand_in(client, "Ответил в 10:05, уточнил объём поставки.", [("screen.png", png())])
    assert "Сдано" in done.get_data(as_text=True)
    assert activity_status(client, "01-lead/02-answer-a-lead") == "awaiting_review"
    # while it waits, the learner cannot hand in again
    assert 'name="text"' not in client.get(TASK).get_data(as_text=True)
    [stored] = list((tmp_path / "files").rglob("*.png"))
    link = re.search(r'href="(/training/task-files/\d+)"', client.get(TASK).get_data(as_text=True)).group(1)
    assert client.get(link).data == stored.read_bytes()
    auth.logout()

    # another learner cannot open the file
    auth.login("other@example.com")
    assert client.get(link).status_code == 404
    auth.logout()

    # the trainer reviews it in the queue, with the rubric and the file
    auth.login("trainer@example.com")
    queue = client.get("/training/review/").get_data(as_text=True)
    assert "Ответил в 10:05" in queue and "Задание" in queue
    with app.app_context():
        review_id = db_session().scalar(select(Review.id).where(Review.kind == "task"))
    page = client.get(f"/training/review/{review_id}").get_data(as_text=True)
    assert "screen.png" in page and link in page
    assert client.get(link).status_code == 200
    released = release(client, review_id, [0], "Быстро и по делу.")
    assert released.status_code == 200
    auth.logout()

    auth.login("learner@example.com")
    task_page = client.get(TASK).get_data(as_text=True)
    assert "Быстро и по делу." in task_page and "Сдано" in task_page
    assert activity_status(client, "01-lead/02-answer-a-lead") == "passed"
    # read the lesson: the module and the course are complete
    lesson = client.get(f"{COURSE}/01-lead/01-read").get_data(as_text=True)
    client.post(f"{COURSE}/01-lead/01-read/done", data={"csrf_token": csrf_from(lesson)})
    course = client.get(f"{COURSE}/").get_data(as_text=True)
    assert 'class="badge badge-completed"' in course[course.index('class="course-status"'):]
    assert ids


def test_a_returned_task_can_be_handed_in_again(app, client, auth, runner, tmp_path):
    app.config["LMS_TASK_FILES_PATH"] = str(tmp_path / "files")
    setup_course(app, auth, runner)
    auth.login("learner@example.com")
    hand_in(client, "Ответил на следующий день.")
    auth.logout()
    auth.login("trainer@example.com")
    with app.app_context():
        review_id = db_session().scalar(select(Review.id).where(Review.kind == "task"))
    release(client, review_id, [1], "Ответ должен уйти в течение 30 минут.")
    auth.logout()
    auth.login("learner@example.com")
    assert activity_status(client, "01-lead/02-answer-a-lead") == "failed"
    page = client.get(TASK).get_data(as_text=True)
    assert "Ответ должен уйти в течение 30 минут." in page and 'name="text"' in page
    hand_in(client, "Ответил через 12 минут.")
    assert activity_status(client, "01-lead/02-answer-a-lead") == "awaiting_review"


def test_nothing_outside_the_activity_packages_names_a_kind():
    """The registry owns what varies with the kind: no page, service or report asks which kind it is."""
    kinds = ("lesson", "quiz", "scenario", "task")
    names = "|".join(kinds)
    pattern = re.compile(rf"""(==|!=|\bin\b)\s*\(?\s*["']({names})["']|["']({names})["']\s*(==|!=)""")
    offenders = []
    for path in sorted((ROOT / "lms").rglob("*")):
        if path.suffix not in (".py", ".html", ".js") or "activities" in path.parts or "migrations" in path.parts:
            continue
        if "core" in path.parts and "quiz" in path.parts:
            continue  # the quiz engine's own file type check ("type: quiz")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, offenders
    task_files = [p.relative_to(ROOT).as_posix() for p in (ROOT / "lms").rglob("*") if "task" in p.name
                  and p.is_file() and "__pycache__" not in p.parts]
    assert all(name.startswith(("lms/activities/task/", "lms/templates/lms/activities/task",
                                "lms/migrations/versions/0009_task")) for name in task_files), task_files
    assert Path(ROOT / "lms/activities/task/__init__.py").exists()
