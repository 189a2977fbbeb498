"""`flask lms ...` commands: what an admin sees and what ends up in the database."""
import shutil

from sqlalchemy import func, select

from lms.models import Assignment, Course, CourseVersion, Group
from lms.state import db_session

from support import SAMPLE_COURSES


def count(app, model):
    with app.app_context():
        return db_session().scalar(select(func.count()).select_from(model))


def test_init_reports_the_database_is_up_to_date(runner):
    from alembic.script import ScriptDirectory

    from lms.migrate import PLUGIN_MIGRATIONS

    head = ScriptDirectory(str(PLUGIN_MIGRATIONS)).get_current_head()
    result = runner.invoke(args=["lms", "init"])
    assert result.exit_code == 0
    assert f"Database is up to date (revision {head})" in result.output


def test_check_prints_path_line_message_and_exits_1(runner, tmp_path):
    shutil.copytree(SAMPLE_COURSES, tmp_path / "courses")
    lesson = tmp_path / "courses" / "sample" / "01-basics" / "02-speed.md"
    lesson.write_text(lesson.read_text() + "\nСм. [урок](03-missing.md)\n")
    (tmp_path / "courses" / "sample" / "01-basics" / "03-old.md").write_bytes("---\ntitle: Старый\n---\nТекст\n".encode("cp1251"))
    result = runner.invoke(args=["lms", "courses", "check", str(tmp_path / "courses")])
    assert result.exit_code == 1
    root = str(tmp_path / "courses")
    assert f"{root}/sample/01-basics/02-speed.md:10: link to '03-missing.md' points to no lesson or image of this course" in result.output
    assert f"{root}/sample/01-basics/03-old.md:2: file is not UTF-8 (it looks like Windows-1251)" in result.output


def test_check_passes_on_good_content(runner):
    result = runner.invoke(args=["lms", "courses", "check", str(SAMPLE_COURSES)])
    assert result.exit_code == 0, result.output
    assert "OK sample: 3 language(s)" in result.output


def test_import_is_atomic_and_idempotent_and_versions_changes(app, runner, tmp_path):
    courses = tmp_path / "courses"
    shutil.copytree(SAMPLE_COURSES, courses)
    broken = courses / "sample" / "02-practice" / "01-checklist.md"
    good_text = broken.read_text()
    broken.write_text("---\ntitle: [unclosed\n---\n")
    result = runner.invoke(args=["lms", "courses", "import", str(courses)])
    assert result.exit_code == 1 and "nothing was imported" in result.output
    assert count(app, Course) == 0 and count(app, CourseVersion) == 0

    broken.write_text(good_text)
    first = runner.invoke(args=["lms", "courses", "import", str(courses)])
    assert "Imported sample: version 1" in first.output
    again = runner.invoke(args=["lms", "courses", "import", str(courses)])
    assert "Unchanged sample: still version 1" in again.output
    assert count(app, CourseVersion) == 1

    broken.write_text(good_text + "\n- [ ] Поблагодарил\n")
    changed = runner.invoke(args=["lms", "courses", "import", str(courses)])
    assert "Imported sample: version 2" in changed.output
    assert count(app, CourseVersion) == 2


def test_export_writes_the_same_files_back(runner, sample_course, tmp_path):
    result = runner.invoke(args=["lms", "courses", "export", "sample", str(tmp_path)])
    assert result.exit_code == 0, result.output
    original = sorted(p.relative_to(SAMPLE_COURSES / "sample") for p in (SAMPLE_COURSES / "sample").rglob("*") if p.is_file())
    exported = sorted(p.relative_to(tmp_path / "sample") for p in (tmp_path / "sample").rglob("*") if p.is_file())
    assert original == exported
    for path in original:
        assert (tmp_path / "sample" / path).read_bytes() == (SAMPLE_COURSES / "sample" / path).read_bytes()


def test_export_of_unknown_course_fails_clearly(runner, tmp_path):
    result = runner.invoke(args=["lms", "courses", "export", "nope", str(tmp_path)])
    assert result.exit_code == 1 and "no course 'nope'" in result.output


def test_users_create_reads_password_from_stdin_and_login_works(runner, auth):
    result = runner.invoke(args=["lms", "users", "create", "Trainer@Example.com", "--name", "Игорь", "--role", "trainer"],
                           input="s3cret-password\n")
    assert result.exit_code == 0, result.output
    assert "User trainer@example.com (trainer) is ready." in result.output
    assert "Password:" not in result.output
    assert auth.login("trainer@example.com", "s3cret-password").status_code == 302


def test_users_create_generates_a_password_when_none_is_given(runner, auth):
    result = runner.invoke(args=["lms", "users", "create", "a@example.com", "--name", "A"], input="\n")
    assert result.exit_code == 0
    password = result.output.split("Password: ")[1].strip()
    assert len(password) >= 12
    assert auth.login("a@example.com", password).status_code == 302


def test_users_create_refuses_bad_input(runner):
    bad_email = runner.invoke(args=["lms", "users", "create", "not-an-email", "--name", "A"], input="longpassword\n")
    assert bad_email.exit_code == 1 and "is not an e-mail address" in bad_email.output
    short = runner.invoke(args=["lms", "users", "create", "a@example.com", "--name", "A"], input="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    role = runner.invoke(args=["lms", "users", "create", "a@example.com", "--name", "A", "--role", "boss"])
    assert role.exit_code == 2


def test_assign_to_person_and_group_with_due_date(app, runner, auth, sample_course):
    auth.create("learner@example.com")
    person = runner.invoke(args=["lms", "assign", "sample", "--to", "learner@example.com", "--due", "2031-01-31"])
    assert person.exit_code == 0 and "Assigned sample to learner@example.com, due 2031-01-31" in person.output
    with app.app_context():
        db_session().add(Group(name="Магазин на Тверской", kind="store"))
        db_session().commit()
    group = runner.invoke(args=["lms", "assign", "sample", "--to", "Магазин на Тверской"])
    assert group.exit_code == 0 and "Assigned sample to group Магазин на Тверской" in group.output
    assert count(app, Assignment) == 2


def test_assign_refuses_unknown_course_person_and_bad_date(runner, sample_course):
    assert "no course 'nope'" in runner.invoke(args=["lms", "assign", "nope", "--to", "x@example.com"]).output
    unknown = runner.invoke(args=["lms", "assign", "sample", "--to", "ghost@example.com"])
    assert unknown.exit_code == 1 and "neither a known user's e-mail nor a group's name" in unknown.output
    bad = runner.invoke(args=["lms", "assign", "sample", "--to", "ghost@example.com", "--due", "31.12.2030"])
    assert bad.exit_code == 1 and "write it as YYYY-MM-DD" in bad.output


def test_demo_creates_an_account_for_each_role(runner, sample_course, auth):
    result = runner.invoke(args=["lms", "demo"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[1]: line.split()[2] for line in result.output.splitlines() if "@example.com" in line}
    assert set(lines) >= {"learner@example.com", "trainer@example.com", "hr@example.com", "admin@example.com"}
    assert auth.login("hr@example.com", lines["hr@example.com"]).status_code == 302
