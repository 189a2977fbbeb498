"""The course as a trainer thinks of it: modules and activities by title, and the edits of that outline (pure).

The studio shows a course folder as its outline (:func:`course_outline`) and changes it with the
operations below. Each operation takes the working files and returns the changes to store as drafts
(``{path: new bytes, or None to delete}``); it never renames a file, so learners' progress, which is
keyed by module and file stem, survives any reordering. Order is written where the loader reads it:
``modules:`` in course.md and ``activities:`` in a module's module.md
(:func:`lms.core.content.read_structure` reads it back the loader's way).

Front matter is edited line by line (:func:`set_front_matter`), so an author's comments and layout
outside the key that changes are kept.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .content import RESERVED_MODULE_SLUGS, SLUG_RE, Limits, Structure, read_structure, split_language
from .frontmatter import split_front_matter
from .problems import Problem, define

Changes = dict[str, bytes | None]

NO_SUCH_MODULE = define("outline.no-such-module", "there is no module '%(module)s' in this course")
NO_SUCH_ACTIVITY = define("outline.no-such-activity", "there is no activity '%(activity)s' in module '%(module)s'")
BAD_ORDER = define("outline.bad-order", "the new order must list each item of the outline once: %(expected)s")
EMPTY_TITLE = define("outline.empty-title", "give a title (1 to %(max)s characters)")
NO_COURSE = define("outline.no-course", "course.md cannot be read; fix it in the editor first")
FRONT_MATTER_UNREADABLE = define("outline.front-matter", "the front matter of %(path)s cannot be read; fix it in "
                                                         "the editor first")

MAX_TITLE = 200
_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
     "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


class OutlineError(ValueError):
    """An outline edit that cannot be made, with its problem."""

    def __init__(self, code: str, **params: Any):
        self.problem = Problem.of("", 0, code, **params)
        super().__init__(self.problem.message)


@dataclass(frozen=True)
class Found:
    """A problem of one language edition of an item of the outline."""

    language: str
    problem: Problem

    @property
    def severity(self) -> str:
        return "accepted" if self.problem.accepted else self.problem.severity


@dataclass
class OutlineActivity:
    module: str
    stem: str
    path: str                      # the original (default-language) file
    title: str
    kind: str
    editions: dict[str, str]       # language -> file, the original included
    missing: list[str]             # the course's languages with no edition of this activity
    problems: list[Found] = field(default_factory=list)
    change: str | None = None      # added | changed | deleted (unpublished), None when published as is


@dataclass
class OutlineModule:
    slug: str
    path: str
    title: str
    editions: dict[str, str]
    missing: list[str]
    activities: list[OutlineActivity]
    problems: list[Found] = field(default_factory=list)
    change: str | None = None


@dataclass
class Outline:
    title: str
    language: str
    languages: list[str]
    modules: list[OutlineModule]
    course_problems: list[Found]  # of course.md and its editions, and of files in no module
    other_files: list[str]          # images and files that are neither an edition nor a module's activity


def _title(meta: Mapping[str, object], fallback: str) -> str:
    title = meta.get("title")
    return title.strip() if isinstance(title, str) and title.strip() else fallback


def _editions(files: Mapping[str, bytes], base: str, languages: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """The files of ``base`` (``m/x.md``) by language, and the languages it lacks."""
    stem = base[:-3]
    editions = {languages[0]: base} if base in files else {}
    for lang in languages[1:]:
        if f"{stem}.{lang}.md" in files:
            editions[lang] = f"{stem}.{lang}.md"
    return editions, [lang for lang in languages if lang not in editions]


def course_outline(files: Mapping[str, bytes], problems: Sequence[Problem] = (), changes: Mapping[str, str] = {},
                   prefix: str = "", limits: Limits = Limits()) -> Outline:
    """The outline of a course folder: every module and activity by title, its language editions, its
    unpublished change and its problems (``problems`` are the loader's, their paths under ``prefix/``)."""
    structure = read_structure(dict(files), limits)
    meta = structure.meta
    languages = list(structure.languages)
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        rel = p.path[len(prefix) + 1:] if prefix and p.path.startswith(prefix + "/") else p.path
        by_file.setdefault(rel, []).append(p)
    placed: set[str] = set()

    def gather(paths: Sequence[str]) -> list[Found]:
        placed.update(paths)
        return [Found(split_language(rel.rsplit("/", 1)[-1])[1] or structure.language, p)
                for rel in dict.fromkeys(paths) for p in by_file.get(rel, [])]

    def change_of(paths: Sequence[str]) -> str | None:
        found = [changes[rel] for rel in paths if rel in changes]
        if not found:
            return None
        return found[0] if len(set(found)) == 1 and paths[0] in changes else "changed"

    modules = []
    for slug, stems in structure.modules:
        base = f"{slug}/module.md"
        editions, missing = _editions(files, base, languages)
        items = []
        for stem in stems:
            path = f"{slug}/{stem}.md"
            a_editions, a_missing = _editions(files, path, languages)
            a_meta = meta.get(path, {})
            kind = a_meta.get("type", "lesson")
            items.append(OutlineActivity(
                slug, stem, path, _title(a_meta, stem), kind if isinstance(kind, str) else "?",
                a_editions, a_missing, gather([*a_editions.values(), path]), change_of(list(a_editions.values()))))
        modules.append(OutlineModule(slug, base, _title(meta.get(base, {}), slug), editions, missing, items,
                                     gather([*editions.values(), f"{slug}/", base]), change_of(list(editions.values()))))
    course_files = ["course.md", *(f"course.{lang}.md" for lang in languages[1:])]
    course_problems = gather(course_files)
    course_problems += [Found(structure.language, p) for rel, found in sorted(by_file.items()) if rel not in placed
                        for p in found]
    known = set(placed) | set(course_files)
    other = sorted(rel for rel in files if rel not in known)
    return Outline(_title(meta.get("course.md", {}), ""), structure.language, languages, modules,
                   course_problems, other)


# -- front matter, line by line --------------------------------------------------------------------------------
def _yaml_scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def set_front_matter(text: str, key: str, value: str | Sequence[str], path: str = "") -> str:
    """``text`` with its front matter's top-level ``key`` set to ``value`` (a string or a list of strings);
    every other line stays as written. Raises :class:`OutlineError` when the front matter cannot be read."""
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != "---":
        lines = ["---", "---", *lines]
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise OutlineError(FRONT_MATTER_UNREADABLE, path=path)
    if isinstance(value, str):
        block = [f"{key}: {_yaml_scalar(value)}"]
    else:
        block = [f"{key}:"] + [f"  - {item if SLUG_RE.match(item) else _yaml_scalar(item)}" for item in value] \
            if value else [f"{key}: []"]
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    start = next((i for i in range(1, end) if pattern.match(lines[i])), None)
    if start is None:
        lines[end:end] = block
    else:
        stop = start + 1
        while stop < end and (lines[stop].startswith((" ", "\t", "-")) or
                              (not lines[stop].strip() and stop + 1 < end and lines[stop + 1].startswith(" "))):
            stop += 1
        lines[start:stop] = block
    result = "\n".join(lines)
    document = split_front_matter(result, path)
    if document.problems or document.meta.get(key) != (value if isinstance(value, str) else list(value)):
        raise OutlineError(FRONT_MATTER_UNREADABLE, path=path)
    return result


def _text(files: Mapping[str, bytes], path: str) -> str:
    return files[path].decode("utf-8", "replace") if path in files else ""


# -- names ------------------------------------------------------------------------------------------------------
def slug_words(title: str, fallback: str) -> str:
    """Latin letters, digits and dashes from a title (Russian transliterated); ``fallback`` when none remain."""
    out = []
    for ch in title.lower():
        if ch in _TRANSLIT:
            out.append(_TRANSLIT[ch])
        else:
            out.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode())
    words = re.sub(r"[^a-z0-9]+", "-", "".join(out)).strip("-")
    return words[:40].rstrip("-") or fallback


def _numbered(existing: Sequence[str], words: str) -> str:
    """``NN-words`` after the highest number in ``existing``, unique among them."""
    numbers = [int(m.group(1)) for name in existing if (m := re.match(r"^(\d+)-", name))]
    number = max(numbers, default=0) + 1
    while True:
        name = f"{number:02d}-{words}"
        if name not in existing and name not in RESERVED_MODULE_SLUGS and SLUG_RE.match(name):
            return name
        number += 1


def _check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE:
        raise OutlineError(EMPTY_TITLE, max=MAX_TITLE)
    return title


def _structure(files: Mapping[str, bytes]) -> Structure:
    if "course.md" not in files:
        raise OutlineError(NO_COURSE)
    return read_structure(dict(files))


def _stems(structure: Structure, module: str) -> list[str]:
    for slug, stems in structure.modules:
        if slug == module:
            return list(stems)
    raise OutlineError(NO_SUCH_MODULE, module=module)


def _module_files(files: Mapping[str, bytes], module: str) -> list[str]:
    return sorted(rel for rel in files if rel.startswith(module + "/"))


def _activity_files(files: Mapping[str, bytes], module: str, stem: str) -> list[str]:
    return sorted(rel for rel in files if rel.startswith(module + "/") and rel.count("/") == 1
                  and split_language(rel.split("/")[1])[0] == stem)


# -- the edits --------------------------------------------------------------------------------------------------
def add_module(files: Mapping[str, bytes], title: str) -> tuple[str, Changes]:
    """A new module at the end of the course, with its module.md; returns its slug and the changes."""
    title = _check_title(title)
    structure = _structure(files)
    existing = [slug for slug, _ in structure.modules] + sorted({rel.split("/")[0] for rel in files if "/" in rel})
    slug = _numbered(existing, slug_words(title, "module"))
    order = [s for s, _ in structure.modules] + [slug]
    return slug, {
        f"{slug}/module.md": f"---\ntitle: {_yaml_scalar(title)}\n---\n".encode(),
        "course.md": set_front_matter(_text(files, "course.md"), "modules", order, "course.md").encode(),
    }


def add_activity(files: Mapping[str, bytes], module: str, title: str, starter: str) -> tuple[str, Changes]:
    """A new activity at the end of ``module`` from ``starter`` (the kind's template, whose front matter gets
    the title); returns its path and the changes."""
    title = _check_title(title)
    structure = _structure(files)
    stems = _stems(structure, module)
    kind = split_front_matter(starter, "").meta.get("type", "lesson")
    taken = stems + [split_language(rel.split("/")[1])[0] for rel in _module_files(files, module)]
    stem = _numbered(taken, slug_words(title, str(kind)))
    path = f"{module}/{stem}.md"
    changes: Changes = {path: set_front_matter(starter, "title", title, path).encode()}
    module_md = f"{module}/module.md"
    if "activities" in structure.meta.get(module_md, {}):
        changes[module_md] = set_front_matter(_text(files, module_md), "activities", stems + [stem],
                                              module_md).encode()
    return path, changes


def rename(files: Mapping[str, bytes], path: str, title: str) -> Changes:
    """Set the title of one file (a module's module.md, an activity, or one of their language editions)."""
    title = _check_title(title)
    if path not in files or not path.endswith(".md"):
        raise OutlineError(NO_SUCH_ACTIVITY, activity=path, module="")
    return {path: set_front_matter(_text(files, path), "title", title, path).encode()}


def reorder_modules(files: Mapping[str, bytes], order: Sequence[str]) -> Changes:
    structure = _structure(files)
    current = [slug for slug, _ in structure.modules]
    if sorted(order) != sorted(current) or len(set(order)) != len(order):
        raise OutlineError(BAD_ORDER, expected=", ".join(current))
    return {"course.md": set_front_matter(_text(files, "course.md"), "modules", list(order), "course.md").encode()}


def reorder_activities(files: Mapping[str, bytes], module: str, order: Sequence[str]) -> Changes:
    structure = _structure(files)
    current = _stems(structure, module)
    if sorted(order) != sorted(current) or len(set(order)) != len(order):
        raise OutlineError(BAD_ORDER, expected=", ".join(current))
    module_md = f"{module}/module.md"
    return {module_md: set_front_matter(_text(files, module_md), "activities", list(order), module_md).encode()}


def moved(order: Sequence[str], item: str, step: int) -> list[str]:
    """``order`` with ``item`` moved ``step`` places (-1 up, +1 down), kept within the list."""
    result = list(order)
    if item not in result:
        return result
    i = result.index(item)
    j = max(0, min(len(result) - 1, i + step))
    result.insert(j, result.pop(i))
    return result


def delete_module(files: Mapping[str, bytes], module: str) -> Changes:
    structure = _structure(files)
    current = [slug for slug, _ in structure.modules]
    if module not in current and not _module_files(files, module):
        raise OutlineError(NO_SUCH_MODULE, module=module)
    changes: Changes = {rel: None for rel in _module_files(files, module)}
    if "modules" in structure.meta.get("course.md", {}):
        changes["course.md"] = set_front_matter(_text(files, "course.md"), "modules",
                                                [s for s in current if s != module], "course.md").encode()
    return changes


def delete_activity(files: Mapping[str, bytes], module: str, stem: str) -> Changes:
    structure = _structure(files)
    stems = _stems(structure, module)
    found = _activity_files(files, module, stem)
    if not found:
        raise OutlineError(NO_SUCH_ACTIVITY, activity=stem, module=module)
    changes: Changes = {rel: None for rel in found}
    module_md = f"{module}/module.md"
    if "activities" in structure.meta.get(module_md, {}):
        changes[module_md] = set_front_matter(_text(files, module_md), "activities",
                                              [s for s in stems if s != stem], module_md).encode()
    return changes


def edition_path(path: str, language: str, default: str) -> str:
    """The file of ``path``'s edition in ``language`` (``m/x.md`` -> ``m/x.en.md``)."""
    return path if language == default else f"{path[:-3]}.{language}.md"
