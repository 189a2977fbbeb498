"""Normalisation of typed answers, so equivalent spellings compare equal.

Used for short-answer questions: the learner's text and every accepted
answer go through :func:`normalize_answer` and are compared as strings.

What is ignored:

* letter case (Unicode case folding, so ``Straße`` equals ``STRASSE``);
* whitespace around the answer, and runs of whitespace inside it;
* punctuation around the answer (``"Flute."`` equals ``flute``), including
  Arabic ``؟ ، ؛``, brackets and typographic quotes -- but not characters
  that change meaning: ``# % & @ * / \\ - +`` and symbols such as ``$ €``
  are kept, so ``C#`` and ``C`` stay different;
* invisible characters (zero-width space/joiners, direction marks, tatweel);
* Russian ``ё`` versus ``е``;
* Arabic diacritics (harakat, shadda, sukun, superscript alef) and the letter
  variants ``أ إ آ ٱ`` -> ``ا``, ``ى`` -> ``ي``, ``ة`` -> ``ه``;
* compatibility forms (Unicode NFKC: full-width letters, Arabic
  presentation forms, ligatures).

Punctuation *inside* an answer is kept: ``St-Emilion`` and ``St Emilion``
are different answers; list both if both are acceptable.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_answer", "normalize_digits"]

# Arabic harakat and related combining marks: fathatan..sukun, maddah/hamza
# above/below, superscript alef, small high marks used in Quranic text.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
# Tatweel (kashida) and invisible formatting characters.
_INVISIBLE = re.compile("[\u0640\u200b-\u200f\u202a-\u202e\u2060-\u2064\u061c\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")

_LETTER_MAP = str.maketrans({
    "ё": "е",
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ة": "ه",
})

# Arabic-Indic and Extended Arabic-Indic (Persian/Urdu) digits -> ASCII.
_DIGIT_MAP = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹",
    "01234567890123456789",
)


def normalize_digits(text: str) -> str:
    """Replace Arabic-Indic and Persian digits with ASCII digits."""
    return text.translate(_DIGIT_MAP)


_KEEP_AT_EDGES = frozenset("#%&@*/\\-+")


def _is_edge_junk(ch: str) -> bool:
    """Characters stripped from the ends of an answer: punctuation and spaces."""
    if ch.isspace():
        return True
    return unicodedata.category(ch)[0] == "P" and ch not in _KEEP_AT_EDGES


def normalize_answer(text: str) -> str:
    """Return the comparison form of a short answer.

    Two answers are considered the same when their normalised forms are equal.
    The result is meant for comparison only, never for display.
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    # Remove marks before mapping letters, so a decomposed alef + hamza
    # (NFKC recomposes most of these) ends up as a plain alef either way.
    text = _INVISIBLE.sub("", text)
    text = text.translate(_LETTER_MAP)
    text = _ARABIC_MARKS.sub("", text)
    text = normalize_digits(text)
    text = _SPACES.sub(" ", text)
    start, end = 0, len(text)
    while start < end and _is_edge_junk(text[start]):
        start += 1
    while end > start and _is_edge_junk(text[end - 1]):
        end -= 1
    return text[start:end]
