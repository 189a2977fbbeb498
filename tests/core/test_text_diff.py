"""Two texts side by side, word by word; rendered HTML as paragraphs; the meaning of a version's note."""
import pytest

from lms.core import version_notes
from lms.core.plain_text import paragraphs
from lms.core.text_diff import (
    CHANGE,
    DELETE,
    EQUAL,
    INSERT,
    SKIP,
    Segment,
    side_by_side,
    tokenize,
    word_diff,
)


def marked(segments, kind):
    return [s.text for s in segments if s.kind == kind]


@pytest.mark.parametrize("text,tokens", [
    ("Отвечайте за 10–30 минут.", ["Отвечайте", " ", "за", " ", "10", "–", "30", " ", "минут", "."]),
    # Arabic words keep their vowel marks (combining characters) and their joiners
    ("مرحبًا بالعالم، أهلًا", ["مرحبًا", " ", "بالعالم", "،", " ", "أهلًا"]),
    ("don't  stop", ["don't", "  ", "stop"]),
    ("«Да»!", ["«", "Да", "»", "!"]),
    ("", []),
])
def test_words_spaces_and_each_mark_are_tokens(text, tokens):
    assert tokenize(text) == tokens
    assert "".join(tokenize(text)) == text


def test_only_the_changed_word_is_marked():
    old, new = word_diff("Отвечайте на заявку за 10–30 минут.", "Отвечайте на заявку за 10–20 минут.")
    assert marked(old, DELETE) == ["30"] and marked(new, INSERT) == ["20"]
    assert "".join(s.text for s in old) == "Отвечайте на заявку за 10–30 минут."
    assert old[0] == Segment(EQUAL, "Отвечайте на заявку за 10–")


def test_a_whole_word_changes_in_cyrillic_and_arabic():
    old, new = word_diff("Клиент всегда прав", "Клиент часто прав")
    assert marked(old, DELETE) == ["всегда"] and marked(new, INSERT) == ["часто"]
    old, new = word_diff("رحّب بالعميل بسرعة", "رحّب بالعميل بلطف")
    assert marked(old, DELETE) == ["بسرعة"] and marked(new, INSERT) == ["بلطف"]


def test_a_space_between_two_changes_joins_them():
    old, new = word_diff("we call back tomorrow", "we write soon tomorrow")
    assert marked(old, DELETE) == ["call back"] and marked(new, INSERT) == ["write soon"]


def test_lines_are_aligned_and_the_changed_pair_sits_side_by_side():
    old = "title: Скорость\n\nОтвечайте за 10–30 минут.\nКонец.\n"
    new = "title: Скорость\n\nНовая строка.\nОтвечайте за 10–20 минут.\nКонец.\n"
    rows = side_by_side(old, new, context=None).rows
    assert [r.kind for r in rows] == [EQUAL, EQUAL, INSERT, CHANGE, EQUAL]
    inserted, changed = rows[2], rows[3]
    assert inserted.old is None and inserted.new.number == 3 and inserted.new.text == "Новая строка."
    assert (changed.old.number, changed.new.number) == (3, 4)
    assert marked(changed.old.segments, DELETE) == ["30"] and marked(changed.new.segments, INSERT) == ["20"]


def test_unrelated_lines_are_not_highlighted_word_by_word():
    rows = side_by_side("Первый абзац про сроки.", "Completely different words here.").rows
    assert [r.kind for r in rows] == [CHANGE]
    assert rows[0].old.segments == (Segment(DELETE, "Первый абзац про сроки."),)
    assert rows[0].new.segments == (Segment(INSERT, "Completely different words here."),)


def test_a_changed_block_pairs_the_lines_that_resemble_each_other():
    old = "alpha beta gamma\nunrelated old line\n"
    new = "something brand new\nalpha beta delta\n"
    rows = side_by_side(old, new, context=None).rows
    pair = next(r for r in rows if r.old and r.new and r.old.text.startswith("alpha"))
    assert pair.new.text == "alpha beta delta" and marked(pair.new.segments, INSERT) == ["delta"]


def test_unchanged_lines_far_from_a_change_are_folded():
    old = "\n".join(f"line {n}" for n in range(1, 21))
    new = old.replace("line 10", "line ten")
    diff = side_by_side(old, new, context=2)
    kinds = [r.kind for r in diff.rows]
    assert kinds == [SKIP, EQUAL, EQUAL, CHANGE, EQUAL, EQUAL, SKIP]
    assert diff.rows[0].skipped == 7 and diff.rows[-1].skipped == 8
    assert diff.changed and diff.deleted == 1 and diff.inserted == 1
    assert not side_by_side(old, old).changed


def test_a_new_text_is_all_inserted_and_a_removed_one_all_deleted():
    added = side_by_side("", "one\ntwo")
    assert [r.kind for r in added.rows] == [INSERT, INSERT] and added.inserted == 2
    removed = side_by_side("one\ntwo", "")
    assert [r.kind for r in removed.rows] == [DELETE, DELETE] and removed.deleted == 2


def test_html_becomes_paragraphs_of_plain_text():
    html = ('<h2>Сроки</h2><p>Отвечайте за <strong>10&nbsp;минут</strong>\n и не позже.</p>'
            '<ul><li>Мессенджер</li><li>Почта <img src="images/mail.png" alt="письмо"></li></ul>'
            '<table><tr><th>Канал</th><th>Срок</th></tr><tr><td>Чат</td><td>10</td></tr></table>'
            '<pre><code>a = 1\nb = 2</code></pre><script>alert(1)</script>')
    assert paragraphs(html) == ["Сроки", "Отвечайте за 10 минут и не позже.", "• Мессенджер", "• Почта [письмо]",
                                "Канал | Срок", "Чат | 10", "a = 1", "b = 2"]
    assert paragraphs("") == []


@pytest.mark.parametrize("note,code,value", [
    ("@published", version_notes.PUBLISHED, ""),
    ("@rollback:3", version_notes.ROLLBACK, "3"),
    ("@zip", version_notes.ZIP, ""),
    ("@import:courses/", version_notes.IMPORT, "courses/"),
    # the English notes of versions stored before the codes
    ("published from the editor", version_notes.PUBLISHED, ""),
    ("rollback to version 12", version_notes.ROLLBACK, "12"),
    ("imported from a zip", version_notes.ZIP, ""),
    ("import from /srv/courses", version_notes.IMPORT, "/srv/courses"),
    # an author's own words, even ones that look a little like a code
    ("Исправлены цены во втором модуле", version_notes.TEXT, "Исправлены цены во втором модуле"),
    ("@zip и картинки", version_notes.TEXT, "@zip и картинки"),
    ("", version_notes.TEXT, ""),
])
def test_a_note_is_read_as_a_code_or_as_the_authors_text(note, code, value):
    assert version_notes.read_note(note) == version_notes.Note(code, value)


def test_the_system_writes_codes():
    assert [version_notes.read_note(n).code for n in (version_notes.published_note(), version_notes.rollback_note(2),
                                                      version_notes.zip_note(), version_notes.import_note("x"))] == [
        version_notes.PUBLISHED, version_notes.ROLLBACK, version_notes.ZIP, version_notes.IMPORT]


def test_spaces_at_the_edge_of_a_change_are_not_marked_but_a_change_of_spaces_is():
    old, new = word_diff("Скорость ответа", "Скорость ответа клиенту")
    assert new == (Segment(EQUAL, "Скорость ответа "), Segment(INSERT, "клиенту"))
    old, new = word_diff("a b", "a  b")
    assert marked(old, DELETE) == [" "] and marked(new, INSERT) == ["  "]
