"""Untrusted course content through the CLI, the zip reader, the editor's live preview and the file route."""
import io
import re
import shutil
import stat
import zipfile

import pytest
from sqlalchemy import func, select

from lms.models import Course, CourseVersion
from lms.state import db_session

from support import SAMPLE_COURSES, csrf_from
from support.content import COUNTER_LOOP

SECRET = b"super-secret-signing-key-0123456789"
LESSON = "01-basics/02-speed.md"



def count(app, column) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count(column)))


@pytest.fixture
def courses(tmp_path):
    """A copy of the sample courses, with a secret key in a folder beside it."""
    root = tmp_path / "courses"
    shutil.copytree(SAMPLE_COURSES, root)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret_key").write_bytes(SECRET)
    return root


def link_the_image_to_the_secret(courses):
    image = courses / "sample" / "01-basics" / "images" / "smile.png"
    image.unlink()
    image.symlink_to(courses.parent / "elsewhere" / "secret_key")
    return f"{courses}/sample/01-basics/images/smile.png:0: is a symbolic link"


def test_import_refuses_an_image_linked_to_the_secret_key_and_writes_nothing(app, runner, courses):
    expected = link_the_image_to_the_secret(courses)
    result = runner.invoke(args=["lms", "courses", "import", str(courses)])
    assert result.exit_code == 1 and "nothing was imported" in result.output
    assert expected in result.output
    assert count(app, Course.id) == 0 and count(app, CourseVersion.id) == 0


def test_check_refuses_a_linked_image_and_a_linked_folder(runner, courses, tmp_path):
    expected = link_the_image_to_the_secret(courses)
    outside = tmp_path / "outside"
    shutil.move(courses / "sample" / "02-practice", outside)
    (courses / "sample" / "02-practice").symlink_to(outside, target_is_directory=True)
    result = runner.invoke(args=["lms", "courses", "check", str(courses)])
    assert result.exit_code == 1
    assert expected in result.output
    assert f"{courses}/sample/02-practice:0: is a symbolic link" in result.output


def test_check_fails_on_a_scenario_whose_only_ending_is_beyond_a_counter_loop(runner, courses):
    (courses / "sample" / "02-practice" / "02-call.md").write_text(COUNTER_LOOP, encoding="utf-8")
    result = runner.invoke(args=["lms", "courses", "check", str(courses)])
    assert result.exit_code == 1, result.output
    where = f"{courses}/sample/02-practice/02-call.md"
    assert f"{where}:13: ending 'end' was not reached in the 100000 states explored" in result.output
    assert f"{where}:4: 'pass: outcomes' names 'ok', but no run can reach an ending" in result.output
    assert f"{where}:0: warning: stopped after exploring 100000 states" in result.output


def test_check_prints_warnings_and_still_passes(runner, courses):
    call = courses / "sample" / "02-practice" / "02-call.md"
    text = call.read_text(encoding="utf-8")
    first_reply = re.search(r"(?m)^- \[[^\]]+\]\(#[\w-]+\).*$", text).group(0)
    call.write_text(text.replace(first_reply, first_reply + "\n- [Никогда](#" +
                                 re.search(r"\(#([\w-]+)\)", first_reply).group(1) + ") if points > 99", 1),
                    encoding="utf-8")
    result = runner.invoke(args=["lms", "courses", "check", str(courses)])
    assert result.exit_code == 0, result.output
    assert re.search(rf"{re.escape(str(call))}:\d+: warning: reply 'Никогда' is never offered", result.output)
    assert "OK sample:" in result.output


def make_zip(entries: list[tuple[str, bytes, int | None]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.create_system = 3
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def test_a_zip_entry_that_is_a_link_is_refused():
    from lms.core.content import Limits
    from lms.services.authoring import AuthoringError, unzip_course

    files = [(f"sample/{p.relative_to(SAMPLE_COURSES / 'sample').as_posix()}", p.read_bytes(), None)
             for p in sorted((SAMPLE_COURSES / "sample").rglob("*")) if p.is_file()]
    unzip_course(make_zip(files), Limits())  # the same files as plain entries are fine
    linked = [(name, b"../../instance/secret_key", stat.S_IFLNK | 0o777) if name.endswith("smile.png")
              else (name, data, mode) for name, data, mode in files]
    with pytest.raises(AuthoringError) as refused:
        unzip_course(make_zip(linked), Limits())
    assert refused.value.code == "zip_link" and refused.value.params["name"].endswith("images/smile.png")


def test_live_preview_refuses_yaml_aliases(client, auth, sample_course):
    auth.as_role("admin")
    token = csrf_from(client.get(f"/training/author/sample/edit?path={LESSON}").get_data(as_text=True))
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 5)]
    bomb = "---\ntitle: Скорость\n" + "\n".join(lines) + "\n---\nТекст урока.\n"
    response = client.post(f"/training/author/sample/preview?path={LESSON}", data={"text": bomb},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    problems = response.get_json()["problems"]
    assert [(p["line"], p["code"]) for p in problems] == [(3, "front-matter.aliases")]
    assert "якоря и псевдонимы YAML (& и *)" in problems[0]["message"]  # the trainer's language (ru)


def test_a_stored_file_that_is_not_the_image_its_name_says_is_never_served(app, client, auth):
    from lms.core.content import load_directory
    from lms.services.content import store_version

    with app.app_context():
        (content,), problems = load_directory(SAMPLE_COURSES)
        assert problems == []
        # as a version imported before images were checked could hold
        content.files["01-basics/images/smile.png"] = SECRET
        store_version(db_session(), content)
        db_session().commit()
        token = content.content_hash[:12]
    auth.as_role("learner")
    response = client.get(f"/training/courses/sample/files/{token}/01-basics/images/smile.png")
    assert response.status_code == 404 and SECRET not in response.data
