"""The course format, loaded and checked without an app."""
from pathlib import Path

import pytest

from lms.core import content, folders, frontmatter
from lms.core.content import Limits, content_hash, load_course, load_directory
from lms.core.frontmatter import split_front_matter
from lms.core.render import render_markdown

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "courses"


def course_files(**overrides: str | bytes | None) -> dict[str, bytes]:
    files: dict[str, str | bytes] = {
        "course.md": "---\ntitle: Курс\nlanguage: ru\nmodules: [01-m]\n---\nОписание\n",
        "01-m/module.md": "---\ntitle: Модуль\n---\n",
        "01-m/01-a.md": "---\ntitle: Урок A\n---\nТекст со [ссылкой](02-b.md).\n",
        "01-m/02-b.md": "---\ntitle: Урок B\nminutes: 4\n---\nТекст.\n",
    }
    for path, value in overrides.items():
        path = path.replace("__", "/").replace("_DOT_", ".")
        if value is None:
            files.pop(path, None)
        else:
            files[path] = value
    return {p: v.encode() if isinstance(v, str) else v for p, v in files.items()}


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


def codes(problems) -> list[tuple[str, int, str, dict]]:
    return [(p.path, p.line, p.code, p.arguments) for p in problems]


def test_sample_course_loads_with_three_editions_and_fallbacks():
    courses, problems = load_directory(SAMPLE, "courses")
    assert problems == []
    (course,) = courses
    assert course.slug == "sample"
    assert sorted(course.editions) == ["ar", "en", "ru"]
    arabic = course.editions["ar"]
    assert [a.language for a in arabic.activities()] == ["ar", "en", "en", "ru", "ru"]  # no en role-play or quiz: default
    assert [a.key for a in arabic.activities()] == [a.key for a in course.editions["ru"].activities()]
    assert course.editions["en"].modules[0].title == "First contact"


def test_a_valid_course_has_no_problems_and_resolves_links():
    course, problems = load_course("demo", course_files())
    assert problems == []
    lesson = course.editions["ru"].activities()[0]
    assert 'href="/__lms__/01-m/02-b"' in lesson.html
    assert course.editions["ru"].activities()[1].minutes == 4


def test_link_to_a_missing_lesson_is_reported_with_its_line():
    files = course_files(**{"01-m__01-a_DOT_md": "---\ntitle: A\n---\n\nПервая строка.\n\nСм. [урок](03-missing.md).\n"})
    _course, problems = load_course("demo", files, "courses/demo")
    assert ("courses/demo/01-m/01-a.md", 7, content.BROKEN_LINK, {"target": "03-missing.md"}) in codes(problems)
    assert "courses/demo/01-m/01-a.md:7: link to '03-missing.md' points to no lesson or image of this course" in messages(problems)


def test_malformed_front_matter_names_file_and_line():
    files = course_files(**{"01-m__02-b_DOT_md": "---\ntitle: B\nminutes: [1, 2\n---\nText\n"})
    _course, problems = load_course("demo", files, "c")
    (problem,) = [p for p in problems if p.path == "c/01-m/02-b.md"]
    assert problem.line in (3, 4) and problem.code == frontmatter.INVALID_YAML and "not valid YAML" in problem.message


def test_unknown_activity_type_lists_the_known_ones():
    files = course_files(**{"01-m__02-b_DOT_md": "---\ntitle: B\ntype: video\n---\nText\n"})
    _course, problems = load_course("demo", files, "c")
    (problem,) = [p for p in problems if p.code == content.UNKNOWN_TYPE]
    assert (problem.path, problem.line, problem.arguments["kind"]) == ("c/01-m/02-b.md", 1, "video")
    assert any("c/01-m/02-b.md:1: unknown activity type 'video' (known:" in m for m in messages(problems))


def test_windows_1251_file_is_refused_with_a_hint():
    files = course_files(**{"01-m__02-b_DOT_md": "---\ntitle: B\n---\nПривет\n".encode("cp1251")})
    _course, problems = load_course("demo", files, "c")
    assert ("c/01-m/02-b.md", 4, folders.WINDOWS_1251, {}) in codes(problems)
    assert "c/01-m/02-b.md:4: file is not UTF-8 (it looks like Windows-1251); save it with UTF-8 encoding" in messages(problems)


def test_oversized_files_are_reported_not_read(tmp_path):
    root = tmp_path / "big"
    (root / "01-m").mkdir(parents=True)
    for path, data in course_files().items():
        (root / path).write_bytes(data)
    (root / "01-m" / "03-huge.md").write_bytes(b"---\ntitle: Huge\n---\n" + b"x" * 2_000_000)
    _courses, problems = load_directory(tmp_path, "courses", Limits(text_bytes=1_000_000))
    assert any(p.path == "courses/big/01-m/03-huge.md" and p.code == folders.TOO_LARGE
               and p.arguments["limit"] == 1.0 for p in problems)
    assert any(p.path == "courses/big/01-m/03-huge.md" and "over the limit of 1.0 MB" in p.message for p in problems)


def test_module_listed_but_missing_and_unlisted_folder():
    files = course_files(**{"course_DOT_md": "---\ntitle: K\nlanguage: ru\nmodules: [01-m, 02-gone]\n---\n",
                            "03-extra__module_DOT_md": "---\ntitle: X\n---\n",
                            "03-extra__01-x_DOT_md": "---\ntitle: X\n---\nx\n"})
    _course, problems = load_course("demo", files)
    assert ("demo/course.md", 1, content.MODULE_MISSING, {"module": "02-gone"}) in codes(problems)
    assert ("demo/03-extra/", 0, content.FOLDER_NOT_LISTED, {"folder": "03-extra"}) in codes(problems)
    text = "\n".join(messages(problems))
    assert "module '02-gone' is listed but 02-gone/module.md does not exist" in text
    assert "folder '03-extra' is not listed in course.md 'modules:'" in text


def test_duplicate_course_slugs_are_reported(tmp_path):
    for folder in ("one", "two"):
        (tmp_path / folder / "01-m").mkdir(parents=True)
        for path, data in course_files().items():
            (tmp_path / folder / path).write_bytes(data.replace(b"title: \xd0\x9a", b"slug: same\ntitle: \xd0\x9a"))
    _courses, problems = load_directory(tmp_path, "courses")
    assert any(p.code == content.DUPLICATE_SLUG and p.arguments["slug"] == "same" for p in problems)


def test_translation_for_an_unknown_language_is_reported():
    files = course_files(**{"01-m__01-a_DOT_de_DOT_md": "---\ntitle: A\n---\nText\n"})
    _course, problems = load_course("demo", files)
    assert any(p.code == content.UNKNOWN_LANGUAGE and p.arguments == {"language": "de"} for p in problems)


def test_content_hash_ignores_order_and_changes_with_content():
    files = course_files()
    assert content_hash(files) == content_hash(dict(reversed(list(files.items()))))
    changed = dict(files, **{"01-m/02-b.md": b"---\ntitle: B2\n---\n"})
    assert content_hash(changed) != content_hash(files)


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    '<a href="#" style="color:red" onclick="x()">a</a>',
    "<iframe src='https://evil.example'></iframe>",
])
def test_markdown_is_sanitised(source):
    html = render_markdown(source).html
    for bad in ("<script", "onerror", "javascript:", "onclick", "style=", "<iframe"):
        assert bad not in html


def test_markdown_keeps_tables_admonitions_and_checklists():
    html = render_markdown('| a | b |\n|---|---|\n| 1 | 2 |\n\n!!! tip "Совет"\n    Улыбайтесь.\n\n- [x] готово\n').html
    assert "<table>" in html and 'class="admonition tip"' in html
    assert '<li class="task task-done"><span class="task-box">\u2611</span> готово</li>' in html


def test_front_matter_without_closing_line():
    doc = split_front_matter("---\ntitle: x\n", "a.md")
    assert codes(doc.problems) == [("a.md", 1, frontmatter.UNCLOSED, {})]
    assert [str(p) for p in doc.problems] == ["a.md:1: front matter starts with '---' but has no closing '---' line"]
