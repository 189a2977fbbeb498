"""Every UI string is translated into Russian and Arabic, and the compiled catalogues are current."""
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
                    "-k", "_l", "-k", "lazy_gettext", "-k", "_", "-k", "gettext", "-k", "ngettext:1,2",
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
        assert not missing, f"{language}: untranslated {missing[:10]} (run make i18n and fill scripts/translations_{language}.json)"


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
