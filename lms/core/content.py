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
repository): :mod:`lms.core.folders` reads it without following a link or
reading a file outside the folder, and every image's bytes must match its
extension (:func:`lms.core.assets.image_matches`), whether it came from a
folder, a zip or an upload.

Every problem is a :class:`~lms.core.problems.Problem` with a code defined
below, next to the check that reports it; the reader's language is chosen where
it is shown.
"""
from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import activities, course_rules, job_aids
from .assets import ASSET_EXTENSIONS, image_matches
from .certificates import check_rule as check_certificate_rule
from .folders import LINK_REFUSED, Limits, course_dirs, decode, read_tree, too_large
from .frontmatter import MISSING_TITLE, UNKNOWN_KEY, Document, front_matter_line, split_front_matter
from .problems import Problem, define
from .render import Rendered, render_markdown
from .svg import svg_problems

__all__ = [  # the folder reading lives in lms.core.folders; its names are part of this API too
    "LINK_REFUSED", "Limits", "course_dirs", "decode", "read_tree",
    "Activity", "CourseContent", "DirectoryCheck", "Edition", "Module",
    "check_directory", "content_hash", "load_course", "load_directory", "split_language",
]

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
LANG_RE = re.compile(r"^[a-z]{2}$")
RESERVED_MODULE_SLUGS = {"files", "language", "progress", "complete", "edition", job_aids.AIDS_FOLDER}
COURSE_KEYS = {"title", "language", "summary", "modules", "completion", "certificate", "slug", "fallback", "rules"}
TRANSLATION_KEYS = {"title", "summary", "fallback", "language"}
MODULE_KEYS = {"title", "summary", "activities"}
LINK_BASE = "/__lms__/"
"""Resolved links start with this; the app swaps in the course's real URL."""

# -- the problems a course can have ---------------------------------------------
NO_SUCH_DIRECTORY = define("folder.missing", "no such directory")
NO_COURSES = define("folder.no-courses", "no course folders here (a course folder holds a course.md)")
DUPLICATE_SLUG = define("course.duplicate-slug", "duplicate course slug '%(slug)s' (also %(other)s)")
BAD_SLUG = define("course.bad-slug", "course folder name '%(slug)s' must use a-z, 0-9 and '-'")
NO_COURSE_MD = define("course.missing", "missing course.md: every course folder needs one")
BAD_LANGUAGE = define("course.bad-language", "'language:' must be a two-letter code such as ru, en or ar")
COMPLETION_NOT_MAPPING = define("course.completion-not-mapping",
                                "'completion:' must be a mapping such as {lessons: all, quizzes: passed}")
UNKNOWN_COMPLETION = define("course.unknown-completion-rule", "unknown completion rule '%(key)s' (known: %(known)s)")
BAD_COMPLETION = define("course.bad-completion-rule", "completion rule '%(key)s: %(value)s' must be one of: %(allowed)s")
NOT_AN_IMAGE = define("course.not-an-image", "the file is not a %(kind)s image (its contents do not match its name); "
                                             "save it as %(kind)s or give it the right extension")
UNSUPPORTED_FILE = define("course.unsupported-file",
                          "unsupported file type; a course holds .md files and images (png, jpg, gif, webp, svg)")
MODULES_NOT_LIST = define("course.modules-not-list", "'modules:' must be a list of module folder names")
MODULE_TWICE = define("course.module-twice", "module '%(module)s' is listed twice in 'modules:'")
MODULE_MISSING = define("course.module-missing", "module '%(module)s' is listed but %(module)s/module.md does not exist")
FOLDER_NOT_LISTED = define("course.folder-not-listed",
                           "folder '%(folder)s' is not listed in course.md 'modules:'; list it or remove it")
BAD_MODULE_NAME = define("course.bad-module-name",
                         "module folder name '%(module)s' must use a-z, 0-9 and '-' (and not be %(reserved)s)")
NO_MODULES = define("course.no-modules", "the course has no modules")
ACTIVITIES_NOT_LIST = define("module.activities-not-list", "'activities:' must be a list of file names without .md")
ACTIVITY_MISSING = define("module.activity-missing",
                          "activity '%(activity)s' is listed but %(module)s/%(activity)s.md does not exist")
ACTIVITY_TWICE = define("module.activity-twice", "activity '%(activity)s' is listed twice")
ACTIVITY_NOT_LISTED = define("module.activity-not-listed",
                             "'%(activity)s' is not listed in %(module)s/module.md 'activities:'")
BAD_FILE_NAME = define("module.bad-file-name",
                       "file names must use a-z, 0-9 and '-' (for example 01-first-contact.md)")
NO_ORIGINAL = define("module.no-original",
                     "translation without an original: add the file without a language suffix")
EMPTY_MODULE = define("module.empty", "the module has no lessons or activities")
UNKNOWN_LANGUAGE = define("translation.unknown-language", "translation into '%(language)s' but there is no "
                                                          "course.%(language)s.md; add it or rename the file")
NOT_IN_TRANSLATION = define("translation.course-key", "'%(key)s' belongs in course.md, not in a translation")
BAD_FALLBACK = define("translation.bad-fallback", "fallback language '%(language)s' has no course.%(language)s.md")
TRANSLATION_TYPE = define("translation.other-type", "a translation must have the same type as %(original)s")
UNKNOWN_TYPE = define("activity.unknown-type", "unknown activity type '%(kind)s' (known: %(known)s)")
BROKEN_LINK = define("activity.broken-link", "link to '%(target)s' points to no lesson or image of this course")


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
    #: what the course's own rules can count in it (:mod:`lms.core.course_rules`)
    measures: dict[str, int] = field(default_factory=dict)
    #: what the course outline shows of it without opening it (:attr:`ParsedActivity.facts`)
    facts: dict[str, Any] = field(default_factory=dict)

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
                            "slug": m.slug, "title": m.title, "summary": m.summary, "language": m.language,
                            "activities": [
                                {"key": a.key, "slug": a.slug, "kind": a.kind, "title": a.title,
                                 "minutes": a.minutes, "language": a.language, **({"facts": a.facts} if a.facts else {})}
                                for a in m.activities
                            ],
                        }
                        for m in ed.modules
                    ],
                }
                for lang, ed in self.editions.items()
            },
        }


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


class _Loader:
    def __init__(self, slug: str, files: dict[str, bytes], display: str, limits: Limits):
        self.slug = slug
        self.files = files
        self.display = display
        self.limits = limits
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.docs: dict[str, Document | None] = {}  # None: the file is not text
        self.texts: dict[str, str] = {}
        self.hash = content_hash(files)
        self.aid_names: set[str] = set()  # the job aids a link may name (check_aids)

    def where(self, rel: str) -> str:
        return f"{self.display}/{rel}" if self.display else rel

    def problem(self, rel: str, line: int, code: str, /, **params: Any) -> None:
        self.problems.append(Problem.of(self.where(rel), line, code, **params))

    def doc(self, rel: str) -> Document | None:
        if rel in self.docs:
            return self.docs[rel]
        if rel not in self.files:
            return None
        text, problem = decode(self.files[rel], self.where(rel))
        if problem:
            self.problems.append(problem)
            self.docs[rel] = None
            return None
        assert text is not None  # decode gives either the text or a problem
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
            if module_dir == job_aids.AIDS_FOLDER:  # a job aid: its PDF, in the reader's language
                return f"{LINK_BASE}{module_dir}/{stem}.pdf" if stem in self.aid_names else None
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
                self.problem(rel, base + offset, BROKEN_LINK, target=target)
            return rendered

        return render_body

    # -- structure -----------------------------------------------------
    def load(self) -> CourseContent | None:
        if "course.md" not in self.files:
            self.problem("course.md", 0, NO_COURSE_MD)
            return None
        course = self.doc("course.md")
        if course is None:
            return None
        meta = course.meta
        for key in sorted(set(meta) - COURSE_KEYS):
            self.problem("course.md", 1, UNKNOWN_KEY, key=key, known=sorted(COURSE_KEYS))
        language = meta.get("language")
        if not isinstance(language, str) or not LANG_RE.match(language):
            self.problem("course.md", 1, BAD_LANGUAGE)
            language = "ru"
        if not isinstance(meta.get("title"), str) or not meta["title"].strip():
            self.problem("course.md", 1, MISSING_TITLE)
        completion = activities.default_completion()
        completion_rules = activities.completion_rules()
        raw_completion = meta.get("completion") or {}
        if not isinstance(raw_completion, dict):
            self.problem("course.md", 1, COMPLETION_NOT_MAPPING)
            raw_completion = {}
        for key, value in raw_completion.items():
            if key not in completion_rules:
                self.problem("course.md", 1, UNKNOWN_COMPLETION, key=key, known=sorted(completion_rules))
            elif value not in completion_rules[key]:
                self.problem("course.md", 1, BAD_COMPLETION, key=key, value=value,
                             allowed=sorted(completion_rules[key]))
            else:
                completion[key] = value
        certificate, certificate_problems = check_certificate_rule(meta.get("certificate"))
        for key, problem in certificate_problems:
            self.problems.append(problem.relocated(self.where("course.md"),
                                                   front_matter_line(course.source, "certificate", key)))

        rules, rule_problems = course_rules.parse_rules(meta.get("rules"), activities.names(), activities.measures())
        for key, problem in rule_problems:
            self.problems.append(problem.relocated(self.where("course.md"),
                                                   front_matter_line(course.source, "rules", key)))

        self.check_files()
        self.check_aids()
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
        if rules:
            counted = {lang: [(m.slug, [course_rules.Counted(self.where(a.path), m.slug, a.kind, a.language, a.measures)
                                        for a in m.activities]) for m in edition.modules]
                       for lang, edition in editions.items()}
            self.warnings.extend(course_rules.check_rules(rules, self.where("course.md"),
                                                          front_matter_line(course.source, "rules"), counted))
        return CourseContent(
            slug=self.slug, default_language=language, completion=completion, certificate=certificate,
            editions=editions, files=self.files, content_hash=self.hash,
        )

    def check_files(self) -> None:
        for rel in self.files:
            ext = posixpath.splitext(rel)[1].lower()
            if ext == ".md":
                continue
            if ext == ".svg":
                for found in svg_problems(self.files[rel]):
                    self.problem(rel, found.line, found.code, **dict(found.params))
                continue
            if ext in ASSET_EXTENSIONS:
                if not image_matches(rel, self.files[rel]):
                    self.problem(rel, 0, NOT_AN_IMAGE, kind=ext[1:].upper())
                continue
            self.problem(rel, 0, UNSUPPORTED_FILE)

    def check_aids(self) -> None:
        """The job aids in ``aids/`` (see :mod:`lms.core.job_aids`); their names go to :attr:`aid_names`."""
        prefix = job_aids.AIDS_FOLDER + "/"
        for rel in sorted(rel for rel in self.files if rel.startswith(prefix)):
            name = rel.removeprefix(prefix)
            if "/" in name or not name.endswith(".md"):
                self.problem(rel, 0, job_aids.NOT_AN_AID)
                continue
            stem, _lang = split_language(name)
            if not SLUG_RE.match(stem):
                self.problem(rel, 0, job_aids.BAD_AID_NAME)
            elif f"{prefix}{stem}.md" not in self.files:
                self.problem(rel, 0, job_aids.AID_NO_ORIGINAL, name=stem)
            else:
                self.aid_names.add(stem)
                if (document := self.doc(rel)) is not None and not document.problems:
                    self.problems.extend(job_aids.check_aid(document, self.where(rel)))

    def module_order(self, meta: dict) -> list[str]:
        folders = sorted({rel.split("/", 1)[0] for rel in self.files if "/" in rel} - {job_aids.AIDS_FOLDER})
        listed = meta.get("modules")
        if listed is None:
            order = [f for f in folders if f"{f}/module.md" in self.files]
        elif not isinstance(listed, list) or not all(isinstance(m, str) for m in listed):
            self.problem("course.md", 1, MODULES_NOT_LIST)
            return []
        else:
            order = []
            seen: set[str] = set()
            for slug in listed:
                if slug in seen:
                    self.problem("course.md", 1, MODULE_TWICE, module=slug)
                    continue
                seen.add(slug)
                if f"{slug}/module.md" not in self.files:
                    self.problem("course.md", 1, MODULE_MISSING, module=slug)
                    continue
                order.append(slug)
            for folder in folders:
                if folder not in seen:
                    self.problem(f"{folder}/", 0, FOLDER_NOT_LISTED, folder=folder)
        valid = []
        for slug in order:
            if not SLUG_RE.match(slug) or slug in RESERVED_MODULE_SLUGS:
                self.problem(f"{slug}/module.md", 0, BAD_MODULE_NAME, module=slug, reserved=sorted(RESERVED_MODULE_SLUGS))
                continue
            valid.append(slug)
        if not valid and listed is not None:
            self.problem("course.md", 1, NO_MODULES)
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
            self.problem(f"{module}/module.md", 1, UNKNOWN_KEY, key=key, known=sorted(MODULE_KEYS))
        listed = meta.get("activities")
        if listed is None:
            order = stems
        elif not isinstance(listed, list):
            self.problem(f"{module}/module.md", 1, ACTIVITIES_NOT_LIST)
            order = stems
        else:
            order = []
            for item in listed:
                stem = str(item).removesuffix(".md")
                if stem not in stems:
                    self.problem(f"{module}/module.md", 1, ACTIVITY_MISSING, activity=stem, module=module)
                elif stem in order:
                    self.problem(f"{module}/module.md", 1, ACTIVITY_TWICE, activity=stem)
                else:
                    order.append(stem)
            for stem in stems:
                if stem not in order:
                    self.problem(f"{module}/{stem}.md", 0, ACTIVITY_NOT_LISTED, activity=stem, module=module)
        result = []
        for stem in order:
            if not SLUG_RE.match(stem):
                self.problem(f"{module}/{stem}.md", 0, BAD_FILE_NAME)
            elif f"{module}/{stem}.md" not in self.files:
                self.problem(f"{module}/{stem}.md", 0, NO_ORIGINAL)
            else:
                result.append(stem)
        if not result and doc is not None:
            self.problem(f"{module}/module.md", 0, EMPTY_MODULE)
        return result

    def check_translation_suffixes(self) -> None:
        for rel in self.files:
            if not rel.endswith(".md"):
                continue
            _, lang = split_language(rel.split("/")[-1])
            if lang and lang not in self.languages:
                self.problem(rel, 0, UNKNOWN_LANGUAGE, language=lang)

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
                self.problem(course_rel, 1, NOT_IN_TRANSLATION, key=key)
        fallback = doc.meta.get("fallback", default) if lang != default else default
        if fallback not in self.languages:
            self.problem(course_rel, 1, BAD_FALLBACK, language=fallback)
            fallback = default
        chain = [fallback, default] if fallback != default else [default]
        if lang == default:
            chain = [default]
        course_doc = self.doc("course.md")
        title = doc.meta.get("title") or (course_doc.meta.get("title") if course_doc else "")
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
                self.problem(mrel, 1, MISSING_TITLE)
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
        kind = doc.meta.get("type", activities.DEFAULT_KIND)
        activity_type = activities.get(kind) if isinstance(kind, str) else None
        if activity_type is None:
            self.problem(rel, 1, UNKNOWN_TYPE, kind=kind, known=activities.names())
            return None
        original = self.doc(f"{module}/{stem}.md")
        if original is not None and original.meta.get("type", activities.DEFAULT_KIND) != kind:
            self.problem(rel, 1, TRANSLATION_TYPE, original=f"{module}/{stem}.md")
        parsed = activity_type.parse(doc, self.render(rel, doc))
        self.problems.extend(parsed.problems)
        self.warnings.extend(parsed.warnings)
        return Activity(
            key=f"{module}/{stem}", module=module, slug=stem, kind=kind, title=parsed.title,
            language=lang, path=rel, html=parsed.html, minutes=parsed.minutes, data=parsed.data,
            measures=dict(parsed.measures), facts=dict(parsed.facts),
        )


def _load(slug: str, files: dict[str, bytes], display: str, limits: Limits
          ) -> tuple[CourseContent | None, list[Problem], list[Problem]]:
    loader = _Loader(slug, files, display or slug, limits)
    if not SLUG_RE.match(slug):
        loader.problem("", 0, BAD_SLUG, slug=slug)
    for rel, data in files.items():
        if len(data) > limits.for_path(rel):
            loader.problems.append(too_large(loader.where(rel), len(data), limits.for_path(rel)))
    course = loader.load()
    return course, sorted(set(loader.problems)), sorted(set(loader.warnings))


def load_course(slug: str, files: dict[str, bytes], display: str = "", limits: Limits = Limits()
                ) -> tuple[CourseContent | None, list[Problem]]:
    """Load one course from its files; returns the course (None if unusable) and every problem."""
    course, problems, _warnings = _load(slug, files, display, limits)
    return course, problems


def check_course(slug: str, files: dict[str, bytes], display: str = "", limits: Limits = Limits()
                 ) -> tuple[CourseContent | None, list[Problem], list[Problem]]:
    """Load one course and say everything found: the course (None if unusable), problems and warnings."""
    return _load(slug, files, display, limits)


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
        return DirectoryCheck([], [Problem.of(display, 0, LINK_REFUSED)], [])
    if not root.is_dir():
        return DirectoryCheck([], [Problem.of(display, 0, NO_SUCH_DIRECTORY)], [])
    dirs = course_dirs(root)
    if dirs != [root]:
        problems.extend(Problem.of(f"{display}/{p.name}", 0, LINK_REFUSED) for p in sorted(root.iterdir())
                        if p.is_symlink() and not p.name.startswith("."))
    if not dirs:
        return DirectoryCheck([], problems or [Problem.of(display, 0, NO_COURSES)], [])
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
            problems.append(Problem.of(f"{shown}/course.md", 1, DUPLICATE_SLUG, slug=slug, other=slugs[slug]))
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


@dataclass(frozen=True)
class Structure:
    """A course folder's structure, read the way the loader reads it, even when the course has problems:
    the default language and the others present, and each module's activity stems in order."""

    language: str
    languages: tuple[str, ...]
    modules: tuple[tuple[str, tuple[str, ...]], ...]
    meta: dict[str, dict[str, Any]]  # front matter of every readable .md file, by path


def read_structure(files: dict[str, bytes], limits: Limits = Limits()) -> Structure:
    """The order of modules and activities (one rule: the loader's) without parsing the activities."""
    loader = _Loader("", files, "", limits)
    course = loader.doc("course.md")
    meta = course.meta if course else {}
    language = meta.get("language")
    if not isinstance(language, str) or not LANG_RE.match(language):
        language = "ru"
    modules = tuple((slug, tuple(loader.activity_order(slug))) for slug in loader.module_order(meta))
    languages = [language] + sorted(
        lang for rel in files if "/" not in rel and rel.startswith("course.") and rel != "course.md"
        for _, lang in [split_language(rel)] if lang and lang != language)
    docs = {rel: loader.doc(rel) for rel in files if rel.endswith(".md")}
    return Structure(language, tuple(languages), modules,
                     {rel: dict(doc.meta) for rel, doc in docs.items() if doc is not None})
