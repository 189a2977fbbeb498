"""Issue 13, authoring and request sizes: zip bombs, size limits per field and per request, course editors.

What an attacker (or a careless upload) would notice: the request is refused with a
message that says why, and nothing was written.
"""
from __future__ import annotations

import io
import struct
import zipfile

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms import LMS
from lms.models import AuditEntry, Course, CourseEditor, CourseVersion, Draft, User
from lms.services import authoring
from lms.state import db_session

from support import SAMPLE_COURSES, csrf_from, make_editor

LESSON = "01-basics/02-speed.md"
EDIT = f"/training/author/sample/edit?path={LESSON}"
PREVIEW = f"/training/author/sample/preview?path={LESSON}"
MB = 1_000_000


# -- helpers ----------------------------------------------------------------------------------
def sample_files(slug: str = "sample", change: str = "") -> dict[str, bytes]:
    files = {f"{slug}/{p.relative_to(SAMPLE_COURSES / 'sample').as_posix()}": p.read_bytes()
             for p in (SAMPLE_COURSES / "sample").rglob("*") if p.is_file()}
    if change:
        files[f"{slug}/{LESSON}"] = files[f"{slug}/{LESSON}"] + change.encode()
    return files


def make_zip(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return buffer.getvalue()


def declare_sizes(data: bytes, sizes: dict[str, int]) -> bytes:
    """The zip with the uncompressed sizes its headers declare replaced (the data is left as it is)."""
    out = bytearray(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    central = data.index(b"PK\x01\x02")
    for info in archive.infolist():
        if info.filename not in sizes:
            continue
        out[info.header_offset + 22:info.header_offset + 26] = struct.pack("<I", sizes[info.filename])
        position = data.index(b"PK\x01\x02", central)
        while data[position + 46:position + 46 + len(info.filename)] != info.filename.encode():
            position = data.index(b"PK\x01\x02", position + 4)
        out[position + 24:position + 28] = struct.pack("<I", sizes[info.filename])
    return bytes(out)


def import_zip(client, auth, data: bytes, follow: bool = True):
    token = auth.csrf("/training/author/")
    return client.post("/training/author/import", content_type="multipart/form-data", follow_redirects=follow,
                       data={"csrf_token": token, "file": (io.BytesIO(data), "course.zip")})


def count(app, model, *where) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count()).select_from(model).where(*where))


def slugs(app) -> set[str]:
    with app.app_context():
        return set(db_session().scalars(select(Course.slug)))


@pytest.fixture
def trainer(auth):
    return auth.as_role("trainer")


@pytest.fixture
def editor(app, auth, sample_course):
    email = auth.as_role("trainer")
    make_editor(app, "sample", email)
    return email


# -- 5. zip bombs ---------------------------------------------------------------------------------
def test_a_zip_bomb_is_refused_before_anything_is_unpacked(client, auth, app, trainer, monkeypatch):
    bomb = sample_files("bomb")
    bomb.update({f"bomb/01-basics/images/{n:02}.png": bytes(5 * MB) for n in range(40)})
    data = make_zip(bomb)
    assert len(data) < 400_000  # 200 MB of "images" in a few hundred kilobytes

    def unpacked(*args, **kwargs):
        raise AssertionError("an entry of a refused archive was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "open", unpacked)
    page = import_zip(client, auth, data).get_data(as_text=True)
    assert "Архив отклонён" in page and "zip-бомбы" in page
    assert "bomb" not in slugs(app)


def test_declared_sizes_over_the_total_are_refused_without_reading(client, auth, app, trainer, monkeypatch):
    files = sample_files("huge")
    padding = {f"huge/01-basics/{n:02}-notes.md": b"---\ntitle: x\n---\n" for n in range(60)}
    data = declare_sizes(make_zip({**files, **padding}), {name: MB for name in padding})  # 60 MB declared
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("read a refused archive"))
    page = import_zip(client, auth, data).get_data(as_text=True)
    assert "в распакованном виде его файлы занимают больше 50 МБ" in page
    assert "huge" not in slugs(app)


def test_one_entry_over_its_type_limit_is_refused(client, auth, app, trainer):
    files = sample_files("big")
    data = declare_sizes(make_zip(files), {f"big/{LESSON}": 3 * MB})
    page = import_zip(client, auth, data).get_data(as_text=True)
    assert f"«big/{LESSON}» занимает 3 МБ, а для файлов этого типа допустимо не больше 1 МБ." in page
    assert "big" not in slugs(app)


def test_an_entry_that_lies_about_its_size_is_refused_as_damaged(client, auth, app, trainer):
    files = sample_files("liar")
    files["liar/01-basics/03-long.md"] = b"---\ntitle: x\n---\n" + b"a" * 100_000
    data = declare_sizes(make_zip(files), {"liar/01-basics/03-long.md": 20})
    response = import_zip(client, auth, data)
    assert response.status_code == 200
    assert "Архив повреждён: «liar/01-basics/03-long.md» не читается." in response.get_data(as_text=True)
    assert "liar" not in slugs(app)


def test_too_many_entries_are_refused_from_the_end_record(client, auth, app, trainer, monkeypatch):
    data = make_zip({f"many/f{n}.md": b"" for n in range(2_001)}, zipfile.ZIP_STORED)
    monkeypatch.setattr(zipfile.ZipFile, "__init__", lambda *a, **k: pytest.fail("listed a refused archive"))
    page = import_zip(client, auth, data).get_data(as_text=True)
    assert "В архиве слишком много файлов: в курсе их может быть не больше 2000." in page
    assert "many" not in slugs(app)


@pytest.mark.parametrize("name", [
    "sample/../evil/course.md",
    "sample/01-basics/../../../evil.md",
    "sample/01-basics/../02-practice/evil.md",
    "../evil.md",
    "/etc/evil.md",
    "sample/01-basics\\..\\..\\evil.md",
])
def test_paths_that_leave_the_course_folder_are_refused(client, auth, app, trainer, name):
    files = sample_files("sample")
    files[name] = b"---\ntitle: x\n---\n"
    page = import_zip(client, auth, make_zip(files)).get_data(as_text=True)
    assert "Архив отклонён" in page and "ведёт за пределы папки курса" in page
    assert slugs(app) == set()


def test_a_link_inside_the_zip_is_refused(client, auth, app, trainer):
    files = sample_files("linked")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        link = zipfile.ZipInfo("linked/01-basics/images/secret.png")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
    page = import_zip(client, auth, buffer.getvalue()).get_data(as_text=True)
    assert "«linked/01-basics/images/secret.png» — это ссылка" in page
    assert "linked" not in slugs(app)


def test_a_zip_over_its_size_limit_is_refused_with_its_size(client, auth, app, trainer):
    page = import_zip(client, auth, bytes(20_500_000)).get_data(as_text=True)
    assert "Файл занимает 20,5 МБ, а допустимо не больше 20 МБ." in page
    assert slugs(app) == set()


def test_a_normal_course_zip_still_imports(client, auth, app, trainer):
    response = import_zip(client, auth, make_zip(sample_files("copy")), follow=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/training/author/copy/")
    assert "copy" in slugs(app)


# -- 12. size limits --------------------------------------------------------------------------------
def test_a_20_mb_draft_is_refused_with_a_message_and_nothing_is_saved(client, auth, app, editor):
    token = auth.csrf(EDIT)
    response = client.post(EDIT, data={"csrf_token": token, "text": "a" * 20 * MB, "action": "save"})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Текст занимает 20 МБ, а допустимо не больше 1 МБ." in page
    assert count(app, Draft) == 0


def test_a_long_lesson_under_the_limit_saves_and_previews(client, auth, app, editor):
    """900 kB of Cyrillic: above Werkzeug's 500 kB per form field, within LMS_MAX_TEXT_BYTES."""
    token = auth.csrf(EDIT)
    text = "---\ntitle: Долгий урок\n---\n" + "Слово. " * 78_000
    assert 0.9 * MB < len(text.encode()) < MB
    preview = client.post(PREVIEW, data={"text": text}, headers={"X-CSRFToken": token},
                          content_type="multipart/form-data")  # as the editor's script sends it
    assert preview.status_code == 200 and "Слово." in preview.get_json()["html"]
    saved = client.post(EDIT, data={"csrf_token": token, "text": text, "action": "save"})
    assert saved.status_code == 302 and count(app, Draft) == 1


def test_a_preview_over_the_text_limit_gets_a_message(client, auth, app, editor):
    token = auth.csrf(EDIT)
    response = client.post(PREVIEW, data={"text": "a" * (MB + 1)}, headers={"X-CSRFToken": token})
    assert response.status_code == 413
    assert response.get_json()["problems"][0]["message"] == ("Текст больше 1 МБ. Сократите его или разделите "
                                                             "на несколько файлов.")


def test_a_50_mb_preview_is_refused_before_its_body_is_read(client, auth, app, editor):
    body = io.BytesIO(b"text=" + b"a" * 1000)  # the client announces 50 MB; the server reads none of it
    response = client.post(PREVIEW, input_stream=body, content_type="application/x-www-form-urlencoded",
                           environ_overrides={"CONTENT_LENGTH": str(50 * MB)})
    assert response.status_code == 413
    assert body.tell() == 0
    assert "Файл слишком большой" in response.get_data(as_text=True)


def test_a_100_mb_upload_is_refused_with_a_clear_page(client, auth, app, editor):
    body = io.BytesIO(b"--x\r\n")
    response = client.post("/training/author/sample/upload", input_stream=body,
                           content_type="multipart/form-data; boundary=x",
                           environ_overrides={"CONTENT_LENGTH": str(100 * MB)})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Файл слишком большой" in page and "всего не более 21 МБ" in page
    assert body.tell() == 0 and count(app, Draft) == 0


class Endless(io.RawIOBase):
    """A request body sent without a Content-Length (chunked) that goes on and on (100 MB, as a safety net)."""

    def __init__(self):
        self.sent = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        return 0  # the test client asks for the length; a chunked body has none

    def readinto(self, buffer):
        size = min(len(buffer), 64 * 1024, 100 * MB - self.sent)
        buffer[:size] = b"a" * size
        self.sent += size
        return size


def chunked(client, url, body):
    return client.post(url, input_stream=body, content_type="application/x-www-form-urlencoded",
                       environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"})


def test_a_body_without_content_length_is_cut_off_at_the_plugin_limit(client, auth, app, editor):
    app.config["MAX_CONTENT_LENGTH"] = None  # a host that sets no limit of its own...
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # ...and does not read the form before the plugin
    body = Endless()
    response = chunked(client, PREVIEW, body)
    # read no further than the limit; what was read is refused (no CSRF token in it), nothing saved
    assert body.sent <= app.config["LMS_MAX_REQUEST_BYTES"] + 64 * 1024
    assert response.status_code in (400, 413) and count(app, Draft) == 0


def test_the_standalone_site_cuts_off_any_body_without_content_length(client, app):
    body = Endless()
    assert chunked(client, "/login", body).status_code in (400, 413)
    assert body.sent <= app.config["MAX_CONTENT_LENGTH"] + 64 * 1024


def test_an_image_over_5_mb_is_refused_with_its_size(client, auth, app, editor):
    token = auth.csrf("/training/author/sample/")
    data = b"\x89PNG\r\n\x1a\n" + bytes(6 * MB)
    page = client.post("/training/author/sample/upload", content_type="multipart/form-data", follow_redirects=True,
                       data={"csrf_token": token, "path": "images", "file": (io.BytesIO(data), "big.png")}
                       ).get_data(as_text=True)
    assert "Файл занимает 6 МБ, а допустимо не больше 5 МБ." in page
    assert count(app, Draft) == 0


def test_a_staff_file_over_10_mb_is_refused_and_nobody_is_imported(client, auth, app):
    auth.as_role("hr")
    rows = "".join(f"Сотрудник {n},person{n}@example.com,Продажи\n" for n in range(260_000))
    data = ("name,email,department\n" + rows).encode()
    assert len(data) > 10 * MB
    response = client.post("/training/people/import", content_type="multipart/form-data", data={
        "csrf_token": auth.csrf("/training/people/import"), "file": (io.BytesIO(data), "staff.csv")})
    assert response.status_code == 413
    assert "Файл больше 10 МБ. Разделите его на файлы поменьше и импортируйте их по очереди." in \
        response.get_data(as_text=True)
    assert count(app, User) == 1  # HR alone


def test_the_plugin_leaves_the_hosts_flask_limits_alone(tmp_path):
    host = Flask("host", root_path=str(tmp_path))
    host.config.update(SECRET_KEY="x", LMS_DATABASE_URI=f"sqlite:///{tmp_path / 'lms.sqlite'}")
    before = {key: host.config.get(key) for key in ("MAX_CONTENT_LENGTH", "MAX_FORM_MEMORY_SIZE", "MAX_FORM_PARTS")}
    LMS(host)
    assert {key: host.config.get(key) for key in before} == before
    assert host.config["LMS_MAX_REQUEST_BYTES"] == 21 * MB


def test_the_standalone_site_caps_every_body(app):
    assert app.config["MAX_CONTENT_LENGTH"] == app.config["LMS_MAX_REQUEST_BYTES"]


# -- 20. course editors ----------------------------------------------------------------------------
ROLES = {  # who signs in -> (roles, made an editor of the sample course)
    "editor": (("trainer",), True),
    "other trainer": (("trainer",), False),
    "admin": (("admin",), False),
    "hr": (("hr",), False),
    "learner": (("learner",), False),
}
ALLOWED = {"editor", "admin"}


def state(app) -> tuple[int, int, int]:
    return (count(app, CourseVersion), count(app, Draft), count(app, CourseEditor))


def do_view(client, token):
    return client.get("/training/author/sample/")


def do_versions(client, token):
    return client.get("/training/author/sample/versions?a=1&b=2")


def do_edit(client, token):
    return client.post(EDIT, data={"csrf_token": token, "action": "save", "text": "---\ntitle: Взлом\n---\nЧужой.\n"})


def do_publish(client, token):
    return client.post("/training/author/sample/publish", data={"csrf_token": token, "note": "Взлом"})


def do_rollback(client, token):
    return client.post("/training/author/sample/rollback", data={"csrf_token": token, "number": "1"})


def do_import(client, token):
    return client.post("/training/author/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(make_zip(sample_files(change="\nПодменено.\n"))), "sample.zip")})


def do_export(client, token):
    return client.get("/training/author/sample/export.zip?draft=1")


def do_add_editor(client, token):
    return client.post("/training/author/sample/editors", data={"csrf_token": token, "email": "new@example.com"})


ACTIONS = {"view drafts": do_view, "versions": do_versions, "edit": do_edit, "publish": do_publish,
           "rollback": do_rollback, "import-overwrite": do_import, "export": do_export,
           "manage editors": do_add_editor}


@pytest.fixture
def two_versions_and_a_draft(app, sample_course):
    """Version 2 of the sample course (something to roll back from) and a draft of another lesson."""
    with app.app_context():
        session = db_session()
        course = session.scalar(select(Course).where(Course.slug == "sample"))
        text = (SAMPLE_COURSES / "sample" / LESSON).read_bytes() + "\nВерсия 2.\n".encode()
        authoring.save_draft(session, course, LESSON, text, None)
        authoring.publish(session, course, authoring.Limits(), None)
        welcome = (SAMPLE_COURSES / "sample" / "01-basics/01-welcome.md").read_bytes()
        authoring.save_draft(session, course, "01-basics/01-welcome.md", welcome + b"\nSecret draft.\n", None)
        session.commit()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", ROLES)
def test_only_editors_and_admins_touch_a_course(client, auth, app, two_versions_and_a_draft, who, action):
    auth.create("new@example.com", "Новый тренер", ("trainer",))
    roles, is_editor = ROLES[who]
    email = f"{who.replace(' ', '-')}@example.com"
    auth.create(email, who.title(), roles)
    if is_editor:
        make_editor(app, "sample", email)
    assert auth.login(email).status_code == 302
    token = auth.csrf()
    before = state(app)
    response = ACTIONS[action](client, token)
    after = state(app)
    if who in ALLOWED:
        assert response.status_code in (200, 302), response.status_code
        if action in ("view drafts", "versions", "export"):
            assert response.status_code == 200 and after == before
            if action == "view drafts":
                assert "change-changed" in response.get_data(as_text=True)
        else:
            assert after != before, "the action changed nothing"
    else:
        assert after == before, "a refused action wrote something"
        body = response.get_data(as_text=True)
        if action == "import-overwrite" and who == "other trainer":
            message = client.get("/training/author/").get_data(as_text=True)
            assert response.status_code == 302 and "и вы не его редактор, поэтому архив не может его заменить" in message
        else:
            assert response.status_code == 403, response.status_code
            assert "change-changed" not in body and "Secret draft" not in body
        if who == "other trainer" and action != "import-overwrite":
            assert "Вы не редактор этого курса" in body


def test_the_creator_of_a_course_edits_it_and_other_trainers_do_not_see_it(client, auth, app):
    auth.create("other@example.com", "Другой", ("trainer",))
    auth.as_role("trainer")
    token = auth.csrf("/training/author/")
    client.post("/training/author/new", data={"csrf_token": token, "slug": "mine", "title": "Мой курс",
                                              "language": "ru"})
    assert "/training/author/mine/" in client.get("/training/author/").get_data(as_text=True)
    auth.logout()
    auth.login("other@example.com")
    assert "/training/author/mine/" not in client.get("/training/author/").get_data(as_text=True)
    assert client.get("/training/author/mine/").status_code == 403
    auth.logout()
    auth.as_role("admin")
    assert "/training/author/mine/" in client.get("/training/author/").get_data(as_text=True)
    with app.app_context():
        entry = db_session().scalar(select(AuditEntry).where(AuditEntry.action == "course.editor_added"))
        assert entry.target == "mine" and entry.details["reason"] == "created"


def test_a_zip_import_makes_the_importer_an_editor_but_the_command_line_makes_none(client, auth, app, runner):
    assert runner.invoke(args=["lms", "courses", "import", str(SAMPLE_COURSES)]).exit_code == 0
    auth.as_role("trainer")
    import_zip(client, auth, make_zip(sample_files("copy")))
    index = client.get("/training/author/").get_data(as_text=True)
    assert "/training/author/copy/" in index and "/training/author/sample/" not in index
    assert count(app, CourseEditor) == 1


def test_editors_add_trainers_by_email_and_remove_them_after_confirming(client, auth, app, editor):
    auth.create("colleague@example.com", "Коллега", ("trainer",))
    auth.create("learner@example.com", "Ученик", ("learner",))
    token = auth.csrf("/training/author/sample/")
    add = "/training/author/sample/editors"
    page = client.post(add, data={"csrf_token": token, "email": "learner@example.com"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Тренера или администратора с электронной почтой learner@example.com нет." in page
    page = client.post(add, data={"csrf_token": token, "email": "nobody@example.com"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Тренера или администратора с электронной почтой nobody@example.com нет." in page
    page = client.post(add, data={"csrf_token": token, "email": "Colleague@Example.com "},
                       follow_redirects=True).get_data(as_text=True)
    assert "Теперь Коллега может редактировать этот курс." in page
    assert count(app, CourseEditor) == 2

    with app.app_context():
        colleague = db_session().scalar(select(User.id).where(User.email == "colleague@example.com"))
    remove = f"/training/author/sample/editors/{colleague}/remove"
    confirm = client.get(remove).get_data(as_text=True)
    assert "Исключить Коллега из редакторов курса sample?" in confirm and count(app, CourseEditor) == 2
    page = client.post(remove, data={"csrf_token": csrf_from(confirm)}, follow_redirects=True).get_data(as_text=True)
    assert "Коллега больше не редактирует этот курс." in page
    assert count(app, CourseEditor) == 1
    with app.app_context():
        actions = list(db_session().scalars(select(AuditEntry.action).where(AuditEntry.target == "sample",
                                                                      AuditEntry.action.like("course.editor%"))
                                            .order_by(AuditEntry.id)))
    assert actions == ["course.editor_added", "course.editor_removed"]


def test_the_last_editor_stays_unless_an_admin_removes_them(client, auth, app, editor):
    with app.app_context():
        me = db_session().scalar(select(User.id).where(User.email == editor))
    remove = f"/training/author/sample/editors/{me}/remove"
    confirm = client.get(remove).get_data(as_text=True)
    assert "Последнего редактора исключить нельзя" in confirm
    page = client.post(remove, data={"csrf_token": csrf_from(confirm)}, follow_redirects=True).get_data(as_text=True)
    assert "Последнего редактора исключить нельзя" in page and count(app, CourseEditor) == 1
    auth.logout()
    auth.as_role("admin")
    token = auth.csrf(remove)
    assert client.post(remove, data={"csrf_token": token}).status_code == 302
    assert count(app, CourseEditor) == 0
