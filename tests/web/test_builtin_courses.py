"""The built-in courses in courses/ pass the checker and import."""
from support import ROOT

COURSES = ROOT / "courses"


def test_builtin_courses_pass_the_checker(runner):
    result = runner.invoke(args=["lms", "courses", "check", str(COURSES)])
    assert result.exit_code == 0, result.output
    assert "OK service-excellence: 3 language(s)" in result.output


def test_builtin_course_has_five_modules_with_two_to_four_lessons_each(runner):
    from lms.core.content import load_directory

    (course,), problems = load_directory(COURSES)
    assert problems == []
    for language in ("ru", "en"):
        modules = course.editions[language].modules
        assert [m.slug for m in modules] == [
            "01-formula", "02-three-keys", "03-proposal", "04-keeping-your-word", "05-outstanding-experience"]
        for module in modules:
            lessons = [a for a in module.activities if a.kind == "lesson"]
            assert 2 <= len(lessons) <= 4, (language, module.slug)
            assert all(a.language == language for a in lessons), (language, module.slug)
    arabic = {m.slug: m for m in course.editions["ar"].modules}
    assert all(a.language == "ar" for a in arabic["02-three-keys"].activities if a.kind == "lesson")


def test_builtin_courses_import(runner):
    result = runner.invoke(args=["lms", "courses", "import", str(COURSES)])
    assert result.exit_code == 0 and "Imported service-excellence: version 1" in result.output
