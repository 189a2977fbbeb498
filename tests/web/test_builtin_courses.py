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


def test_every_module_has_a_quiz_and_a_role_play_of_the_required_size_in_every_language():
    from lms.core.content import load_directory
    from lms.core.quiz import Quiz
    from lms.core.scenario import ENDING, Scenario, check_scenario

    (course,), _problems = load_directory(COURSES)
    free_text = False
    for language, edition in course.editions.items():
        for module in edition.modules:
            translated = language in ("ru", "en") or module.slug == "02-three-keys"
            quizzes = [a for a in module.activities if a.kind == "quiz"]
            scenarios = [a for a in module.activities if a.kind == "scenario"]
            assert len(quizzes) == 1 and scenarios, (language, module.slug)
            if translated:
                assert {a.language for a in quizzes + scenarios} == {language}, (language, module.slug)
            quiz = Quiz.from_dict(quizzes[0].data)
            assert len(quiz.questions) >= 8 and len({q.type for q in quiz.questions}) >= 4, module.slug
            for activity in scenarios:
                scenario = Scenario.from_dict(activity.data)
                endings = [s for s in scenario.steps if s.kind == ENDING]
                assert len(scenario.steps) - len(endings) >= 8 and len(endings) >= 3, (language, activity.key)
                uses_state = any(link.condition for s in scenario.steps for link in (*s.replies, *s.routes))
                assert uses_state, f"{activity.key} has no condition on state"
                assert check_scenario(scenario).errors == (), activity.key
                free_text = free_text or any(s.kind == "text" and s.rubric for s in scenario.steps)
    assert free_text, "at least one built-in scenario has a free-text turn with a rubric"


def test_builtin_courses_import(runner):
    result = runner.invoke(args=["lms", "courses", "import", str(COURSES)])
    assert result.exit_code == 0 and "Imported service-excellence: version 1" in result.output
