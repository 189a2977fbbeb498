"""Merge translations from scripts/translations_*.json into the .po catalogues.

The JSON files map an English msgid to its translation (a list for plurals).
Usage: python scripts/fill_translations.py   (after `make i18n-extract`)
"""
import json
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "lms" / "translations"


def main() -> None:
    with open(TRANSLATIONS / "lms.pot", "rb") as handle:
        template = read_po(handle)
    for language in ("ru", "ar", "en"):
        table_path = ROOT / "scripts" / f"translations_{language}.json"
        table = json.loads(table_path.read_text(encoding="utf-8")) if table_path.exists() else {}
        catalog = Catalog(locale=language, domain="lms", project="lms", fuzzy=False)
        for message in template:
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if language == "en":
                string = message.id if not isinstance(message.id, tuple) else list(message.id)
            else:
                string = table.get(key, "")
            if isinstance(message.id, tuple):
                forms = catalog.num_plurals
                values = string if isinstance(string, list) else [string] * forms
                values = (values + [values[-1]] * forms)[:forms] if values else [""] * forms
                catalog.add(message.id, tuple(values))
            else:
                catalog.add(message.id, string if isinstance(string, str) else string[0])
        directory = TRANSLATIONS / language / "LC_MESSAGES"
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / "lms.po", "wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, no_location=True, sort_output=True)
        with open(directory / "lms.mo", "wb") as handle:
            write_mo(handle, catalog)
        missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
        print(f"{language}: {len(catalog) - 1} messages, {len(missing)} untranslated")


if __name__ == "__main__":
    main()
