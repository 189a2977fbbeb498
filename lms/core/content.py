"""The course format: a folder of Markdown files, loaded and checked.

A course is a folder ``<slug>/`` holding ``course.md`` (front matter: title,
language, summary, module order, completion rules) and one folder per module
with ``module.md`` and its activity files (lessons, quizzes, scenarios) plus
images. A translation sits beside the original with a language suffix:
``course.en.md``, ``module.en.md``, ``01-intro.en.md``. Every language edition
has the same modules and activities, so progress made in one language counts
in another; a file not translated falls back to the edition's ``fallback``
language.

Loading works on a mapping of relative paths to bytes, so a folder on disk, a
zip upload and a stored content version all go through the same code.

A course folder is untrusted input (it comes from a trainer's machine or a
repository): :func:`read_tree` never follows a symbolic link and never reads a
file outside the folder, and every image's bytes must match its extension
(:func:`lms.core.assets.image_matches`), whether it came from a folder, a zip
or an upload.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import activities
from .assets import ASSET_EXTENSIONS, image_matches
from .certificates import check_rule as check_certificate_rule
from .frontmatter import Document, split_front_matter
from .problems import Problem
from .render import Rendered, render_markdown

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
LANG_RE = re.compile(r"^[a-z]{2}$")
RESERVED_MODULE_SLUGS = {"files", "language", "progress"}
COURSE_KEYS = {"title", "language", "summary", "modules", "completion", "certificate", "slug", "fallback"}
TRANSLATION_KEYS = {"title", "summary", "fallback", "language"}
MODULE_KEYS = {"title", "summary", "activities"}
COMPLETION_RULES = {
    "lessons": {"all", "none"},
    "quizzes": {"passed", "attempted", "none"},
    "scenarios": {"passed", "finished", "none"},
}
DEFAULT_COMPLETION = {"lessons": "all", "quizzes": "passed", "scenarios": "passed"}
LINK_BASE = "/__lms__/"
"""Resolved links start with this; the app swaps in the course's real URL."""
LINK_REFUSED = "is a symbolic link; course folders may not contain links: copy the file in instead"


@dataclass(frozen=True)
class Limits:
    text_bytes: int = 1_000_000
    asset_bytes: int = 5_000_000
    files: int = 2_000


@dataclass
class Activity:
    key: str
    module: str
    slug: str
    kind: str
    title: str
    language: str
    path: str
    html: str = ""
    minutes: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Module:
    slug: str
    title: str
    summary: str
    language: str
    activities: list[Activity]


@dataclass
class Edition:
    language: str
    title: str
    summary: str
    description_html: str
    modules: list[Module]

    def activities(self) -> list[Activity]:
        return [a for m in self.modules for a in m.activities]


@dataclass
class CourseContent:
    """A loaded course: every edition, the raw files and the content hash."""

    slug: str
    default_language: str
    completion: dict[str, str]
    certificate: dict[str, Any]
    editions: dict[str, Edition]
    files: dict[str, bytes]
    content_hash: str

    @property
    def title(self) -> str:
        return self.editions[self.default_language].title

    def manifest(self) -> dict[str, Any]:
        """Structure without rendered bodies: what every page needs to navigate."""
        return {
            "slug": self.slug,
            "default_language": self.default_language,
            "completion": self.completion,
            "certificate": self.certificate,
            "languages": sorted(self.editions),
            "editions": {
                lang: {
                    "title": ed.title,
                    "summary": ed.summary,
                    "modules": [
                        {
                            "slug": m.slug, "title": m.title, "summary": m.summary,
                            "activities": [
                                {"key": a.key, "slug": a.slug, "kind": a.kind, "title": a.title,
                                 "minutes": a.minutes, "language": a.language}
                                for a in m.activities
                            ],
                        }
                        for m in ed.modules
                    ],
                }
                for lang, ed in self.editions.items()
            },
        }


def front_matter_line(source: str, key: str, subkey: str | None = None) -> int:
    """The line of ``key:`` (and of ``subkey:`` under it) in a file's front matter; 1 if not found."""
    lines = source.split("\n")
    found = 1
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            break
        if found == 1 and re.match(rf"{re.escape(key)}\s*:", line):
            found = number
            if subkey is None or re.search(rf"[{{,]\s*{re.escape(subkey)}\s*:", line):
                return number
        elif found > 1 and subkey is not None:
            if line and not line[0].isspace():
                break
            if re.match(rf"\s+{re.escape(subkey)}\s*:", line):
                return number
    return found


def content_hash(files: dict[str, bytes]) -> str:
    """A hash of the whole folder: same files, same hash, whatever the order."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return digest.hexdigest()


def split_language(filename: str) -> tuple[str, str | None]:
    """``01-intro.en.md`` -> (``01-intro``, ``en``); ``01-intro.md`` -> (``01-intro``, None)."""
    stem = filename[:-3] if filename.endswith(".md") else filename
    if "." in stem:
        base, lang = stem.rsplit(".", 1)
        if LANG_RE.match(lang):
            return base, lang
    return stem, None


MAX_FOLDER_DEPTH = 8
"""A course is course.md, module folders and perhaps an images folder in each: 8 levels is plenty."""
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class _Unreadable(Exception):
    """A file under a course folder that must not be read; the message says why."""


def _read_inside(path: Path, inside: Path, limit: int) -> bytes | None:
    """The bytes of the regular file ``path``, or None when it holds more than ``limit``.

    The file is opened without following a link, checked to be a regular file
    and to lie under ``inside`` once every folder on its way is resolved, so a
    folder swapped for a link while the tree is read cannot lead outside.
    Raises :class:`_Unreadable` otherwise.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _Unreadable(LINK_REFUSED if path.is_symlink() else f"cannot be read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable("is not a regular file; a course holds .md files and images")
        if not path.resolve().is_relative_to(inside):
            raise _Unreadable("lies outside the course folder (a folder on its way is a link); copy the file in instead")
        if info.st_size > limit:
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
        return data if len(data) <= limit else None
    finally:
        os.close(fd)


def read_tree(root: Path, display: str, limits: Limits = Limits()) -> tuple[dict[str, bytes], list[Problem]]:
    """Read every file under ``root``; oversized files are reported, not read.

    Symbolic links (to files or folders, and ``root`` itself) are reported and
    never followed, nothing outside ``root`` is read, and anything that is not
    a regular file or folder (a pipe, a device) is reported. Names starting
    with ``.`` are skipped.
    """
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    if root.is_symlink():
        return files, [Problem(display, 0, LINK_REFUSED)]
    inside = root.resolve()

    def too_large(shown: str, size: int, limit: int) -> Problem:
        return Problem(shown, 0, f"file is {size / 1_000_000:.1f} MB, over the limit of {limit / 1_000_000:.1f} MB; "
                                 "make it smaller or split it")

    def walk(directory: Path, prefix: str) -> bool:
        """Read ``directory`` into ``files``; False once the file limit stops the reading."""
        if prefix.count("/") > MAX_FOLDER_DEPTH:
            problems.append(Problem(f"{display}/{prefix}".rstrip("/"), 0,
                                    f"folders nest more than {MAX_FOLDER_DEPTH} levels deep; a course needs two or three"))
            return True
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            problems.append(Problem(f"{display}/{prefix}".rstrip("/"), 0, f"cannot be read: {exc.strerror}"))
            return True
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = prefix + entry.name
            shown = f"{display}/{rel}"
            if entry.is_symlink():
                problems.append(Problem(shown, 0, LINK_REFUSED))
            elif entry.is_dir(follow_symlinks=False):
                if not walk(directory / entry.name, rel + "/"):
                    return False
            elif not entry.is_file(follow_symlinks=False):
                problems.append(Problem(shown, 0, "is not a regular file; a course holds .md files and images"))
            else:
                size = entry.stat(follow_symlinks=False).st_size
                limit = limits.asset_bytes if posixpath.splitext(rel)[1].lower() in ASSET_EXTENSIONS \
                    else limits.text_bytes
                if size > limit:
                    problems.append(too_large(shown, size, limit))
                    continue
                if len(files) >= limits.files:
                    problems.append(Problem(shown, 0, f"a course may hold at most {limits.files} files"))
                    return False
                try:
                    data = _read_inside(directory / entry.name, inside, limit)
                except _Unreadable as refused:
                    problems.append(Problem(shown, 0, str(refused)))
                    continue
                if data is None:
                    problems.append(too_large(shown, limit + 1, limit))
                else:
                    files[rel] = data
        return True

    walk(root, "")
    return files, problems


def decode(data: bytes, path: str) -> tuple[str | None, Problem | None]:
    """Decode UTF-8 text; anything else is a problem naming the line."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("cp1251")
            hint = " (it looks like Windows-1251)"
        except UnicodeDecodeError:
            pass
        return None, Problem(path, line, f"file is not UTF-8{hint}; save it with UTF-8 encoding")


class _Loader:
    def __init__(self, slug: str, files: dict[str, bytes], display: str, limits: Limits):
        self.slug = slug
        self.files = files
        self.display = display
        self.limits = limits
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.docs: dict[str, Document] = {}
        self.texts: dict[str, str] = {}
        self.hash = content_hash(files)

    def where(self, rel: str) -> str:
        return f"{self.display}/{rel}" if self.display else rel

    def problem(self, rel: str, line: int, message: str) -> None:
        self.problems.append(Problem(self.where(rel), line, message))

    def doc(self, rel: str) -> Document | None:
        if rel in self.docs:
            return self.docs[rel]
        if rel not in self.files:
            return None
        text, problem = decode(self.files[rel], self.where(rel))
        if problem:
            self.problems.append(problem)
            self.docs[rel] = None  # type: ignore[assignment]
            return None
        document = split_front_matter(text, self.where(rel))
        self.problems.extend(document.problems)
        self.docs[rel] = document
        return document

    # -- links ---------------------------------------------------------
    def resolver(self, source_rel: str):
        directory = posixpath.dirname(source_rel)

        def resolve(target: str, is_image: bool) -> str | None:
            path, _, anchor = target.partition("#")
            path = path.split("?", 1)[0]
            if not path:
                return target
            joined = posixpath.normpath(posixpath.join(directory, path))
            if joined.startswith("../") or joined == "..":
                return None
            if is_image or posixpath.splitext(joined)[1].lower() in ASSET_EXTENSIONS:
                if joined in self.files and posixpath.splitext(joined)[1].lower() in ASSET_EXTENSIONS:
                    return f"{LINK_BASE}files/{self.hash[:12]}/{joined}"
                return None
            module_dir, _, filename = joined.rpartition("/")
            stem, _lang = split_language(filename)
            key = f"{module_dir}/{stem}"
            if key in self.activity_keys:
                return f"{LINK_BASE}{key}" + (f"#{anchor}" if anchor else "")
            if joined in ("course.md",) or filename.startswith("course."):
                return LINK_BASE.rstrip("/") + "/"
            return None

        return resolve

    def render(self, rel: str, doc: Document):
        def render_body(markdown_text: str) -> Rendered:
            rendered = render_markdown(markdown_text, self.resolver(rel))
            # A body handed in by an activity may be a part of the file; find its lines.
            start = doc.body.find(markdown_text) if markdown_text else 0
            base = doc.body_line + (doc.body.count("\n", 0, start) if start > 0 else 0)
            for target, offset in rendered.broken_links:
                self.problem(rel, base + offset, f"link to '{target}' points to no lesson or image of this course")
            return rendered

        return render_body

    # -- structure -----------------------------------------------------
    def load(self) -> CourseContent | None:
        if "course.md" not in self.files:
            self.problem("course.md", 0, "missing course.md: every course folder needs one")
            return None
        course = self.doc("course.md")
        if course is None:
            return None
        meta = course.meta
        for key in sorted(set(meta) - COURSE_KEYS):
            self.problem("course.md", 1, f"unknown front matter key '{key}' (known: {', '.join(sorted(COURSE_KEYS))})")
        language = meta.get("language")
        if not isinstance(language, str) or not LANG_RE.match(language):
            self.problem("course.md", 1, "'language:' must be a two-letter code such as ru, en or ar")
            language = "ru"
        if not isinstance(meta.get("title"), str) or not meta["title"].strip():
            self.problem("course.md", 1, "missing 'title:' in the front matter")
        completion = dict(DEFAULT_COMPLETION)
        raw_completion = meta.get("completion") or {}
        if not isinstance(raw_completion, dict):
            self.problem("course.md", 1, "'completion:' must be a mapping such as {lessons: all, quizzes: passed}")
            raw_completion = {}
        for key, value in raw_completion.items():
            if key not in COMPLETION_RULES:
                self.problem("course.md", 1, f"unknown completion rule '{key}' (known: lessons, quizzes, scenarios)")
            elif value not in COMPLETION_RULES[key]:
                allowed = ", ".join(sorted(COMPLETION_RULES[key]))
                self.problem("course.md", 1, f"completion rule '{key}: {value}' must be one of: {allowed}")
            else:
                completion[key] = value
        certificate, certificate_problems = check_certificate_rule(meta.get("certificate"))
        for key, message in certificate_problems:
            self.problem("course.md", front_matter_line(course.source, "certificate", key), message)

        self.check_files()
        module_slugs = self.module_order(meta)
        self.activity_keys: set[str] = set()
        structure: list[tuple[str, list[str]]] = []
        for module_slug in module_slugs:
            stems = self.activity_order(module_slug)
            structure.append((module_slug, stems))
            self.activity_keys.update(f"{module_slug}/{stem}" for stem in stems)

        languages = [language] + sorted(
            lang for rel in self.files
            if "/" not in rel and rel.startswith("course.") and rel != "course.md"
            for _, lang in [split_language(rel)] if lang and lang != language
        )
        self.languages = set(languages)
        self.check_translation_suffixes()
        editions: dict[str, Edition] = {}
        for lang in languages:
            edition = self.edition(lang, language, structure)
            if edition:
                editions[lang] = edition
        if not editions or language not in editions:
            return None
        return CourseContent(
            slug=self.slug, default_language=language, completion=completion, certificate=certificate,
            editions=editions, files=self.files, content_hash=self.hash,
        )

    def check_files(self) -> None:
        for rel in self.files:
            ext = posixpath.splitext(rel)[1].lower()
            if ext == ".md":
                continue
            if ext in ASSET_EXTENSIONS:
                if not image_matches(rel, self.files[rel]):
                    kind = ext[1:].upper()
                    self.problem(rel, 0, f"the file is not a {kind} image (its contents do not match its name); "
                                         f"save it as {kind} or give it the right extension")
                continue
            self.problem(rel, 0, "unsupported file type; a course holds .md files and images (png, jpg, gif, webp)")

    def module_order(self, meta: dict) -> list[str]:
        folders = sorted({rel.split("/", 1)[0] for rel in self.files if "/" in rel})
        listed = meta.get("modules")
        if listed is None:
            order = [f for f in folders if f"{f}/module.md" in self.files]
        elif not isinstance(listed, list) or not all(isinstance(m, str) for m in listed):
            self.problem("course.md", 1, "'modules:' must be a list of module folder names")
            return []
        else:
            order = []
            seen: set[str] = set()
            for slug in listed:
                if slug in seen:
                    self.problem("course.md", 1, f"module '{slug}' is listed twice in 'modules:'")
                    continue
                seen.add(slug)
                if f"{slug}/module.md" not in self.files:
                    self.problem("course.md", 1, f"module '{slug}' is listed but {slug}/module.md does not exist")
                    continue
                order.append(slug)
            for folder in folders:
                if folder not in seen:
                    self.problem(f"{folder}/", 0, f"folder '{folder}' is not listed in course.md 'modules:'; list it or remove it")
        valid = []
        for slug in order:
            if not SLUG_RE.match(slug) or slug in RESERVED_MODULE_SLUGS:
                self.problem(f"{slug}/module.md", 0, f"module folder name '{slug}' must use a-z, 0-9 and '-' (and not be {', '.join(sorted(RESERVED_MODULE_SLUGS))})")
                continue
            valid.append(slug)
        if not valid and listed is not None:
            self.problem("course.md", 1, "the course has no modules")
        return valid

    def activity_order(self, module: str) -> list[str]:
        stems = sorted({
            split_language(rel.split("/")[-1])[0]
            for rel in self.files
            if rel.startswith(module + "/") and rel.count("/") == 1 and rel.endswith(".md")
        } - {"module"})
        doc = self.doc(f"{module}/module.md")
        meta = doc.meta if doc else {}
        for key in sorted(set(meta) - MODULE_KEYS):
            self.problem(f"{module}/module.md", 1, f"unknown front matter key '{key}' (known: {', '.join(sorted(MODULE_KEYS))})")
        listed = meta.get("activities")
        if listed is None:
            order = stems
        elif not isinstance(listed, list):
            self.problem(f"{module}/module.md", 1, "'activities:' must be a list of file names without .md")
            order = stems
        else:
            order = []
            for item in listed:
                stem = str(item).removesuffix(".md")
                if stem not in stems:
                    self.problem(f"{module}/module.md", 1, f"activity '{stem}' is listed but {module}/{stem}.md does not exist")
                elif stem in order:
                    self.problem(f"{module}/module.md", 1, f"activity '{stem}' is listed twice")
                else:
                    order.append(stem)
            for stem in stems:
                if stem not in order:
                    self.problem(f"{module}/{stem}.md", 0, f"'{stem}' is not listed in {module}/module.md 'activities:'")
        result = []
        for stem in order:
            if not SLUG_RE.match(stem):
                self.problem(f"{module}/{stem}.md", 0, "file names must use a-z, 0-9 and '-' (for example 01-first-contact.md)")
            elif f"{module}/{stem}.md" not in self.files:
                self.problem(f"{module}/{stem}.md", 0, "translation without an original: add the file without a language suffix")
            else:
                result.append(stem)
        if not result and doc is not None:
            self.problem(f"{module}/module.md", 0, "the module has no lessons or activities")
        return result

    def check_translation_suffixes(self) -> None:
        for rel in self.files:
            if not rel.endswith(".md"):
                continue
            _, lang = split_language(rel.split("/")[-1])
            if lang and lang not in self.languages:
                self.problem(rel, 0, f"translation into '{lang}' but there is no course.{lang}.md; add it or rename the file")

    def pick(self, base_rel: str, lang: str, chain: list[str]) -> tuple[str, str] | None:
        """The file for ``base_rel`` (``x/y.md``) in ``lang``, else along the fallback chain."""
        stem = base_rel[:-3]
        for candidate in [lang, *chain]:
            rel = base_rel if candidate == chain[-1] else f"{stem}.{candidate}.md"
            if rel in self.files:
                return rel, candidate
        return None

    def edition(self, lang: str, default: str, structure: list[tuple[str, list[str]]]) -> Edition | None:
        course_rel = "course.md" if lang == default else f"course.{lang}.md"
        doc = self.doc(course_rel)
        if doc is None:
            return None
        if lang != default:
            for key in sorted(set(doc.meta) - TRANSLATION_KEYS):
                self.problem(course_rel, 1, f"'{key}' belongs in course.md, not in a translation")
        fallback = doc.meta.get("fallback", default) if lang != default else default
        if fallback not in self.languages:
            self.problem(course_rel, 1, f"fallback language '{fallback}' has no course.{fallback}.md")
            fallback = default
        chain = [fallback, default] if fallback != default else [default]
        if lang == default:
            chain = [default]
        title = doc.meta.get("title") or (self.doc("course.md").meta.get("title") if self.doc("course.md") else "")
        description = self.render(course_rel, doc)(doc.body).html
        modules = []
        for module_slug, stems in structure:
            picked = self.pick(f"{module_slug}/module.md", lang, chain)
            if picked is None:
                continue
            mrel, mlang = picked
            mdoc = self.doc(mrel)
            mmeta = mdoc.meta if mdoc else {}
            mtitle = mmeta.get("title")
            if not isinstance(mtitle, str) or not mtitle.strip():
                self.problem(mrel, 1, "missing 'title:' in the front matter")
                mtitle = module_slug
            items = []
            for stem in stems:
                picked = self.pick(f"{module_slug}/{stem}.md", lang, chain)
                if picked is None:
                    continue
                arel, alang = picked
                activity = self.activity(module_slug, stem, arel, alang)
                if activity:
                    items.append(activity)
            modules.append(Module(module_slug, mtitle.strip(), str(mmeta.get("summary") or ""), mlang, items))
        return Edition(lang, str(title or ""), str(doc.meta.get("summary") or ""), description, modules)

    def activity(self, module: str, stem: str, rel: str, lang: str) -> Activity | None:
        doc = self.doc(rel)
        if doc is None or doc.problems:
            return None  # already reported; its front matter cannot be trusted
        kind = doc.meta.get("type", "lesson")
        activity_type = activities.get(kind) if isinstance(kind, str) else None
        if activity_type is None:
            self.problem(rel, 1, f"unknown activity type '{kind}' (known: {', '.join(activities.names())})")
            return None
        original = self.doc(f"{module}/{stem}.md")
        if original is not None and original.meta.get("type", "lesson") != kind:
            self.problem(rel, 1, f"a translation must have the same type as {module}/{stem}.md")
        parsed = activity_type.parse(doc, self.render(rel, doc))
        self.problems.extend(parsed.problems)
        self.warnings.extend(parsed.warnings)
        return Activity(
            key=f"{module}/{stem}", module=module, slug=stem, kind=kind, title=parsed.title,
            language=lang, path=rel, html=parsed.html, minutes=parsed.minutes, data=parsed.data,
        )


def _load(slug: str, files: dict[str, bytes], display: str, limits: Limits
          ) -> tuple[CourseContent | None, list[Problem], list[Problem]]:
    loader = _Loader(slug, files, display or slug, limits)
    if not SLUG_RE.match(slug):
        loader.problem("", 0, f"course folder name '{slug}' must use a-z, 0-9 and '-'")
    for rel, data in files.items():
        limit = limits.asset_bytes if posixpath.splitext(rel)[1].lower() in ASSET_EXTENSIONS else limits.text_bytes
        if len(data) > limit:
            loader.problem(rel, 0, f"file is {len(data) / 1_000_000:.1f} MB, over the limit of {limit / 1_000_000:.1f} MB")
    course = loader.load()
    return course, sorted(set(loader.problems)), sorted(set(loader.warnings))


def load_course(slug: str, files: dict[str, bytes], display: str = "", limits: Limits = Limits()
                ) -> tuple[CourseContent | None, list[Problem]]:
    """Load one course from its files; returns the course (None if unusable) and every problem."""
    course, problems, _warnings = _load(slug, files, display, limits)
    return course, problems


def course_dirs(root: Path) -> list[Path]:
    """Course folders under ``root``: ``root`` itself if it holds course.md, else its children.

    Links are not followed: a linked child folder is not listed (:func:`check_directory` reports it).
    """
    if os.path.lexists(root / "course.md"):
        return [root]
    return sorted(p for p in root.iterdir() if not p.name.startswith(".") and not p.is_symlink()
                  and p.is_dir() and os.path.lexists(p / "course.md"))


@dataclass(frozen=True)
class DirectoryCheck:
    """What :func:`check_directory` found: the usable courses, the problems, and warnings.

    A warning points at something that works but is probably not what the
    author meant (a reply never offered); only problems stop an import.
    """

    courses: list[CourseContent]
    problems: list[Problem]
    warnings: list[Problem]


def check_directory(root: Path, display: str | None = None, limits: Limits = Limits()) -> DirectoryCheck:
    """Load every course under ``root``; problems and warnings name files relative to ``display``."""
    display = display if display is not None else str(root).rstrip("/")
    problems: list[Problem] = []
    warnings: list[Problem] = []
    courses: list[CourseContent] = []
    if root.is_symlink():
        return DirectoryCheck([], [Problem(display, 0, LINK_REFUSED)], [])
    if not root.is_dir():
        return DirectoryCheck([], [Problem(display, 0, "no such directory")], [])
    dirs = course_dirs(root)
    if dirs != [root]:
        problems.extend(Problem(f"{display}/{p.name}", 0, LINK_REFUSED) for p in sorted(root.iterdir())
                        if p.is_symlink() and not p.name.startswith("."))
    if not dirs:
        return DirectoryCheck([], problems or [Problem(display, 0, "no course folders here (a course folder holds a course.md)")], [])
    slugs: dict[str, str] = {}
    for directory in dirs:
        shown = display if directory == root else f"{display}/{directory.name}"
        files, read_problems = read_tree(directory, shown, limits)
        problems.extend(read_problems)
        slug = directory.name
        head = files.get("course.md", b"")
        declared = re.search(rb"(?m)^slug:\s*([A-Za-z0-9-]+)\s*$", head[:4000])
        if declared:
            slug = declared.group(1).decode()
        if slug in slugs:
            problems.append(Problem(f"{shown}/course.md", 1, f"duplicate course slug '{slug}' (also {slugs[slug]})"))
            continue
        slugs[slug] = shown
        course, course_problems, course_warnings = _load(slug, files, shown, limits)
        problems.extend(course_problems)
        warnings.extend(course_warnings)
        if course is not None:
            courses.append(course)
    return DirectoryCheck(courses, sorted(set(problems)), sorted(set(warnings)))


def load_directory(root: Path, display: str | None = None, limits: Limits = Limits()
                   ) -> tuple[list[CourseContent], list[Problem]]:
    """Load every course under ``root``; problems name files relative to ``display``."""
    checked = check_directory(root, display, limits)
    return checked.courses, checked.problems
