"""Merge {msgid: [ru, ar]} tables into scripts/translations_*.json, then run fill_translations.py.

Usage: python scripts/add_translations.py NEW.json   (plural entries: [[ru forms...], [ar forms...]])
"""
import json
import sys
from pathlib import Path

new = json.load(open(sys.argv[1]))
for lang, idx in (("ru", 0), ("ar", 1)):
    p = Path(__file__).parent / f"translations_{lang}.json"
    table = json.load(open(p))
    for k, v in new.items():
        table[k] = v[idx]
    json.dump(dict(sorted(table.items())), open(p, "w"), ensure_ascii=False, indent=0)
