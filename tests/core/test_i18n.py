"""Every UI string is translated into Russian and Arabic, plurals have each language's real forms,
placeholders survive translation, and the compiled catalogues are current.

The .po files are the translators' source (``make i18n``: pybabel extract, update, compile)."""
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "lms" / "translations"


def extracted_ids(tmp_path) -> set:
    pot = tmp_path / "lms.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_l", "-k", "lazy_gettext", "-k", "_", "-k", "gettext", "-k", "ngettext:1,2", "-k", "define:2",
                    "--no-location", "-o", str(pot), str(ROOT)], check=True, capture_output=True, cwd=ROOT)
    with open(pot, "rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def test_every_string_is_translated_in_ru_and_ar(tmp_path):
    wanted = extracted_ids(tmp_path)
    assert len(wanted) > 100
    for language in ("ru", "ar"):
        with open(TRANSLATIONS / language / "LC_MESSAGES" / "lms.po", "rb") as handle:
            catalog = read_po(handle)
        translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                      if m.id and (m.string if isinstance(m.string, str) else all(m.string))}
        missing = sorted(wanted - translated)
        assert not missing, f"{language}: untranslated {missing[:10]} (run make i18n and translate them in lms/translations/{language}/LC_MESSAGES/lms.po)"


def as_key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def test_compiled_catalogues_match_their_sources():
    for language in ("ru", "ar", "en"):
        directory = TRANSLATIONS / language / "LC_MESSAGES"
        with open(directory / "lms.po", "rb") as handle:
            source = {as_key(m.id): as_key(m.string) for m in read_po(handle) if m.id}
        with open(directory / "lms.mo", "rb") as handle:
            compiled = {as_key(m.id): as_key(m.string) for m in read_mo(handle) if m.id}
        assert source == compiled, f"{language}: lms.mo is out of date; run make i18n"


PLACEHOLDER = re.compile(r"%\(([a-z_]+)\)[sd]")


def catalog(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "lms.po", "rb") as handle:
        return read_po(handle, locale=language)


def numbers_per_form(catalogue) -> dict[int, set[int]]:
    """Which counts (0-1000) each plural form of the catalogue is used for, by the language's rule."""
    plural = catalogue.locale.plural_form
    order = [tag for tag in ("zero", "one", "two", "few", "many") if tag in plural.tags] + ["other"]
    forms: dict[int, set[int]] = {}
    for n in range(0, 1001):
        forms.setdefault(order.index(plural(n)), set()).add(n)
    return forms


def test_no_translation_is_empty():
    for language in ("ru", "ar", "en"):
        for message in catalog(language):
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(s.strip() for s in strings), f"{language}: empty translation of {message.id!r}"


def test_plurals_have_the_languages_own_forms():
    """Russian has three plural forms and Arabic six; a plural whose forms are all the same
    (one form copied into every slot) is not translated."""
    expected = {"ru": 3, "ar": 6}
    for language, count in expected.items():
        catalogue = catalog(language)
        assert catalogue.num_plurals == count
        plurals = [m for m in catalogue if m.id and isinstance(m.id, tuple)]
        assert plurals
        for message in plurals:
            assert len(message.string) == count, f"{language}: {message.id[0]!r} needs {count} forms"
            assert len(set(message.string)) > 1, f"{language}: every plural form of {message.id[0]!r} is the same"


def test_placeholders_survive_translation():
    """A translation keeps every %(name)s of its message; a plural form used for exactly one
    number (Arabic "one", "two", "zero") may spell the number out instead of %(num)s."""
    for language in ("ru", "ar"):
        catalogue = catalog(language)
        per_form = numbers_per_form(catalogue)
        for message in catalogue:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for index, string in enumerate(strings):
                missing = wanted - set(PLACEHOLDER.findall(string))
                if isinstance(message.id, tuple) and len(per_form.get(index, ())) == 1:
                    missing -= {"num"}
                assert not missing, f"{language}: {message.id!r} form {index} lacks %({missing.pop()})s"
                extra = set(PLACEHOLDER.findall(string)) - wanted
                assert not extra, f"{language}: {message.id!r} form {index} has an unknown %({extra.pop()})s"


def test_no_translated_string_hides_inside_an_f_string():
    """pybabel cannot read a call inside an f-string: its text would silently drop out of the catalogues."""
    import re

    from support import ROOT

    pattern = re.compile(r"""f(["'])[^"'\n]*\{\s*(_|gettext|ngettext|_l|lazy_gettext)\(""")
    hidden = [f"{path.relative_to(ROOT)}:{number}" for path in sorted((ROOT / "lms").rglob("*.py"))
              for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if pattern.search(line)]
    assert hidden == [], f"move these calls out of their f-strings: {hidden}"
