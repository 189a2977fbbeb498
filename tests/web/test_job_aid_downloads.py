"""The built-in course's job aids download as one-page PDFs in Russian, English and Arabic, only to
people who may open the course; lessons link to them; SVG drawings are served locked down."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from lms.core.frontmatter import split_front_matter
from lms.core.job_aids import MAX_CHARACTERS, MAX_LINES, Aid, Block, Run, measure
from lms.learn.aid_pdf import Page, render_aid

from support import ROOT, SAMPLE_COURSES, csrf_from

COURSE = ROOT / "courses" / "service-excellence"
SLUG = "service-excellence"
AIDS = ("seven-signs", "proposal-steps", "promise-log", "complaint", "touchpoint-map")
#: the lesson that links to each aid (in every edition that has the lesson)
LINKED_FROM = {
    "seven-signs": "03-proposal/02-seven-signs-of-bad-handling",
    "proposal-steps": "03-proposal/03-good-proposal-step-by-step",
    "promise-log": "04-keeping-your-word/01-said-it-did-it",
    "complaint": "02-three-keys/04-key-three-complaint-channel",
    "touchpoint-map": "02-three-keys/03-key-two-touchpoint-map",
}
ARABIC = re.compile("[\u0600-\u06ff]")


def aid_source(name: str, language: str):
    suffix = "" if language == "ru" else f".{language}"
    return split_front_matter((COURSE / "aids" / f"{name}{suffix}.md").read_text(encoding="utf-8"), name)


def words_printed(body: str, text: str) -> float:
    """The share of the body's words (four letters or more) that the PDF's text holds."""
    words = set(re.findall(r"[^\W\d_]{4,}", body))
    return sum(word in text for word in words) / len(words)


def import_courses(runner) -> None:
    result = runner.invoke(args=["lms", "courses", "import", str(ROOT / "courses")])
    assert result.exit_code == 0, result.output


def choose_edition(client, language: str) -> None:
    page = client.get(f"/training/courses/{SLUG}/")
    response = client.post(f"/training/courses/{SLUG}/edition",
                           data={"language": language, "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_every_job_aid_downloads_as_a_one_page_pdf_in_each_language(runner, client, auth):
    import_courses(runner)
    auth.as_role("learner")
    for language in ("ru", "en", "ar"):
        choose_edition(client, language)
        for name in AIDS:
            response = client.get(f"/training/courses/{SLUG}/aids/{name}.pdf")
            assert response.status_code == 200, (language, name)
            assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
            assert response.headers["Content-Disposition"] == f'inline; filename="{name}.{language}.pdf"'
            pages, text = pdf_text(response.data)
            assert pages == 1, (language, name)
            source = aid_source(name, language)
            assert source.meta["title"] in text, (language, name, text[:200])
            # every word is printed in a font that has it, shaped (a glyph missing from the font
            # or Arabic left unjoined would not come back out as the word)
            assert words_printed(source.body, text) > 0.95, (language, name, text)
            assert bool(ARABIC.search(text)) == (language == "ar"), (language, name)


def test_a_pdf_is_not_sent_again_while_it_has_not_changed(runner, client, auth):
    import_courses(runner)
    auth.as_role("learner")
    first = client.get(f"/training/courses/{SLUG}/aids/promise-log.pdf")
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(f"/training/courses/{SLUG}/aids/promise-log.pdf", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_an_aid_missing_in_the_learners_language_comes_in_the_courses_language(app, runner, client, auth, tmp_path):
    import shutil

    courses = tmp_path / "courses"
    shutil.copytree(SAMPLE_COURSES, courses)
    aids = courses / "sample" / "aids"
    aids.mkdir()
    (aids / "checklist.md").write_text("---\ntitle: Чек-лист продавца\n---\n- [ ] Перезвонить клиенту\n",
                                       encoding="utf-8")
    result = runner.invoke(args=["lms", "courses", "import", str(courses)])
    assert result.exit_code == 0, result.output
    auth.as_role("learner")
    page = client.get("/training/courses/sample/")
    client.post("/training/courses/sample/edition", data={"language": "ar",
                                                          "csrf_token": csrf_from(page.get_data(as_text=True))})
    response = client.get("/training/courses/sample/aids/checklist.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'inline; filename="checklist.ru.pdf"'
    assert "Чек-лист продавца" in pdf_text(response.data)[1]


def test_only_people_who_may_open_the_course_get_its_aids(app, runner, client, auth):
    import_courses(runner)
    url = f"/training/courses/{SLUG}/aids/seven-signs.pdf"
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    app.config["LMS_OPEN_CATALOGUE"] = False  # courses only by assignment
    auth.as_role("learner")
    response = client.get(url)
    assert response.status_code == 404 and not response.data.startswith(b"%PDF")
    app.config["LMS_OPEN_CATALOGUE"] = True
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["no-such-aid", "Seven-Signs", "..", "seven-signs.en"])
def test_an_unknown_or_malformed_aid_name_is_not_found(runner, client, auth, name):
    import_courses(runner)
    auth.as_role("learner")
    assert client.get(f"/training/courses/{SLUG}/aids/{name}.pdf").status_code == 404


def test_lessons_link_to_the_pdf_of_their_job_aid(runner, client, auth):
    import_courses(runner)
    auth.as_role("learner")
    for language in ("ru", "en", "ar"):
        choose_edition(client, language)
        for name, lesson in LINKED_FROM.items():
            suffix = "" if language == "ru" else f".{language}"
            if not (COURSE / f"{lesson}{suffix}.md").exists():
                continue  # that lesson is not translated yet: the edition shows the original, which links too
            page = client.get(f"/training/courses/{SLUG}/{lesson}").get_data(as_text=True)
            assert f'href="/training/courses/{SLUG}/aids/{name}.pdf"' in page, (language, lesson)


def test_diagrams_are_svg_images_with_a_text_alternative_served_under_a_strict_policy(runner, client, auth):
    import_courses(runner)
    auth.as_role("learner")
    lesson = "01-formula/01-reality-minus-expectations"
    for language in ("ru", "en", "ar"):
        if language != "ru" and not (COURSE / f"{lesson}.{language}.md").exists():
            continue
        choose_edition(client, language)
        page = client.get(f"/training/courses/{SLUG}/{lesson}").get_data(as_text=True)
        image = re.search(r'<img alt="([^"]+)" loading="lazy" src="([^"]+formula[^"]*\.svg)"', page)
        assert image is None or language == "ru" or f"formula.{language}.svg" in image.group(2)
        assert image, page[:500]
        alt, src = image.groups()
        assert len(alt) > 40  # says what the diagram shows
        response = client.get(src)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert b"<script" not in response.data


def test_a_stored_svg_with_a_script_is_never_served(app, client, auth):
    from lms.core.content import load_directory
    from lms.services.content import store_version
    from lms.state import db_session

    with app.app_context():
        (content,), problems = load_directory(SAMPLE_COURSES)
        assert problems == []
        # as a version imported before SVG drawings were checked could hold
        content.files["01-basics/images/map.svg"] = (b'<svg xmlns="http://www.w3.org/2000/svg">'
                                                     b'<script>alert(document.cookie)</script></svg>')
        store_version(db_session(), content)
        db_session().commit()
        token = content.content_hash[:12]
    auth.as_role("learner")
    response = client.get(f"/training/courses/sample/files/{token}/01-basics/images/map.svg")
    assert response.status_code == 404 and b"document.cookie" not in response.data


def test_importing_a_course_with_a_malicious_svg_fails_and_names_the_file_and_line(runner, tmp_path):
    import shutil

    courses = tmp_path / "courses"
    shutil.copytree(SAMPLE_COURSES, courses)
    (courses / "sample" / "01-basics" / "images" / "map.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg">\n<rect/>\n<rect onclick="steal()"/>\n</svg>\n')
    result = runner.invoke(args=["lms", "courses", "import", str(courses)])
    assert result.exit_code != 0
    assert "sample/01-basics/images/map.svg:3" in result.output and "onclick" in result.output


def test_the_largest_aids_the_checker_allows_still_fit_one_page():
    """The one-page limit the checker applies at import (measure) and the PDF's layout agree:
    the most text, the most (short) lines, and a form of blank rows each print on one page."""
    sentence = "Перезвоните клиенту в обещанное время и предупредите заранее, если не успеваете. "
    dense = Aid("Памятка на пределе", tuple(Block("paragraph", (Run(sentence * 3),))
                                           for _ in range(MAX_CHARACTERS // len(sentence * 3))))
    short = Aid("Много строк", tuple(Block("paragraph", (Run("Короткая строка"),)) for _ in range(MAX_LINES - 2)))
    form = Aid("Бланк", (Block("table", header=1, rows=(tuple((Run("Колонка"),) for _ in range(5)),)
                                + (((),) * 5,) * ((MAX_LINES - 4) // 2)),))
    for aid in (dense, short, form):
        size = measure(aid)
        assert size.fits and (size.characters > MAX_CHARACTERS - 300 or size.lines > MAX_LINES - 4), size
        for rtl in (False, True):
            assert pdf_text(render_aid(aid, Page("Курс", rtl)))[0] == 1, (aid.title, rtl)
