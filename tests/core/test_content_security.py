"""Course content is untrusted input: links, fake images, YAML aliases, raw HTML, unbounded scenarios."""
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lms.core.assets import image_matches
from lms.core.content import LINK_REFUSED, check_directory, load_course, load_directory, read_tree
from lms.core.frontmatter import MAX_FRONT_MATTER_BYTES, split_front_matter
from lms.core.render import render_markdown
from lms.core.scenario import check_scenario, parse_scenario
from lms.core.scenario_check import NEVER_OFFERED as NEVER_OFFERED_CODE

from support.content import COUNTER_LOOP, NEVER_OFFERED

PNG = (Path(__file__).resolve().parents[1] / "data" / "courses" / "sample" / "01-basics" / "images" / "smile.png").read_bytes()
SECRET = b"super-secret-signing-key-0123456789"


def write_course(root: Path, image: bytes | None = PNG) -> Path:
    """A small valid course folder ``root/demo`` whose lesson shows ``images/logo.png``."""
    course = root / "demo"
    (course / "01-m" / "images").mkdir(parents=True)
    (course / "course.md").write_text("---\ntitle: Курс\nlanguage: ru\n---\nОписание\n", encoding="utf-8")
    (course / "01-m" / "module.md").write_text("---\ntitle: Модуль\n---\n", encoding="utf-8")
    (course / "01-m" / "01-a.md").write_text("---\ntitle: Урок\n---\n![Логотип](images/logo.png)\n", encoding="utf-8")
    if image is not None:
        (course / "01-m" / "images" / "logo.png").write_bytes(image)
    return course


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


def where(problems) -> list[tuple[str, int, str]]:
    return [(p.path, p.line, p.code) for p in problems]


def no_secret_read(courses) -> bool:
    return all(SECRET not in data for course in courses for data in course.files.values())


# -- symbolic links ----------------------------------------------------------

@pytest.fixture
def secret_key(tmp_path) -> Path:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret_key").write_bytes(SECRET)
    return instance / "secret_key"


def test_an_image_linked_to_a_file_outside_the_folder_is_refused_and_never_read(tmp_path, secret_key):
    course = write_course(tmp_path / "courses", image=None)
    (course / "01-m" / "images" / "logo.png").symlink_to(secret_key)
    courses, problems = load_directory(tmp_path / "courses", "courses")
    assert ("courses/demo/01-m/images/logo.png", 0, LINK_REFUSED) in where(problems)
    assert no_secret_read(courses)
    files, _ = read_tree(course, "courses/demo")
    assert "01-m/images/logo.png" not in files


def test_a_linked_folder_is_refused_and_not_walked(tmp_path, secret_key):
    course = write_course(tmp_path / "courses", image=None)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "logo.png").write_bytes(PNG)
    (outside / "notes.md").write_bytes(SECRET)
    os.rmdir(course / "01-m" / "images")
    (course / "01-m" / "images").symlink_to(outside, target_is_directory=True)
    files, problems = read_tree(course, "courses/demo")
    assert where(problems) == [("courses/demo/01-m/images", 0, LINK_REFUSED)]
    assert messages(problems) == ["courses/demo/01-m/images:0: is a symbolic link; course folders may not contain "
                                  "links: copy the file in instead"]
    assert not any(path.startswith("01-m/images") for path in files)


def test_a_linked_course_folder_and_a_linked_root_are_refused(tmp_path, secret_key):
    real = write_course(tmp_path / "elsewhere")
    (tmp_path / "courses").mkdir()
    (tmp_path / "courses" / "demo").symlink_to(real, target_is_directory=True)
    courses, problems = load_directory(tmp_path / "courses", "courses")
    assert courses == [] and where(problems) == [("courses/demo", 0, LINK_REFUSED)]

    (tmp_path / "linked-root").symlink_to(real, target_is_directory=True)
    courses, problems = load_directory(tmp_path / "linked-root", "linked-root")
    assert courses == [] and where(problems) == [("linked-root", 0, LINK_REFUSED)]


def test_a_linked_course_md_is_refused(tmp_path, secret_key):
    course = write_course(tmp_path / "courses")
    (course / "course.md").unlink()
    (course / "course.md").symlink_to(secret_key)
    courses, problems = load_directory(tmp_path / "courses", "courses")
    assert ("courses/demo/course.md", 0, LINK_REFUSED) in where(problems)
    assert courses == [] and no_secret_read(courses)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_reported_not_opened(tmp_path):
    course = write_course(tmp_path / "courses")
    os.mkfifo(course / "01-m" / "02-pipe.md")
    _courses, problems = load_directory(tmp_path / "courses", "courses")
    assert "courses/demo/01-m/02-pipe.md:0: is not a regular file; a course holds .md files and images" \
        in messages(problems)


def test_folders_nested_too_deep_are_reported_not_walked(tmp_path):
    course = write_course(tmp_path / "courses")
    deep = course.joinpath(*["d"] * 12)
    deep.mkdir(parents=True)
    (deep / "x.md").write_text("x", encoding="utf-8")
    files, problems = read_tree(course, "c")
    assert [p.message for p in problems] == ["folders nest more than 8 levels deep; a course needs two or three"]
    assert not any(path.endswith("x.md") for path in files)


def test_a_clean_folder_still_loads_with_its_image(tmp_path):
    write_course(tmp_path / "courses")
    (course,), problems = load_directory(tmp_path / "courses", "courses")
    assert problems == [] and course.files["01-m/images/logo.png"] == PNG


# -- images are what their names say ----------------------------------------

@pytest.mark.parametrize(("name", "data", "ok"), [
    ("a.png", PNG, True),
    ("a.png", SECRET, False),
    ("a.png", b"\xff\xd8\xff\xe0JFIF", False),  # a JPEG named .png
    ("a.JPG", b"\xff\xd8\xff\xe0JFIF", True),
    ("a.gif", b"GIF89a\x01\x00", True),
    ("a.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", True),
    ("a.webp", b"RIFF\x10\x00\x00\x00WAVEfmt ", False),  # a RIFF that is not WebP
    ("a.svg", b"<svg/>", False),
])
def test_image_signature_must_match_the_extension(name, data, ok):
    assert image_matches(name, data) is ok


def test_a_fake_png_in_a_folder_is_a_problem_with_its_path(tmp_path):
    write_course(tmp_path / "courses", image=b"<html><script>alert(1)</script></html>")
    _courses, problems = load_directory(tmp_path / "courses", "courses")
    assert any(m.startswith("courses/demo/01-m/images/logo.png:0: the file is not a PNG image") for m in messages(problems))


def test_a_fake_image_in_a_zip_or_a_draft_is_a_problem_too():
    files = {
        "course.md": "---\ntitle: К\nlanguage: ru\n---\n".encode(),
        "01-m/module.md": "---\ntitle: М\n---\n".encode(),
        "01-m/01-a.md": "---\ntitle: У\n---\n![x](pic.gif)\n".encode(),
        "01-m/pic.gif": SECRET,
    }
    _course, problems = load_course("demo", files)
    assert any(m.startswith("demo/01-m/pic.gif:0: the file is not a GIF image") for m in messages(problems))


# -- YAML anchors and aliases -------------------------------------------------

def alias_bomb(levels: int = 5) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "---\ntitle: Урок\n" + "\n".join(lines) + "\n---\nТекст\n"


def test_the_alias_bomb_is_refused_before_it_expands():
    document = split_front_matter(alias_bomb(), "a.md")
    assert document.meta == {}  # nothing was built from the aliases
    assert messages(document.problems) == [
        "a.md:3: front matter: YAML anchors and aliases (& and *) are not allowed in course files; "
        "write the value out in full"]


@pytest.mark.parametrize(("front", "line"), [
    ("title: x\nbase: &b {a: 1}\n", 3),
    ("title: x\nother: *b\n", 3),
    ("title: x\nlist:\n  - &one 1\n  - *one\n", 4),
])
def test_any_anchor_or_alias_is_refused_with_its_line(front, line):
    (problem,) = split_front_matter(f"---\n{front}---\nText\n", "a.md").problems
    assert problem.line == line and "anchors and aliases" in problem.message


def test_ampersands_and_stars_in_text_are_still_fine():
    document = split_front_matter('---\ntitle: "Q&A * tips"\nsummary: R&D\n---\nText\n', "a.md")
    assert document.problems == [] and document.meta == {"title": "Q&A * tips", "summary": "R&D"}


def test_deep_nesting_and_oversized_front_matter_are_refused():
    deep = split_front_matter("---\ntitle: x\nv: " + "[" * 5000 + "\n---\n", "a.md")
    assert deep.meta == {} and "nested more than" in deep.problems[0].message
    big = split_front_matter("---\ntitle: x\nsummary: '" + "x" * MAX_FRONT_MATTER_BYTES + "'\n---\nText\n", "a.md")
    assert big.meta == {} and big.problems[0].line == 1 and "over the limit of 64 KB" in big.problems[0].message


def test_a_course_with_an_alias_bomb_in_a_lesson_reports_it():
    files = {
        "course.md": "---\ntitle: К\nlanguage: ru\n---\n".encode(),
        "01-m/module.md": "---\ntitle: М\n---\n".encode(),
        "01-m/01-a.md": alias_bomb().encode(),
    }
    _course, problems = load_course("demo", files)
    assert any(str(p).startswith("demo/01-m/01-a.md:3: front matter: YAML anchors and aliases") for p in problems)


# -- raw HTML in Markdown -------------------------------------------------------

FORM_CONTROLS = {"input", "select", "textarea", "button", "form", "option", "label", "fieldset", "output"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def tags_of(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("raw", [
    "<details open ontoggle=alert(1)>",
    "text <details open ontoggle=alert(1)> inline",
    "<details open ontoggle=alert(1)>x</details> after",
    "x <input> y",
    "x <input type=text value=password> y",
    "x <textarea> y",
    "x <textarea>a</textarea> y",
    "x <select><option>1</option> y",
    "x <form action=https://evil.example><button>Go</button> y",
    "x <style> y",
    "x <script> y",
    "x <script>alert(1)</script> y",
    "x <iframe src=https://evil.example> y",
    "x <noscript> y",
    "x <template> y",
    "x <title> y",
    "x <plaintext> y",
    "x <xmp> y",
    "x <svg><p> y",
    "x <math> y",
    "x <table> y",
    "<div>",
    "x <mark> unclosed y",
    "<!-- a comment that never closes",
])
def test_raw_html_never_swallows_the_rest_or_leaves_a_form_control(raw):
    html = render_markdown(f"{raw}\n\n## Next\n\nThe **rest** of the lesson.\n").html
    assert "<h2>Next</h2>" in html and "<p>The <strong>rest</strong> of the lesson.</p>" in html, html
    tags = tags_of(html)
    assert not FORM_CONTROLS & set(tags), html
    assert not {"script", "style", "iframe", "noscript", "template", "title", "plaintext", "xmp", "svg", "math",
                "details", "table", "div"} & set(tags), html
    assert "on" + "toggle" not in html and "alert(1)" not in html


def test_simple_inline_tags_comments_and_code_still_render():
    html = render_markdown("Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, "
                           '<abbr title="HyperText">HTML</abbr>,<br>next <!-- hidden --> line\n\n'
                           "<!-- a comment\n\nover paragraphs -->\n\n`<textarea>` stays code\n").html
    assert "<kbd>Ctrl</kbd>+<kbd>C</kbd>" in html and "H<sub>2</sub>O" in html
    assert '<abbr title="HyperText">HTML</abbr>' in html and "<br" in html
    assert "hidden" not in html and "over paragraphs" not in html
    assert "<code>&lt;textarea&gt;</code> stays code" in html


def test_checklists_show_boxes_without_form_controls():
    html = render_markdown("- [x] greeted\n- [ ] thanked\n").html
    assert "input" not in html
    assert '<li class="task task-done"><span class="task-box">\u2611</span> greeted</li>' in html
    assert '<li class="task"><span class="task-box">\u2610</span> thanked</li>' in html


# -- scenarios that hit the exploration cap -------------------------------------



def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def test_an_ending_never_reached_before_the_cap_is_an_error():
    scenario, problems = parse_scenario(COUNTER_LOOP, "s.md")
    assert problems == []
    report = check_scenario(scenario, max_states=50)
    assert report.cap_hit and not report.ok
    errors = messages(report.errors)
    assert any(e.startswith(f"s.md:{line_of(COUNTER_LOOP, '{#end}')}: ending 'end' was not reached in the 50 states "
                            f"explored") for e in errors), errors
    assert (f"s.md:{line_of(COUNTER_LOOP, 'pass:')}: 'pass: outcomes' names 'ok', but no run can reach an ending "
            f"with that outcome in the 50 states explored") in errors
    assert messages(report.warnings)[0].startswith("s.md:0: warning: stopped after exploring 50 states")


def test_a_reachable_ending_with_the_cap_hit_is_still_only_a_warning():
    text = COUNTER_LOOP.replace(" if points < 0", "")
    report = check_scenario(parse_scenario(text, "s.md")[0], max_states=50)
    assert report.cap_hit and report.ok and len(report.warnings) == 1




def test_loading_a_folder_keeps_scenario_warnings_apart_from_problems(tmp_path):
    course = write_course(tmp_path / "courses")
    (course / "01-m" / "02-talk.md").write_text(NEVER_OFFERED, encoding="utf-8")
    checked = check_directory(tmp_path / "courses", "courses")
    assert checked.problems == [] and len(checked.courses) == 1
    assert messages(checked.warnings) == [
        f"courses/demo/01-m/02-talk.md:{line_of(NEVER_OFFERED, 'Никогда')}: warning: reply 'Никогда' is never "
        f"offered: its condition 'points > 5' is never true"]
    assert [(w.code, w.arguments) for w in checked.warnings] == [
        (NEVER_OFFERED_CODE, {"reply": "Никогда", "condition": "points > 5"})]
