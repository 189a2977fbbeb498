"""A lesson's ``objectives:`` (what the learner will be able to do), parsed and checked without an app."""
import pytest

from lms.activities import get
from lms.activities.lesson import content as lesson
from lms.core.content import load_course

COURSE = "---\ntitle: Курс\nlanguage: ru\nmodules: [01-m]\n---\n"
EDITION = "---\ntitle: Course\n---\n"


def course_with(lesson_file: str, translation: str | None = None) -> dict[str, bytes]:
    files = {"course.md": COURSE, "01-m/module.md": "---\ntitle: Модуль\n---\n", "01-m/01-a.md": lesson_file}
    if translation is not None:
        files |= {"course.en.md": EDITION, "01-m/01-a.en.md": translation}
    return {path: text.encode() for path, text in files.items()}


def first_lesson(files: dict[str, bytes], language: str = "ru"):
    course, problems = load_course("demo", files, "c")
    assert problems == []
    return course.editions[language].activities()[0]


def test_objectives_are_parsed_in_order_stripped_and_kept_with_the_lesson():
    lesson_file = ("---\ntitle: Формула\nobjectives:\n  - Считать удовлетворённость клиента  \n"
                   "  - Отличать ожидания от реальности\n---\nТекст.\n")
    parsed = first_lesson(course_with(lesson_file))
    assert parsed.data["objectives"] == ["Считать удовлетворённость клиента", "Отличать ожидания от реальности"]


def test_a_translation_carries_its_own_objectives_and_a_lesson_without_them_has_none():
    original = "---\ntitle: Формула\nobjectives: [Считать удовлетворённость]\n---\nТекст.\n"
    translation = "---\ntitle: The formula\nobjectives: [Work out a customer's satisfaction]\n---\nText.\n"
    files = course_with(original, translation)
    assert first_lesson(files, "en").data["objectives"] == ["Work out a customer's satisfaction"]
    assert first_lesson(files, "ru").data["objectives"] == ["Считать удовлетворённость"]
    untranslated = course_with(original, "---\ntitle: The formula\n---\nText.\n")
    assert "objectives" not in first_lesson(untranslated, "en").data  # never the original's Russian lines


@pytest.mark.parametrize("value", ["Считать удовлетворённость", "[]", "{first: Считать}",
                                   "[a, b, c, d, e, f]", "42"])
def test_objectives_that_are_not_a_list_of_one_to_five_are_reported_at_their_line(value):
    files = course_with(f"---\ntitle: Формула\nminutes: 3\nobjectives: {value}\n---\nТекст.\n")
    course, problems = load_course("demo", files, "c")
    assert [(p.path, p.line, p.code, p.arguments) for p in problems] == [
        ("c/01-m/01-a.md", 4, lesson.BAD_OBJECTIVES, {"max": 5})]
    assert "'objectives:' must be a list of 1 to 5 lines" in problems[0].message
    assert course is not None  # a problem to fix, reported; the lesson itself still reads


@pytest.mark.parametrize(("item", "why"), [('""', "empty"), ("'   '", "blank"), ("x" * 201, "too long"),
                                           ("[nested, list]", "not text"), ("7", "a number"),
                                           ("|\n    two\n    lines", "two lines")])
def test_a_bad_objective_is_reported_with_its_number_and_line(item, why):
    files = course_with(f"---\ntitle: Формула\nobjectives:\n  - Считать удовлетворённость\n  - {item}\n---\nТекст.\n")
    _course, problems = load_course("demo", files, "c")
    assert [(p.line, p.code, p.arguments) for p in problems] == [
        (5, lesson.BAD_OBJECTIVE, {"num": 2, "chars": 200})], why
    assert problems[0].message == "objective 2 must be a line of text of 1 to 200 characters"


def test_two_hundred_characters_is_still_one_objective():
    files = course_with(f"---\ntitle: Формула\nobjectives:\n  - {'я' * 200}\n---\nТекст.\n")
    assert first_lesson(files).data["objectives"] == ["я" * 200]


def test_the_objectives_are_part_of_the_text_a_version_comparison_shows():
    kind = get("lesson")
    text = kind.learner_text("<p>Текст.</p>", {"objectives": ["Считать удовлетворённость"]})
    assert text[0].endswith("Считать удовлетворённость") and "Текст." in text[-1]
    assert kind.learner_text("<p>Текст.</p>", {}) == kind.learner_text("<p>Текст.</p>", {"objectives": []})
