"""Job aids (``aids/`` in a course) and SVG drawings: the pure parts, without an app.

What a job aid prints is parsed from the course's own Markdown into blocks; the loader
keeps the ``aids/`` folder out of the modules, checks each aid (a title, one page) and
turns a lesson's link to an aid into the aid's PDF address. An SVG holding script, a
foreign object, an event handler, an outside reference or a DOCTYPE is a problem at its line.
"""
from __future__ import annotations

import pytest

from lms.core import job_aids, svg
from lms.core.content import BAD_MODULE_NAME, BROKEN_LINK, FOLDER_NOT_LISTED, LINK_BASE, load_course
from lms.core.frontmatter import MISSING_TITLE, UNKNOWN_KEY, split_front_matter
from lms.core.job_aids import Aid, Block, Run, blocks_of, check_aid, measure, parse_aid

SAFE_SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img">\n'
            b'  <title>A square</title>\n'
            b'  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>\n'
            b'  <rect width="5" height="5" fill="url(#g)" style="stroke: url(#g)"/>\n'
            b'  <use href="#g"/><text x="1" y="9">\xd0\xa2\xd0\xb5\xd0\xba\xd1\x81\xd1\x82</text>\n'
            b'</svg>\n')


def course_files(**extra: bytes | str) -> dict[str, bytes]:
    """A one-lesson course (ru with an English edition) plus ``extra`` files."""
    files: dict[str, bytes | str] = {
        "course.md": "---\ntitle: Курс\nlanguage: ru\nmodules: [01-m]\n---\nОписание\n",
        "course.en.md": "---\ntitle: Course\n---\nAbout\n",
        "01-m/module.md": "---\ntitle: Модуль\n---\n",
        "01-m/01-a.md": "---\ntitle: Урок\n---\nТекст.\n\n[Памятка](../aids/promise-log.md)\n",
        "aids/promise-log.md": "---\ntitle: Журнал обещаний\n---\n- [ ] Записать обещание\n",
        "aids/promise-log.en.md": "---\ntitle: Promise log\n---\n- [ ] Write the promise down\n",
    }
    files.update({path.replace("__", "/").replace("_", "."): data for path, data in extra.items()})
    return {path: data.encode() if isinstance(data, str) else data for path, data in files.items()}


def load(files: dict[str, bytes]):
    return load_course("demo", files, "demo")


def where(problems) -> list[tuple[str, int, str]]:
    return [(p.path, p.line, p.code) for p in problems]


def codes(problems) -> set[str]:
    return {p.code for p in problems}


# -- what an aid prints ------------------------------------------------------------

def test_markdown_becomes_headings_paragraphs_lists_notes_and_tables_with_bold_runs():
    blocks, images = blocks_of(
        "Первый **жирный** абзац.\n\n"
        "## Шаги\n\n"
        "1. **Позвонить** клиенту\n2. Отправить\n\n"
        "- пункт\n    - вложенный\n\n"
        "Проверка:\n\n"
        "- [ ] сделать\n- [x] сделано\n\n"
        "!!! tip \"Совет\"\n    Текст совета.\n\n"
        "| А | Б |\n|---|---|\n| 1 | **2** |\n| | |\n"
    )
    assert images == 0
    kinds = [(b.kind, b.marker, b.level) for b in blocks if b.kind != "table"]
    assert kinds == [
        ("paragraph", "", 0), ("heading", "", 2),
        ("item", "1.", 0), ("item", "2.", 0), ("item", "•", 0), ("item", "•", 1), ("paragraph", "", 0),
        ("item", "box", 0), ("item", "done", 0), ("quote", "", 0), ("quote", "", 0),
    ]
    assert blocks[0].runs == (Run("Первый "), Run("жирный", bold=True), Run(" абзац."))
    assert blocks[2].runs[0] == Run("Позвонить", bold=True)
    assert blocks[7].text == "сделать"  # the checklist's drawn box is the marker, not text
    assert blocks[9].runs == (Run("Совет", bold=True),)  # a note's title is bold
    table = blocks[-1]
    assert table.kind == "table" and table.header == 1
    assert table.rows == ((( Run("А"),), (Run("Б"),)), ((Run("1"),), (Run("2", bold=True),)), ((), ()))


def test_raw_html_and_scripts_never_reach_an_aid_and_links_print_as_their_text():
    blocks, _ = blocks_of("<script>alert(1)</script>Текст [ссылка](https://example.com) и <b>это</b>\n")
    assert blocks == (Block("paragraph", (Run("Текст ссылка и "), Run("это", bold=True))),)


def test_an_aid_is_measured_in_characters_and_printed_lines():
    small = Aid("Заголовок", (Block("paragraph", (Run("а" * 95),)), Block("item", (Run("б" * 100),), marker="•")))
    size = measure(small)
    assert size.characters == 9 + 95 + 100
    assert size.lines == 2 + 1 + 2 and size.fits
    form = Aid("Бланк", (Block("table", rows=(((Run("Дата"),), (Run("Что"),)),) + (((), ()),) * 3, header=1),))
    assert measure(form).lines == 2 + 1 + 3 * job_aids.WRITING_LINES + 1  # blank rows leave room to write
    too_long = Aid("Т", tuple(Block("paragraph", (Run("слово " * 10),)) for _ in range(job_aids.MAX_LINES)))
    assert not measure(too_long).fits


def test_check_aid_wants_a_title_known_keys_no_images_and_one_page():
    def problems(text: str):
        return where(check_aid(split_front_matter(text, "aids/x.md"), "aids/x.md"))

    assert problems("---\ntitle: Памятка\n---\nТекст\n") == []
    assert ("aids/x.md", 1, MISSING_TITLE) in problems("---\nminutes: 3\n---\nТекст\n")
    assert ("aids/x.md", 1, UNKNOWN_KEY) in problems("---\ntitle: П\nminutes: 3\n---\nТекст\n")
    assert ("aids/x.md", 6, job_aids.AID_IMAGE) in problems("---\ntitle: П\n---\nТекст\n\n![Схема](a.png)\n")
    assert ("aids/x.md", 4, job_aids.AID_EMPTY) in problems("---\ntitle: П\n---\n")
    long_body = "\n\n".join("Очень длинный абзац памятки. " * 4 for _ in range(40))
    assert ("aids/x.md", 0, job_aids.AID_TOO_LONG) in problems(f"---\ntitle: П\n---\n{long_body}\n")


def test_parse_aid_keeps_the_title_from_the_front_matter():
    aid = parse_aid(split_front_matter("---\ntitle: ' Журнал '\n---\n- пункт\n", "x"))
    assert aid.title == "Журнал" and aid.blocks[0].text == "пункт"


# -- the aids folder in a course ---------------------------------------------------

def test_the_aids_folder_is_not_a_module_and_a_lesson_links_to_the_aids_pdf():
    course, problems = load(course_files())
    assert problems == []
    assert [m.slug for m in course.editions["ru"].modules] == ["01-m"]
    lesson = course.editions["ru"].modules[0].activities[0]
    assert f'href="{LINK_BASE}aids/promise-log.pdf"' in lesson.html


def test_a_course_without_a_modules_list_does_not_take_the_aids_folder_for_a_module():
    files = course_files()
    files["course.md"] = "---\ntitle: Курс\nlanguage: ru\n---\n".encode()
    course, problems = load(files)
    assert problems == [] and [m.slug for m in course.editions["ru"].modules] == ["01-m"]


def test_a_module_cannot_be_called_aids():
    files = course_files()
    files["course.md"] = "---\ntitle: Курс\nlanguage: ru\nmodules: [01-m, aids]\n---\n".encode()
    files["aids/module.md"] = b"---\ntitle: M\n---\n"
    _course, problems = load(files)
    assert ("demo/aids/module.md", 0, BAD_MODULE_NAME) in where(problems)
    assert FOLDER_NOT_LISTED not in codes(problems)


def test_a_link_to_a_missing_aid_is_a_broken_link_at_its_line():
    files = course_files()
    files["01-m/01-a.md"] = "---\ntitle: Урок\n---\nТекст.\n\n[Памятка](../aids/no-such-aid.md)\n".encode()
    _course, problems = load(files)
    assert ("demo/01-m/01-a.md", 6, BROKEN_LINK) in where(problems)


@pytest.mark.parametrize(("path", "data", "code"), [
    ("aids/notes.txt", b"text", job_aids.NOT_AN_AID),
    ("aids/old/promise-log.md", b"---\ntitle: T\n---\nx\n", job_aids.NOT_AN_AID),
    ("aids/Promise_Log.md", b"---\ntitle: T\n---\nx\n", job_aids.BAD_AID_NAME),
    ("aids/checklist.en.md", b"---\ntitle: T\n---\nx\n", job_aids.AID_NO_ORIGINAL),
    ("aids/untitled.md", b"Only a body\n", MISSING_TITLE),
])
def test_what_the_aids_folder_may_not_hold_is_a_problem_with_its_path(path, data, code):
    files = course_files()
    files[path] = data
    _course, problems = load(files)
    assert code in {c for p, _line, c in where(problems) if p == f"demo/{path}"}, where(problems)


def test_an_aid_in_a_language_the_course_does_not_have_is_reported():
    files = course_files()
    files["aids/promise-log.de.md"] = b"---\ntitle: T\n---\nx\n"
    _course, problems = load(files)
    assert "translation.unknown-language" in codes(problems)


# -- SVG drawings ------------------------------------------------------------------

def test_a_plain_svg_drawing_is_a_course_image():
    files = course_files(**{"01-m/images/square.svg": SAFE_SVG})
    files["01-m/01-a.md"] = "---\ntitle: Урок\n---\n![Квадрат](images/square.svg)\n".encode()
    course, problems = load(files)
    assert problems == []
    assert "/files/" in course.editions["ru"].modules[0].activities[0].html
    assert svg.svg_problems(SAFE_SVG) == []


MALICIOUS = {
    "script": (b'<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(document.cookie)</script>\n</svg>',
               2, svg.SVG_SCRIPT),
    "event handler": (b'<svg xmlns="http://www.w3.org/2000/svg">\n<rect width="5"\n onload="alert(1)"/>\n</svg>',
                      2, svg.SVG_HANDLER),  # the line where its element starts
    "foreignObject": (b'<svg xmlns="http://www.w3.org/2000/svg">\n\n<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">'
                      b'hi</p></foreignObject></svg>', 3, svg.SVG_FOREIGN),
    "xlink to http": (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
                      b'<use xlink:href="http://evil.example/x.svg#a"/></svg>', 2, svg.SVG_EXTERNAL),
    "href to javascript": (b'<svg xmlns="http://www.w3.org/2000/svg">\n<use href="javascript:alert(1)"/></svg>',
                           2, svg.SVG_EXTERNAL),
    "image element": (b'<svg xmlns="http://www.w3.org/2000/svg">\n<image href="data:image/svg+xml;base64,AAAA"/></svg>',
                      2, svg.SVG_ELEMENT),
    "link element": (b'<svg xmlns="http://www.w3.org/2000/svg">\n<a href="#x"><rect/></a></svg>', 2, svg.SVG_ELEMENT),
    "animation": (b'<svg xmlns="http://www.w3.org/2000/svg">\n<set attributeName="fill" to="red"/></svg>',
                  2, svg.SVG_ELEMENT),
    "css import": (b'<svg xmlns="http://www.w3.org/2000/svg">\n<style>@import url(https://evil.example/a.css);</style>'
                   b'</svg>', 2, svg.SVG_EXTERNAL),
    "css url": (b'<svg xmlns="http://www.w3.org/2000/svg">\n\n<rect style="fill: url(https://evil.example/p)"/></svg>',
                3, svg.SVG_EXTERNAL),
    "entity bomb": (b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
                    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>', 2, svg.SVG_DOCTYPE),
    "external entity": (b'<?xml version="1.0"?>\n<!DOCTYPE svg SYSTEM "file:///etc/passwd">\n'
                        b'<svg xmlns="http://www.w3.org/2000/svg"/>', 2, svg.SVG_DOCTYPE),
    "stylesheet instruction": (b'<?xml version="1.0"?>\n<?xml-stylesheet href="https://evil.example/s.css"?>\n'
                               b'<svg xmlns="http://www.w3.org/2000/svg"/>', 2, svg.SVG_INSTRUCTION),
    "html page": (b"<html><body><script>alert(1)</script></body></html>", 1, svg.SVG_NOT_SVG),
    "not xml": (b'<svg xmlns="http://www.w3.org/2000/svg">\n<rect>\n</svg>', 3, svg.SVG_MALFORMED),
}


@pytest.mark.parametrize("name", sorted(MALICIOUS))
def test_a_dangerous_svg_is_a_problem_with_its_path_and_line(name):
    data, line, code = MALICIOUS[name]
    files = course_files(**{"01-m/images/evil.svg": data})
    files["01-m/01-a.md"] = "---\ntitle: Урок\n---\n![Схема](images/evil.svg)\n".encode()
    course, problems = load(files)
    assert ("demo/01-m/images/evil.svg", line, code) in where(problems), where(problems)
    assert not svg.is_safe_svg(data)


def test_an_svg_found_wrong_is_never_an_image_whatever_its_name():
    from lms.core.assets import image_matches

    assert image_matches("x.svg", SAFE_SVG)
    assert not image_matches("x.svg", MALICIOUS["script"][0])
    assert not image_matches("x.png", SAFE_SVG)
