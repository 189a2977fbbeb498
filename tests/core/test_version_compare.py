"""What changed between two versions of a course, activity by activity and by title (pure)."""
from lms.core.content import load_course
from lms.core.plain_text import paragraphs
from lms.core.text_diff import DELETE, INSERT
from lms.core.version_diff import ADDED, CHANGED, MOVED, REMOVED, VersionSide, compare

from support import SAMPLE_COURSES

ROOT = SAMPLE_COURSES / "sample"
FILES = {p.relative_to(ROOT).as_posix(): p.read_bytes() for p in ROOT.rglob("*") if p.is_file()}


def side(number: int, files: dict[str, bytes]) -> VersionSide:
    content, problems = load_course("sample", files, "sample")
    assert content is not None and not problems, problems

    def text(language, key):
        found = [a for a in content.editions[language].activities() if a.key == key]
        return [found[0].title, *paragraphs(found[0].html)] if found else None

    return VersionSide(number, files, content.manifest(), text)


def edited(path: str, old: str, new: str, files=None) -> dict[str, bytes]:
    files = dict(files or FILES)
    text = files[path].decode()
    assert old in text, (path, old)
    files[path] = text.replace(old, new).encode()
    return files


def marked(diff, kind):
    side_name = "old" if kind == DELETE else "new"
    return [s.text for row in diff.rows if getattr(row, side_name) for s in getattr(row, side_name).segments
            if s.kind == kind]


def test_a_changed_lesson_is_named_by_its_title_in_the_readers_language():
    new = edited("01-basics/02-speed.md", "10–30", "10–20")
    new = edited("01-basics/02-speed.md", "title: Скорость ответа", "title: Скорость ответа клиенту", new)
    result = compare(side(1, FILES), side(2, new), "ru")
    assert [m.title for m in result.modules] == ["Первый контакт"]
    [activity] = result.activities
    assert (activity.title, activity.old_title, activity.status, activity.kind) == (
        "Скорость ответа клиенту", "Скорость ответа", CHANGED, "lesson")
    [edition] = activity.editions
    assert (edition.language, edition.old_path, edition.new_path) == ("ru", "01-basics/02-speed.md",
                                                                      "01-basics/02-speed.md")
    assert marked(edition.source, DELETE) == ["30"] and marked(edition.source, INSERT) == ["клиенту", "20"]
    # the text as learners see it: the title, then the paragraphs, no Markdown
    assert marked(edition.text, DELETE) == ["30"] and marked(edition.text, INSERT) == ["клиенту", "20"]
    assert all("---" not in row.new.text for row in edition.text.rows if row.new)
    # an English reader sees the English titles (the English edition has this activity)
    english = compare(side(1, FILES), side(2, new), "en")
    assert english.activities[0].title == "Speed of reply" and english.modules[0].title == "First contact"
    # a reader of a language the course lacks sees the course's language
    assert compare(side(1, FILES), side(2, new), "de").activities[0].title == "Скорость ответа клиенту"


def test_each_changed_language_edition_is_compared_on_its_own():
    new = edited("01-basics/02-speed.en.md", "10–30", "10–20")
    [activity] = compare(side(1, FILES), side(2, new), "ru").activities
    assert activity.title == "Скорость ответа"
    [edition] = activity.editions
    assert edition.language == "en" and edition.path == "01-basics/02-speed.en.md"
    assert marked(edition.text, INSERT) == ["20"]


def test_added_removed_and_moved_activities():
    new = dict(FILES)
    new["01-basics/03-greeting.md"] = "---\ntitle: Приветствие\n---\nЗдравствуйте!\n".encode()
    del new["01-basics/01-welcome.md"], new["01-basics/01-welcome.en.md"], new["01-basics/01-welcome.ar.md"]
    for suffix in ("", ".en"):
        new[f"01-basics/01-checklist{suffix}.md"] = new.pop(f"02-practice/01-checklist{suffix}.md")
    new = {path: data.replace(b"01-welcome.md", b"03-greeting.md").replace(b"lesson: 01-checklist.md", b"lesson: ../01-basics/01-checklist.md")
           for path, data in new.items()}
    result = compare(side(1, FILES), side(2, new), "ru")
    by_key = {a.key: a for a in result.activities}
    assert by_key["01-basics/03-greeting"].status == ADDED
    assert [e.status for e in by_key["01-basics/03-greeting"].editions] == [ADDED]
    assert by_key["01-basics/01-welcome"].status == REMOVED
    assert sorted(e.language for e in by_key["01-basics/01-welcome"].editions) == ["ar", "en", "ru"]
    moved = by_key["01-basics/01-checklist"]
    assert (moved.status, moved.moved_from, moved.editions) == (MOVED, "Практика", ())
    # each under the module it is in now; the removed one under the module it was in
    first = next(m for m in result.modules if m.slug == "01-basics")
    assert {a.key for a in first.activities} == {"01-basics/01-checklist", "01-basics/03-greeting",
                                                 "01-basics/01-welcome"}


def test_reordered_activities_are_moved_the_others_not():
    course = FILES["02-practice/module.md"].decode()
    new = dict(FILES)
    new["02-practice/module.md"] = course.replace("---\n", "---\nactivities: [03-quiz, 01-checklist, 02-call]\n", 1
                                                  ).encode()
    result = compare(side(1, FILES), side(2, new), "ru")
    [module] = result.modules
    assert module.status == CHANGED and [e.path for e in module.settings] == ["02-practice/module.md"]
    assert [(a.key, a.status) for a in module.activities] == [("02-practice/03-quiz", MOVED)]


def test_course_settings_and_images_are_listed_apart():
    new = edited("course.md", "Короткий курс для тестов.", "Короткий курс для проверки.")
    new["01-basics/images/smile.png"] = new["01-basics/images/smile.png"] + b"\0"
    new["01-basics/images/new.png"] = new["01-basics/images/smile.png"]
    result = compare(side(1, FILES), side(2, new), "ru")
    assert [e.path for e in result.course] == ["course.md"]
    assert marked(result.course[0].text, INSERT) == ["проверки"]
    assert [(f.path, f.status) for f in result.files] == [("01-basics/images/new.png", ADDED),
                                                          ("01-basics/images/smile.png", CHANGED)]
    assert not result.modules and not result.empty


def test_the_same_content_has_no_changes():
    assert compare(side(1, FILES), side(2, dict(FILES)), "ru").empty
