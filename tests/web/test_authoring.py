"""Authoring in the browser: drafts, live preview with inline problems, publish, diff, rollback, zip."""
import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from lms.models import CourseVersion
from lms.state import db_session

from support import SAMPLE_COURSES, csrf_from, make_editor

LESSON = "01-basics/02-speed.md"


def edit_url(path=LESSON):
    return f"/training/author/sample/edit?path={path}"


def versions(app):
    with app.app_context():
        return db_session().scalar(select(func.count(CourseVersion.id)))


def test_trainer_edits_previews_fixes_and_publishes_and_the_learner_reads_it(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    page = client.get(edit_url()).get_data(as_text=True)
    assert "Отвечайте на заявку за 10–30 минут." in page
    token = csrf_from(page)
    broken = "---\ntitle: Скорость ответа\n---\nОтвечайте за **10 минут**.\n\nСм. [урок](99-missing.md)\n"
    preview = client.post(f"/training/author/sample/preview?path={LESSON}", data={"text": broken},
                          headers={"X-CSRFToken": token}).get_json()
    assert "<strong>10 минут</strong>" in preview["html"]
    assert [p["line"] for p in preview["problems"]] == [6] and "99-missing.md" in preview["problems"][0]["message"]
    fixed = broken.replace("99-missing.md", "01-welcome.md")
    assert client.post(f"/training/author/sample/preview?path={LESSON}", data={"text": fixed},
                       headers={"X-CSRFToken": token}).get_json()["problems"] == []
    client.post(edit_url(), data={"csrf_token": token, "text": fixed, "action": "save"})
    overview = client.get("/training/author/sample/").get_data(as_text=True)
    assert "change-changed" in overview and versions(app) == 1
    published = client.post("/training/author/sample/publish", data={"csrf_token": token, "note": "Новый текст"})
    assert published.status_code == 302 and versions(app) == 2
    auth.logout()
    auth.as_role("learner")
    lesson = client.get("/training/courses/sample/01-basics/02-speed").get_data(as_text=True)
    assert "Отвечайте за <strong>10 минут</strong>." in lesson


def test_publishing_with_problems_is_refused_and_writes_nothing(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    token = csrf_from(client.get(edit_url()).get_data(as_text=True))
    client.post(edit_url(), data={"csrf_token": token, "text": "---\ntitle: [broken\n---\n", "action": "save"})
    refused = client.post("/training/author/sample/publish", data={"csrf_token": token, "note": "Новый текст"})
    assert refused.status_code == 400 and "sample/01-basics/02-speed.md:2:" in refused.get_data(as_text=True)
    assert versions(app) == 1


def test_versions_can_be_compared_and_rolled_back(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    token = csrf_from(client.get(edit_url()).get_data(as_text=True))
    client.post(edit_url(), data={"csrf_token": token, "action": "save",
                                  "text": "---\ntitle: Скорость ответа\n---\nНовый текст урока.\n"})
    client.post("/training/author/sample/publish", data={"csrf_token": token, "note": "Новый текст"})
    diff = client.get("/training/author/sample/versions?a=1&b=2").get_data(as_text=True)
    assert re.search(r'<ins class="diff-ins"><span class="visually-hidden"[^>]*>[^<]*</span>Новый текст урока.</ins>', diff)
    assert re.search(r'<del class="diff-del"><span class="visually-hidden"[^>]*>[^<]*</span>Отвечайте на заявку за '
                     r'10–30 минут.</del>', diff)
    client.post("/training/author/sample/rollback", data={"csrf_token": token, "number": "1"})
    assert versions(app) == 3
    assert "Отвечайте на заявку за 10–30 минут." in client.get(edit_url()).get_data(as_text=True)


@pytest.mark.parametrize("name,data,ok", [
    ("logo.png", (SAMPLE_COURSES / "sample/01-basics/images/smile.png").read_bytes(), True),
    ("fake.png", b"<script>alert(1)</script>", False),
    ("page.html", b"<html></html>", False),
    ("huge.png", b"\x89PNG\r\n\x1a\n" + b"0" * 6_000_000, False),
])
def test_image_upload_checks_type_and_size(client, auth, app, sample_course, name, data, ok):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    token = csrf_from(client.get("/training/author/sample/").get_data(as_text=True))
    client.post("/training/author/sample/upload", content_type="multipart/form-data",
                data={"csrf_token": token, "path": "images", "file": (io.BytesIO(data), name)})
    overview = client.get("/training/author/sample/").get_data(as_text=True)
    assert (f"images/{name}" in overview) is ok


def test_zip_export_and_import_round_trip_exactly(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    exported = client.get("/training/author/sample/export.zip")
    assert exported.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(exported.data))
    original = {p.relative_to(SAMPLE_COURSES).as_posix(): p.read_bytes()
                for p in (SAMPLE_COURSES / "sample").rglob("*") if p.is_file()}
    assert {name: archive.read(name) for name in archive.namelist()} == original
    renamed = io.BytesIO()
    with zipfile.ZipFile(renamed, "w") as out:
        for name in archive.namelist():
            out.writestr(name.replace("sample/", "copy/", 1), archive.read(name))
    token = csrf_from(client.get("/training/author/").get_data(as_text=True))
    response = client.post("/training/author/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(renamed.getvalue()), "copy.zip")})
    assert response.status_code == 302
    again = zipfile.ZipFile(io.BytesIO(client.get("/training/author/copy/export.zip").data))
    assert {n.replace("copy/", "sample/", 1): again.read(n) for n in again.namelist()} == original


def test_a_new_course_starts_as_a_draft_and_publishes(client, auth, app):
    auth.as_role("trainer")
    token = csrf_from(client.get("/training/author/").get_data(as_text=True))
    client.post("/training/author/new", data={"csrf_token": token, "slug": "new-course", "title": "Новый курс",
                                              "language": "ru"})
    assert "01-start/01-first-lesson.md" in client.get("/training/author/new-course/").get_data(as_text=True)
    client.post("/training/author/new-course/publish", data={"csrf_token": token, "note": "Первая версия"})
    assert client.get("/training/courses/new-course/").status_code == 200


@pytest.mark.parametrize("role,expected", [("learner", 403), ("hr", 403), ("trainer", 200), ("admin", 200)])
def test_only_trainers_and_admins_author(client, auth, app, sample_course, role, expected):
    auth.as_role(role)
    make_editor(app, "sample", f"{role}@example.com")  # being named an editor does not open the studio to others
    for url in ["/training/author/", "/training/author/sample/", edit_url(), "/training/author/sample/versions",
                "/training/author/sample/export.zip"]:
        assert client.get(url).status_code == expected, url


def test_anonymous_users_are_sent_to_login(client, sample_course):
    assert client.get("/training/author/").status_code == 302
