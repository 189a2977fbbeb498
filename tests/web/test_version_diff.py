"""Comparing versions in the studio: by activity title, side by side, word by word; notes in the
reader's language; publishing asks for a one-line note."""
import re

from babel.support import Translations
from sqlalchemy import func, select

from lms.i18n import TRANSLATIONS
from lms.models import Course, CourseVersion
from lms.services import authoring
from lms.state import db_session

from support import SAMPLE_COURSES, csrf_from, make_editor

LESSON = "01-basics/02-speed.md"
EDIT = f"/training/author/sample/edit?path={LESSON}"
VERSIONS = "/training/author/sample/versions"
NEW_LESSON = ("---\ntitle: Скорость ответа клиенту\n---\nОтвечайте на заявку за 10–20 минут.\n\n"
              "| Канал | Срок |\n|---|---|\n| Мессенджер | 10 минут |\n")


def words(language: str):
    """The interface's words in ``language``, from the plugin's catalogue."""
    catalogue = Translations.load(str(TRANSLATIONS), [language], domain="lms")
    return lambda msgid, **values: catalogue.gettext(msgid) % values if values else catalogue.gettext(msgid)


def count_versions(app) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count(CourseVersion.id)))


def edit_and_publish(client, note: str | None = "Сроки ответа короче"):
    token = csrf_from(client.get(EDIT).get_data(as_text=True))
    assert client.post(EDIT, data={"csrf_token": token, "text": NEW_LESSON, "action": "save"}).status_code == 302
    data = {"csrf_token": token} | ({"note": note} if note is not None else {})
    return client.post("/training/author/sample/publish", data=data)


def test_the_versions_page_names_the_changed_activity_and_marks_the_changed_words(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    assert edit_and_publish(client).status_code == 302 and count_versions(app) == 2
    page = client.get(VERSIONS).get_data(as_text=True)  # by default: the version before and the latest
    ru = words("ru")
    assert ru("What changed from version %(old)s to version %(new)s", old=1, new=2) in page
    # the activity by its (new) title, in the table of contents and as a heading; its old title said
    assert re.search(r'<a href="#activity-01-basics--02-speed"><bdi>Скорость ответа клиенту</bdi></a>', page)
    assert re.search(r'<h4 class="change-title" id="activity-01-basics--02-speed-title"><bdi>Скорость ответа '
                     r'клиенту</bdi></h4>', page)
    assert ru("Title before: %(title)s", title="Скорость ответа") in page
    # the changed words only: 30 became 20, in the text as learners see it and in the source
    deleted = re.findall(r'<del class="diff-del"><span class="visually-hidden"[^>]*>[^<]*</span>([^<]*)</del>', page)
    inserted = re.findall(r'<ins class="diff-ins"><span class="visually-hidden"[^>]*>[^<]*</span>([^<]*)</ins>', page)
    assert deleted.count("30") == 2 and inserted.count("20") == 2, (deleted, inserted)
    assert "клиенту" in inserted
    assert "Отвечайте на заявку за 10–" in page  # the unchanged words stay plain beside them
    assert ru("Text as learners see it") in page and ru("Source") in page
    # no raw Markdown in the text learners see: the table is a row of cells
    text_table = page.split(ru("Text as learners see it"), 2)[2].split("<details", 1)[0]
    assert "Мессенджер | 10 минут" in text_table and "|---|" not in text_table
    # the author's note as written, the import's note in the reader's language
    assert "Сроки ответа короче" in page
    assert ru("Imported from the folder %(folder)s", folder="") in page
    assert "import from" not in page


def test_publishing_needs_a_one_line_note(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    for note in (None, "", "   \n  "):
        refused = edit_and_publish(client, note)
        assert refused.status_code == 302 and refused.headers["Location"].endswith("/training/author/sample/")
        assert count_versions(app) == 1
    course = client.get("/training/author/sample/").get_data(as_text=True)
    assert words("ru")("Write in one line what changed, then publish: the note is shown in the list of versions.") in course
    assert 'name="note"' in course and 'maxlength="200"' in course and "required" in course
    assert edit_and_publish(client, "  Сроки\nответа   короче ").status_code == 302 and count_versions(app) == 2
    with app.app_context():
        assert db_session().scalar(select(CourseVersion.note).where(CourseVersion.number == 2)) == "Сроки ответа короче"
    assert edit_and_publish(client, "x" * 201).status_code == 302 and count_versions(app) == 2


def test_system_notes_are_worded_in_the_readers_language(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    edit_and_publish(client)
    token = csrf_from(client.get(VERSIONS).get_data(as_text=True))
    assert client.post("/training/author/sample/rollback", data={"csrf_token": token, "number": "1"}).status_code == 302
    with app.app_context():
        session = db_session()
        notes = dict(session.execute(select(CourseVersion.number, CourseVersion.note)).all())
        assert notes[3] == "@rollback:1" and notes[1].startswith("@import:")
        # a version stored before the codes keeps its English note: it is worded all the same
        course_id = session.scalar(select(Course.id).where(Course.slug == "sample"))
        session.execute(CourseVersion.__table__.update().where(CourseVersion.course_id == course_id,
                                                               CourseVersion.number == 1)
                        .values(note="imported from a zip"))
        session.commit()
    for language in ("ru", "ar"):
        t = words(language)
        page = client.get(VERSIONS, headers={"Accept-Language": language}).get_data(as_text=True)
        assert t("Version %(number)s published again", number=1) in page
        assert t("Imported from a zip") in page and "imported from a zip" not in page
        assert t("Version %(number)s published again", number=1) != "Version 1 published again"


def test_the_versions_page_compares_any_two_and_refuses_nothing_else(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    edit_and_publish(client)
    ru = words("ru")
    assert ru("What changed from version %(old)s to version %(new)s", old=1, new=2) in client.get(
        VERSIONS + "?b=2").get_data(as_text=True)  # one end chosen: the other is the version before it
    backwards = client.get(VERSIONS + "?a=2&b=1").get_data(as_text=True)
    assert re.search(r'<del class="diff-del">[^/]*</span>20</del>', backwards)
    assert words("ru")("Choose two different versions to compare.") in client.get(VERSIONS + "?a=2&b=2").get_data(
        as_text=True)
    assert words("ru")("There is no version %(number)s.", number=9) in client.get(VERSIONS + "?a=1&b=9").get_data(
        as_text=True)


def test_a_quiz_and_a_role_play_are_compared_as_learners_read_them(client, auth, app, sample_course):
    """Each kind says what a learner reads in it: a quiz's options and feedback, a role-play's lines and
    replies; which option is right stays in the source."""
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    edits = {"02-practice/03-quiz.md": ("- [ ] Весь прайс-лист", "- [ ] Весь прайс-лист целиком"),
             "02-practice/02-call.md": ("Не знаю, позвоните позже.", "Не знаю, позвоните завтра.")}
    with app.app_context():
        session = db_session()
        course = session.scalar(select(Course).where(Course.slug == "sample"))
        for path, (old, new) in edits.items():
            text = (SAMPLE_COURSES / "sample" / path).read_text(encoding="utf-8")
            authoring.save_draft(session, course, path, text.replace(old, new).encode(), None)
        session.commit()
    token = csrf_from(client.get("/training/author/sample/").get_data(as_text=True))
    assert client.post("/training/author/sample/publish", data={"csrf_token": token, "note": "Формулировки"}
                       ).status_code == 302
    page = client.get(VERSIONS).get_data(as_text=True)
    quiz = page.split('id="activity-02-practice--03-quiz"', 1)[1].split("</article>", 1)[0]
    learners_see = quiz.split("<details", 1)[0]
    assert "○ Весь прайс-лист" in learners_see and re.search(r"</span>целиком</ins>", learners_see)
    assert "[x]" not in learners_see and "[ ]" not in learners_see
    assert "- [ ] Весь прайс-лист" in quiz.split("<details", 1)[1]  # the source, as written
    call = page.split('id="activity-02-practice--02-call"', 1)[1].split("</article>", 1)[0]
    learners_hear = call.split("<details", 1)[0]
    assert "→ Не знаю, позвоните" in learners_hear and re.search(r"</span>завтра</ins>", learners_hear)
    assert "#later" not in learners_hear and "experience-2" not in learners_hear
