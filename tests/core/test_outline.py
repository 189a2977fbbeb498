"""The studio's outline (pure): a course folder by title, and its edits as file changes."""
import pytest

from lms.activities import kinds
from lms.core import outline
from lms.core.content import check_course, load_course, read_structure
from lms.core.frontmatter import split_front_matter

COURSE = """---
title: Курс
language: ru
# the order of the modules
modules:
  - 01-first
  - 02-second
completion: {lessons: all}
---
Описание.
"""


def course_files() -> dict[str, bytes]:
    return {
        "course.md": COURSE.encode(),
        "course.en.md": b"---\ntitle: Course\n---\n",
        "01-first/module.md": "---\ntitle: Первый\n---\n".encode(),
        "01-first/module.en.md": b"---\ntitle: First\n---\n",
        "01-first/01-hello.md": "---\ntitle: Привет\n---\nТекст.\n".encode(),
        "01-first/01-hello.en.md": b"---\ntitle: Hello\n---\nText.\n",
        "01-first/02-more.md": "---\ntitle: Ещё\n---\nТекст.\n".encode(),
        "02-second/module.md": "---\ntitle: Второй\n---\n".encode(),
        "02-second/01-only.md": "---\ntitle: Единственный\n---\nТекст.\n".encode(),
    }


def apply(files, changes):
    result = dict(files)
    for path, data in changes.items():
        if data is None:
            result.pop(path, None)
        else:
            result[path] = data
    return result


def test_the_outline_names_modules_and_activities_by_title_with_editions_changes_and_problems():
    files = course_files()
    files["02-second/01-only.md"] = "---\ntitle: Единственный\ntype: nonsense\n---\n".encode()
    _content, problems, warnings = check_course("c", files, "c")
    plan = outline.course_outline(files, [*problems, *warnings], {"01-first/02-more.md": "added"}, "c")
    assert plan.title == "Курс" and plan.languages == ["ru", "en"]
    assert [(m.slug, m.title) for m in plan.modules] == [("01-first", "Первый"), ("02-second", "Второй")]
    hello, more = plan.modules[0].activities
    assert (hello.title, hello.kind, sorted(hello.editions), hello.missing) == ("Привет", "lesson", ["en", "ru"], [])
    assert (more.title, more.missing, more.change) == ("Ещё", ["en"], "added")
    only = plan.modules[1].activities[0]
    assert only.problems and only.problems[0].language == "ru" and only.problems[0].severity == "error"
    assert plan.modules[1].missing == ["en"]


def test_a_course_with_errors_still_has_an_outline():
    files = course_files()
    files["course.md"] = COURSE.replace("language: ru", "language: 42").encode()
    files["01-first/01-hello.md"] = b"---\ntitle: [unclosed\n---\n"
    content, problems = load_course("c", files, "c")
    plan = outline.course_outline(files, problems, {}, "c")
    assert [m.slug for m in plan.modules] == ["01-first", "02-second"]
    assert any(f.problem.code for f in plan.modules[0].activities[0].problems)
    assert plan.course_problems  # the bad language, on course.md


def test_front_matter_edits_keep_every_other_line_and_comment():
    text = outline.set_front_matter(COURSE, "modules", ["02-second", "01-first"], "course.md")
    assert "# the order of the modules" in text and "completion: {lessons: all}" in text and "Описание." in text
    assert text.index("02-second") < text.index("01-first")
    assert split_front_matter(text, "course.md").meta["modules"] == ["02-second", "01-first"]
    titled = outline.set_front_matter(text, "title", 'Новое: "имя" # не комментарий', "course.md")
    assert split_front_matter(titled, "course.md").meta["title"] == 'Новое: "имя" # не комментарий'
    # a file without front matter gets one
    assert split_front_matter(outline.set_front_matter("Текст.\n", "title", "Т"), "").meta == {"title": "Т"}
    with pytest.raises(outline.OutlineError):
        outline.set_front_matter("---\ntitle: x\n", "title", "y")  # never closed


def test_adding_a_module_and_an_activity_numbers_them_after_the_last_and_lists_them():
    files = course_files()
    slug, changes = outline.add_module(files, "Работа с возражениями")
    assert slug == "03-rabota-s-vozrazheniyami"
    files = apply(files, changes)
    assert [m for m, _ in read_structure(files).modules] == ["01-first", "02-second", slug]
    quiz = next(k for k in kinds() if k.draft_player and k.preview_template and "quiz" in k.preview_template)
    path, changes = outline.add_activity(files, "01-first", "Проверка: سؤال", quiz.starter("ru"))
    assert path == "01-first/03-proverka.md"
    files = apply(files, changes)
    _content, problems = load_course("c", files, "c")
    assert [p.code for p in problems] == ["module.empty"]  # the new module waits for its first activity
    assert split_front_matter(files[path].decode(), path).meta["title"] == "Проверка: سؤال"
    # an Arabic title has no Latin letters: the file is named after its kind
    path, _changes = outline.add_activity(files, "01-first", "اختبار", quiz.starter("ar"))
    assert path.endswith("-quiz.md")


@pytest.mark.parametrize("language", ["ru", "en", "ar"])
def test_every_kind_starts_from_a_template_that_loads_clean_in_the_course_language(language):
    files = {"course.md": f"---\ntitle: T\nlanguage: {language}\n---\n".encode()}
    module, changes = outline.add_module(files, "Module")
    files = apply(files, changes)
    for kind in kinds():
        _path, changes = outline.add_activity(files, module, f"New {kind.name}", kind.starter(language))
        files = apply(files, changes)
    content, problems, warnings = check_course("c", files, "c")
    assert problems == [] and [w for w in warnings if not w.accepted] == []
    assert sorted(a.kind for a in content.editions[language].activities()) == sorted(k.name for k in kinds())


def test_reordering_writes_the_order_where_the_loader_reads_it_and_renames_nothing():
    files = course_files()
    files = apply(files, outline.reorder_activities(files, "01-first", ["02-more", "01-hello"]))
    assert dict(read_structure(files).modules)["01-first"] == ("02-more", "01-hello")
    assert "01-first/01-hello.md" in files  # progress is keyed by file: no file is renamed
    files = apply(files, outline.reorder_modules(files, outline.moved(["01-first", "02-second"], "02-second", -1)))
    assert [m for m, _ in read_structure(files).modules] == ["02-second", "01-first"]
    with pytest.raises(outline.OutlineError):
        outline.reorder_modules(files, ["01-first"])  # one missing
    with pytest.raises(outline.OutlineError):
        outline.reorder_activities(files, "01-first", ["01-hello", "01-hello"])
    assert outline.moved(["a", "b"], "a", -1) == ["a", "b"]  # already first


def test_deleting_removes_every_edition_and_the_listing():
    files = course_files()
    files = apply(files, outline.reorder_activities(files, "01-first", ["02-more", "01-hello"]))
    changes = outline.delete_activity(files, "01-first", "01-hello")
    assert changes["01-first/01-hello.md"] is None and changes["01-first/01-hello.en.md"] is None
    files = apply(files, changes)
    assert dict(read_structure(files).modules)["01-first"] == ("02-more",)
    files = apply(files, outline.delete_module(files, "02-second"))
    assert not any(p.startswith("02-second/") for p in files)
    _content, problems = load_course("c", files, "c")
    assert problems == []
    with pytest.raises(outline.OutlineError):
        outline.delete_activity(files, "01-first", "nope")


def test_renaming_sets_the_title_of_one_edition():
    files = course_files()
    files = apply(files, outline.rename(files, "01-first/01-hello.en.md", "Hi there"))
    assert split_front_matter(files["01-first/01-hello.en.md"].decode(), "").meta["title"] == "Hi there"
    assert "Привет" in files["01-first/01-hello.md"].decode()
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(outline.OutlineError):
            outline.rename(files, "01-first/01-hello.md", bad)
