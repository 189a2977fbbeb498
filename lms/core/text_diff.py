"""The differences between two texts, side by side, down to the word (pure).

:func:`side_by_side` aligns the lines of two texts (:mod:`difflib`), pairs each changed line
with the line that replaced it when the two resemble each other, and marks the words that
differ within the pair: an author sees "10–30 minutes" become "10–20 minutes" rather than two
whole paragraphs, one red and one green. Words are runs of letters, digits and combining marks
in any script (Latin, Cyrillic, Arabic with its vowel marks), so a Russian or Arabic word
changes as a whole; spaces and each punctuation mark are tokens of their own.

The result is plain data: rows with an old and a new side, each side a tuple of segments
marked ``equal``, ``delete`` or ``insert``. Escaping, colours and the words a screen reader
hears are the template's.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

EQUAL = "equal"
DELETE = "delete"
INSERT = "insert"
#: row kinds besides EQUAL, DELETE (an old line only) and INSERT (a new line only)
CHANGE = "change"  # an old line and the new line that replaced it
SKIP = "skip"      # unchanged lines folded away

#: Lines that share at least this share of their tokens are one line changed, shown word by word;
#: below it they are an old line removed beside an unrelated new one.
PAIR_CUTOFF = 0.45
#: Above this many tokens on a side a line is compared whole (difflib is quadratic at worst).
MAX_TOKENS = 4_000
#: Above this many line pairs in one changed block the lines are paired in order, not by likeness.
MAX_PAIRINGS = 900
#: An unchanged run this short (spaces, a comma) between two changes is shown as part of the change.
MAX_GLUE = 2

_JOINERS = frozenset("\u200c\u200d")          # zero-width (non-)joiners inside Arabic-script words
_APOSTROPHES = frozenset("'\u2019")          # don't, l'été: one word


@dataclass(frozen=True)
class Segment:
    kind: str  # EQUAL | DELETE | INSERT
    text: str


@dataclass(frozen=True)
class Side:
    """One line of one text: its number (from 1) and its segments."""

    number: int
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def changed(self) -> bool:
        return any(s.kind != EQUAL for s in self.segments)


@dataclass(frozen=True)
class Row:
    """A row of the side-by-side view: ``kind`` is EQUAL, CHANGE, DELETE, INSERT or SKIP
    (then ``skipped`` unchanged lines are folded here and both sides are None)."""

    kind: str
    old: Side | None = None
    new: Side | None = None
    skipped: int = 0


@dataclass(frozen=True)
class TextDiff:
    rows: tuple[Row, ...]

    @property
    def changed(self) -> bool:
        return any(row.kind not in (EQUAL, SKIP) for row in self.rows)

    @property
    def deleted(self) -> int:
        """How many old lines were removed or changed."""
        return sum(1 for row in self.rows if row.old is not None and row.kind in (DELETE, CHANGE))

    @property
    def inserted(self) -> int:
        """How many new lines were added or changed."""
        return sum(1 for row in self.rows if row.new is not None and row.kind in (INSERT, CHANGE))


def _char_class(char: str) -> str:
    if char.isspace():
        return "space"
    if char.isalnum() or char == "_" or char in _JOINERS or unicodedata.category(char).startswith("M"):
        return "word"
    return "mark"


def tokenize(text: str) -> list[str]:
    """Split ``text`` into words, runs of spaces and single punctuation marks; joined they give it back."""
    tokens: list[str] = []
    current = ""
    current_class = ""
    for index, char in enumerate(text):
        kind = _char_class(char)
        if (kind == "mark" and char in _APOSTROPHES and current_class == "word"
                and index + 1 < len(text) and _char_class(text[index + 1]) == "word"):
            kind = "word"
        if current and kind == current_class and kind != "mark":
            current += char
            continue
        if current:
            tokens.append(current)
        current, current_class = char, kind
    if current:
        tokens.append(current)
    return tokens


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for segment in segments:
        if not segment.text:
            continue
        if merged and merged[-1].kind == segment.kind:
            merged[-1] = Segment(segment.kind, merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return tuple(merged)


def _trim(segments: list[Segment]) -> list[Segment]:
    """Spaces at the edges of a changed run are shown unmarked: "ответа[ клиенту]" reads as "ответа [клиенту]".
    A change of spaces alone stays marked."""
    trimmed: list[Segment] = []
    for segment in segments:
        core = segment.text.strip()
        if segment.kind == EQUAL or not core or core == segment.text:
            trimmed.append(segment)
            continue
        start = segment.text.index(core)
        trimmed += [Segment(EQUAL, segment.text[:start]), Segment(segment.kind, core),
                    Segment(EQUAL, segment.text[start + len(core):])]
    return trimmed


def _whole(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    return _merge([Segment(DELETE, old)]), _merge([Segment(INSERT, new)])


def word_diff(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """The segments of the old line and of the new one, the words that differ marked."""
    return _word_diff(tokenize(old), tokenize(new))


def _word_diff(a: list[str], b: list[str]) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    if len(a) > MAX_TOKENS or len(b) > MAX_TOKENS:
        return _whole("".join(a), "".join(b))
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    old: list[Segment] = []
    new: list[Segment] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        # a space or a comma left between two changes reads as part of one change ("a b" → "c d")
        glue = (tag == "equal" and 0 < index < len(opcodes) - 1 and i2 - i1 <= MAX_GLUE
                and not any(_char_class(token[0]) == "word" for token in a[i1:i2]))
        if tag == "equal" and not glue:
            old.append(Segment(EQUAL, "".join(a[i1:i2])))
            new.append(Segment(EQUAL, "".join(b[j1:j2])))
            continue
        old.append(Segment(DELETE, "".join(a[i1:i2])))
        new.append(Segment(INSERT, "".join(b[j1:j2])))
    return _merge(_trim(old)), _merge(_trim(new))


def _likeness(a: list[str], b: list[str]) -> float:
    """How much two lines share, by their words and marks (shared spaces make no likeness)."""
    matcher = SequenceMatcher(None, [t for t in a if not t.isspace()], [t for t in b if not t.isspace()],
                              autojunk=False)
    if matcher.real_quick_ratio() < PAIR_CUTOFF or matcher.quick_ratio() < PAIR_CUTOFF:
        return 0.0
    return matcher.ratio()


def _unpaired(old: Sequence[str], new: Sequence[str], i0: int, j0: int) -> list[Row]:
    """Lines with no likely partner: side by side while both sides last, then alone."""
    rows = []
    for offset in range(max(len(old), len(new))):
        left = Side(i0 + offset + 1, _merge([Segment(DELETE, old[offset])])) if offset < len(old) else None
        right = Side(j0 + offset + 1, _merge([Segment(INSERT, new[offset])])) if offset < len(new) else None
        kind = CHANGE if left and right else DELETE if left else INSERT
        rows.append(Row(kind, left, right))
    return rows


def _paired(old: Sequence[str], new: Sequence[str], i0: int, j0: int) -> list[Row]:
    """A changed block: the most alike pair of lines is one line changed; the lines before and
    after it are paired the same way (as :class:`difflib.Differ` does)."""
    if not old or not new:
        return _unpaired(old, new, i0, j0)
    old_tokens = [tokenize(line) for line in old]
    new_tokens = [tokenize(line) for line in new]
    if len(old) * len(new) > MAX_PAIRINGS:
        rows = []
        for offset in range(min(len(old), len(new))):
            left, right = _word_diff(old_tokens[offset], new_tokens[offset])
            rows.append(Row(CHANGE, Side(i0 + offset + 1, left), Side(j0 + offset + 1, right)))
        shorter = min(len(old), len(new))
        return rows + _unpaired(old[shorter:], new[shorter:], i0 + shorter, j0 + shorter)
    best, best_i, best_j = PAIR_CUTOFF, -1, -1
    for i, a in enumerate(old_tokens):
        for j, b in enumerate(new_tokens):
            likeness = 1.0 if a == b else _likeness(a, b)
            if likeness > best:
                best, best_i, best_j = likeness, i, j
    if best_i < 0:
        return _unpaired(old, new, i0, j0)
    left, right = _word_diff(old_tokens[best_i], new_tokens[best_j])
    row = Row(CHANGE, Side(i0 + best_i + 1, left), Side(j0 + best_j + 1, right))
    return (_paired(old[:best_i], new[:best_j], i0, j0) + [row]
            + _paired(old[best_i + 1:], new[best_j + 1:], i0 + best_i + 1, j0 + best_j + 1))


def fold(rows: Sequence[Row], context: int) -> tuple[Row, ...]:
    """Keep ``context`` unchanged rows around each change; fold the other unchanged runs into a SKIP row."""
    result: list[Row] = []
    index = 0
    while index < len(rows):
        if rows[index].kind != EQUAL:
            result.append(rows[index])
            index += 1
            continue
        end = index
        while end < len(rows) and rows[end].kind == EQUAL:
            end += 1
        keep_before = context if index > 0 else 0      # after a change
        keep_after = context if end < len(rows) else 0  # before a change
        if end - index <= keep_before + keep_after + 1:
            result.extend(rows[index:end])
        else:
            result.extend(rows[index:index + keep_before])
            result.append(Row(SKIP, skipped=end - index - keep_before - keep_after))
            result.extend(rows[end - keep_after:end])
        index = end
    return tuple(result)


def side_by_side(old: str, new: str, context: int | None = 3) -> TextDiff:
    """The rows of two texts side by side, changed lines word by word.

    With ``context``, unchanged lines further than that from a change are folded into
    SKIP rows; with None every line is kept.
    """
    a, b = old.splitlines(), new.splitlines()
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows.extend(Row(EQUAL, Side(i + 1, _merge([Segment(EQUAL, a[i])])), Side(j + 1, _merge([Segment(EQUAL, b[j])])))
                        for i, j in zip(range(i1, i2), range(j1, j2), strict=True))
        elif tag == "replace":
            rows.extend(_paired(a[i1:i2], b[j1:j2], i1, j1))
        else:
            rows.extend(_unpaired(a[i1:i2], b[j1:j2], i1, j1))
    return TextDiff(fold(rows, context) if context is not None else tuple(rows))
