"""What changed between two versions of a course, activity by activity (pure).

An author thinks in modules and activities, not in files: :func:`compare` groups the files
that differ by what they hold. ``course.md`` and its translations are the course's settings,
``<module>/module.md`` a module's, ``<module>/<name>.md`` with its language editions
(``<name>.en.md``) one activity, and anything else (images) is listed by its file name.

Each activity is named by its title in the reader's language where the version has that
edition, else in the course's language, and has a status: ``added``, ``removed``, ``changed``
or ``moved`` (to another module, or to another place among the activities both versions
have; a changed activity may have moved as well). Each language edition that differs brings
two side-by-side comparisons (:mod:`lms.core.text_diff`): of its source, and of the text a
learner reads, which the caller gives (a stored version knows its rendered text; see
:class:`VersionSide`).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from .content import split_language
from .text_diff import TextDiff, side_by_side

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
MOVED = "moved"

#: unchanged lines kept around a change in the source, and paragraphs around one in the text
SOURCE_CONTEXT = 3
TEXT_CONTEXT = 2


@dataclass(frozen=True)
class VersionSide:
    """One of the two versions compared.

    ``text(language, key)`` gives the paragraphs a learner reads in the activity ``key`` of
    the edition ``language`` (its title first), or None when that edition has no such activity.
    """

    number: int
    files: Mapping[str, bytes]
    manifest: Mapping[str, Any]
    text: Callable[[str, str], Sequence[str] | None]

    @property
    def languages(self) -> list[str]:
        return list(self.manifest.get("languages") or self.manifest.get("editions") or [])

    @property
    def default_language(self) -> str:
        return str(self.manifest.get("default_language") or "")

    def edition_for(self, reader: str) -> str:
        """The edition a reader of ``reader``'s language is shown: theirs, else the course's."""
        return reader if reader in self.languages else self.default_language

    def edition(self, language: str) -> Mapping[str, Any]:
        return (self.manifest.get("editions") or {}).get(language) or {}


@dataclass(frozen=True)
class EditionChange:
    """One file (one language edition) that differs: its paths, its source and its text compared."""

    language: str
    old_path: str | None
    new_path: str | None
    status: str  # ADDED | REMOVED | CHANGED
    source: TextDiff
    text: TextDiff

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""


@dataclass(frozen=True)
class ActivityChange:
    key: str
    anchor: str
    title: str
    kind: str
    status: str  # ADDED | REMOVED | CHANGED | MOVED
    #: the title before, when it changed (in the same language)
    old_title: str | None
    #: the module it was in before, when it moved to another (that module's title)
    moved_from: str | None
    #: a changed activity that moved as well
    moved: bool
    editions: tuple[EditionChange, ...]

    @property
    def text_changed(self) -> bool:
        return any(edition.text.changed for edition in self.editions)


@dataclass(frozen=True)
class ModuleChanges:
    slug: str
    anchor: str
    title: str
    #: ADDED, REMOVED, CHANGED (its module.md differs), or "" (only some of its activities changed)
    status: str
    old_title: str | None
    settings: tuple[EditionChange, ...]
    activities: tuple[ActivityChange, ...]


@dataclass(frozen=True)
class FileChange:
    path: str
    status: str  # ADDED | REMOVED | CHANGED


@dataclass(frozen=True)
class VersionComparison:
    old_number: int
    new_number: int
    #: the edition whose titles name the modules and activities
    language: str
    course: tuple[EditionChange, ...]
    modules: tuple[ModuleChanges, ...]
    files: tuple[FileChange, ...]

    @property
    def activities(self) -> list[ActivityChange]:
        return [activity for module in self.modules for activity in module.activities]

    @property
    def empty(self) -> bool:
        return not (self.course or self.modules or self.files)


@dataclass(frozen=True)
class _Place:
    key: str
    module: str
    title: str
    kind: str


def _place(path: str) -> tuple[str, str, str | None]:
    """What a file holds: (``course``, "", lang), (``module``, slug, lang), (``activity``, key, lang)
    or (``file``, path, None); ``lang`` is the language suffix of a translation, None for the original."""
    parts = path.split("/")
    if not path.endswith(".md") or len(parts) > 2:
        return "file", path, None
    stem, language = split_language(parts[-1])
    if len(parts) == 1:
        return ("course", "", language) if stem == "course" else ("file", path, None)
    if stem == "module":
        return "module", parts[0], language
    return "activity", f"{parts[0]}/{stem}", language


def _activities(side: VersionSide, language: str) -> dict[str, _Place]:
    """The activities of a version in order, named in ``language``'s edition."""
    places: dict[str, _Place] = {}
    for module in side.edition(language).get("modules") or []:
        for activity in module.get("activities") or []:
            places[activity["key"]] = _Place(activity["key"], module["slug"], activity.get("title") or activity["key"],
                                             activity.get("kind") or "")
    return places


def _modules(side: VersionSide, language: str) -> dict[str, Mapping[str, Any]]:
    return {module["slug"]: module for module in side.edition(language).get("modules") or []}


def _anchor(prefix: str, name: str) -> str:
    return prefix + "-" + "".join(c if c.isalnum() or c == "-" else "--" for c in name)


def _files_of(files: Mapping[str, bytes], what: str, where: str) -> dict[str | None, str]:
    """The files of one course part (``course``, a module, an activity) by language suffix."""
    found: dict[str | None, str] = {}
    for path in files:
        place, name, language = _place(path)
        if place == what and name == where:
            found[language] = path
    return found


def _decode(data: bytes | None) -> str:
    return data.decode("utf-8", "replace") if data else ""


def _text(lines: Sequence[str] | None) -> str:
    return "\n".join(lines or ())


class _Comparer:
    def __init__(self, old: VersionSide, new: VersionSide, reader: str):
        self.old, self.new = old, new
        self.old_language, self.new_language = old.edition_for(reader), new.edition_for(reader)
        self.old_activities = _activities(old, self.old_language)
        self.new_activities = _activities(new, self.new_language)
        self.old_modules = _modules(old, self.old_language)
        self.new_modules = _modules(new, self.new_language)

    def language_of(self, suffix: str | None) -> str:
        return suffix or self.new.default_language or self.old.default_language

    def editions(self, what: str, old_where: str | None, new_where: str | None,
                 text: Callable[[VersionSide, str, str], Sequence[str] | None]) -> tuple[EditionChange, ...]:
        """The language editions of one part that differ, its original first."""
        old_files = _files_of(self.old.files, what, old_where) if old_where is not None else {}
        new_files = _files_of(self.new.files, what, new_where) if new_where is not None else {}
        changes = []
        for suffix in sorted(set(old_files) | set(new_files), key=lambda s: (s is not None, s or "")):
            old_path, new_path = old_files.get(suffix), new_files.get(suffix)
            old_bytes = self.old.files[old_path] if old_path else None
            new_bytes = self.new.files[new_path] if new_path else None
            if old_bytes == new_bytes:
                continue
            language = self.language_of(suffix)
            status = ADDED if old_bytes is None else REMOVED if new_bytes is None else CHANGED
            old_text = text(self.old, language, old_where) if old_where is not None else None
            new_text = text(self.new, language, new_where) if new_where is not None else None
            changes.append(EditionChange(
                language, old_path, new_path, status,
                side_by_side(_decode(old_bytes), _decode(new_bytes), SOURCE_CONTEXT),
                side_by_side(_text(old_text), _text(new_text), TEXT_CONTEXT)))
        return tuple(changes)

    @staticmethod
    def activity_text(side: VersionSide, language: str, key: str) -> Sequence[str] | None:
        return side.text(language, key) if language in side.languages else None

    @staticmethod
    def module_text(side: VersionSide, language: str, slug: str) -> Sequence[str] | None:
        module = _modules(side, language).get(slug) if language in side.languages else None
        return [module.get("title") or "", module.get("summary") or ""] if module else None

    @staticmethod
    def course_text(side: VersionSide, language: str, _where: str) -> Sequence[str] | None:
        edition = side.edition(language)
        return [edition.get("title") or "", edition.get("summary") or ""] if edition else None

    def moves(self) -> tuple[dict[str, str], set[str]]:
        """Activities that moved: old key → new key for those that went to another module
        (their file name stays), and the new keys of every activity that moved."""
        removed = [k for k in self.old_activities if k not in self.new_activities]
        added = [k for k in self.new_activities if k not in self.old_activities]
        renamed: dict[str, str] = {}
        for old_key in removed:
            stem = old_key.split("/", 1)[1]
            candidates = [k for k in added if k.split("/", 1)[1] == stem and k not in renamed.values()]
            same_stem_before = [k for k in removed if k.split("/", 1)[1] == stem]
            if len(candidates) == 1 and len(same_stem_before) == 1:
                renamed[old_key] = candidates[0]
        kept = {k: k for k in self.old_activities if k in self.new_activities} | renamed
        before = [kept[k] for k in self.old_activities if k in kept]
        after = [k for k in self.new_activities if k in kept.values()]
        in_place = set()
        for block in SequenceMatcher(None, before, after, autojunk=False).get_matching_blocks():
            in_place.update(after[block.b:block.b + block.size])
        moved = {k for k in after if k not in in_place} | set(renamed.values())
        return renamed, moved

    def activity(self, old_key: str | None, new_key: str | None, moved: bool) -> ActivityChange | None:
        old_place = self.old_activities.get(old_key) if old_key else None
        new_place = self.new_activities.get(new_key) if new_key else None
        place = new_place or old_place
        assert place is not None
        editions = self.editions("activity", old_key, new_key, self.activity_text)
        if old_place is None:
            status = ADDED
        elif new_place is None:
            status = REMOVED
        elif editions:
            status = CHANGED
        elif moved:
            status = MOVED
        else:
            return None
        old_title = old_place.title if old_place and new_place and old_place.title != new_place.title else None
        moved_from = None
        if old_place and new_place and old_place.module != new_place.module:
            module = self.old_modules.get(old_place.module) or {}
            moved_from = module.get("title") or old_place.module
        return ActivityChange(place.key, _anchor("activity", place.key), place.title, place.kind, status, old_title,
                              moved_from, moved and status == CHANGED, editions)

    def compare(self) -> VersionComparison:
        renamed, moved = self.moves()
        came_from = {new_key: old_key for old_key, new_key in renamed.items()}
        by_module: dict[str, list[ActivityChange]] = {}
        for key, place in self.new_activities.items():
            old_key = came_from.get(key, key if key in self.old_activities else None)
            change = self.activity(old_key, key, key in moved)
            if change:
                by_module.setdefault(place.module, []).append(change)
        for key, place in self.old_activities.items():
            if key not in self.new_activities and key not in renamed:
                change = self.activity(key, None, False)
                if change:
                    by_module.setdefault(place.module, []).append(change)
        modules = []
        for slug in [*self.new_modules, *(s for s in self.old_modules if s not in self.new_modules)]:
            old_module, new_module = self.old_modules.get(slug), self.new_modules.get(slug)
            settings = self.editions("module", slug if old_module else None, slug if new_module else None,
                                     self.module_text)
            activities = by_module.get(slug, [])
            if not settings and not activities and old_module and new_module:
                continue
            module = new_module or old_module or {}
            status = ADDED if old_module is None else REMOVED if new_module is None else CHANGED if settings else ""
            old_title = (old_module.get("title") if old_module and new_module
                         and old_module.get("title") != new_module.get("title") else None)
            modules.append(ModuleChanges(slug, _anchor("module", slug), module.get("title") or slug, status, old_title,
                                         settings, tuple(activities)))
        files = []
        for path in sorted(set(self.old.files) | set(self.new.files)):
            if _place(path)[0] != "file" or self.old.files.get(path) == self.new.files.get(path):
                continue
            status = ADDED if path not in self.old.files else REMOVED if path not in self.new.files else CHANGED
            files.append(FileChange(path, status))
        return VersionComparison(self.old.number, self.new.number, self.new_language,
                                 self.editions("course", "", "", self.course_text), tuple(modules), tuple(files))


def compare(old: VersionSide, new: VersionSide, reader: str) -> VersionComparison:
    """What changed from ``old`` to ``new``, named in the ``reader``'s language where the versions have it."""
    return _Comparer(old, new, reader).compare()
