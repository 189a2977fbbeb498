"""Editing courses in the browser: drafts over the published files, publish, roll back, editors.

A problem the author can fix is an :class:`AuthoringError` with a ``code`` and its
parameters, like the problems of the content itself (:mod:`lms.core.problems`): its
English text is defined below, and the view words it in the reader's language
(:func:`lms.problem_text.problem_text` of ``error.problem``). A course whose content has
problems is refused with :class:`PublishRefused`, which carries them.
"""
from __future__ import annotations

import io
import posixpath
import stat
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from ..core.assets import image_matches
from ..core.content import ASSET_EXTENSIONS, SLUG_RE, CourseContent, Limits, load_course
from ..core.folders import megabytes
from ..core.problems import Problem, define
from ..core.version_notes import published_note, rollback_note, zip_note
from ..models import AuditEntry, Course, CourseEditor, CourseVersion, Draft, User
from .content import ImportResult, store_version, version_files
from .users import find_user

#: A zip entry that unpacks to more than this many times its packed size is refused as a bomb...
MAX_COMPRESSION_RATIO = 100
#: ...once it unpacks to more than this: small files may compress as well as they like.
RATIO_FLOOR = 1_000_000
#: The most bytes one entry may take in a zip's central directory (fixed fields, name, extras).
CENTRAL_ENTRY_BYTES = 1_024


OUTSIDE_FOLDER = define("outside_folder", "The file name must stay inside the course folder: no “..”, no “\\”, "
                                          "no name starting with a dot.")
FILE_TYPE = define("file_type", "A course holds .md files and images (png, jpg, gif, webp).")
IMAGE_TYPE = define("image_type", "Only png, jpg, gif and webp images can be uploaded.")
IMAGE_TOO_LARGE = define("image_too_large", "The image is %(size)s MB; the limit is %(limit)s MB.")
NOT_AN_IMAGE = define("not_an_image", "The file is not a %(kind)s image.")
NO_VERSION = define("no_version", "There is no version %(number)s.")
ALREADY_CURRENT = define("already_current", "Version %(number)s is already the current content.")
BAD_SLUG = define("bad_slug", "The course address may use a-z, 0-9 and “-” only.")
SLUG_TAKEN = define("slug_taken", "A course “%(slug)s” already exists.")
NOT_A_ZIP = define("not_a_zip", "The file is not a zip archive.")
ZIP_TOO_MANY_FILES = define("zip_too_many_files",
                            "The archive holds too many files: a course may hold at most %(limit)s.")
ZIP_UNSAFE_PATH = define("zip_unsafe_path", "The archive was refused: “%(name)s” points outside the course folder "
                                            "(“..”, an absolute path or a backslash).")
ZIP_LINK = define("zip_link", "The archive was refused: “%(name)s” is a link. Put the file itself in the zip.")
ZIP_ENCRYPTED = define("zip_encrypted",
                       "The archive was refused: “%(name)s” is encrypted. Make the zip without a password.")
ZIP_LAYOUT = define("zip_layout", "The archive must hold one folder named after the course, with course.md inside.")
ZIP_FOLDER_NAME = define("zip_folder_name", "The folder in the archive, “%(name)s”, is not a course address: use "
                                            "a-z, 0-9 and “-” only.")
ZIP_FILE_TOO_LARGE = define("zip_file_too_large", "The archive was refused: “%(name)s” is %(size)s MB; the limit "
                                                  "for this kind of file is %(limit)s MB.")
ZIP_COMPRESSION = define("zip_compression", "The archive was refused: “%(name)s” unpacks to more than %(ratio)s "
                                            "times its packed size, as zip bombs do.")
ZIP_TOO_LARGE_UNZIPPED = define("zip_too_large_unzipped", "The archive was refused: unpacked, its files take more "
                                                          "than %(limit)s MB. Make the images smaller.")
ZIP_DAMAGED = define("zip_damaged", "The archive is damaged: “%(name)s” cannot be read. Make the zip again.")
ZIP_NOT_EDITOR = define("zip_not_editor", "A course “%(slug)s” already exists and you do not edit it, so the zip "
                                          "cannot replace it. Ask one of its editors or an administrator, or rename "
                                          "the folder in the zip.")
NOT_A_TRAINER = define("not_a_trainer", "There is no trainer or administrator with the e-mail %(email)s.")
ALREADY_EDITOR = define("already_editor", "%(name)s already edits this course.")
NOT_AN_EDITOR = define("not_an_editor", "%(name)s does not edit this course.")
LAST_EDITOR = define("last_editor",
                     "The last editor cannot be removed: add another editor first, or ask an administrator.")


class AuthoringError(ValueError):
    """Something the author must fix: ``code`` says what, ``params`` fill in its text.

    ``problem`` is the same as a :class:`Problem` (of no file), for the view to word.
    """

    def __init__(self, code: str, **params: Any):
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.params = params
        self.problem = Problem.of("", 0, code, **params)


def latest_version(session: Session, course: Course) -> CourseVersion | None:
    return course.published_version or session.scalar(
        select(CourseVersion).where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number.desc()).limit(1))


def drafts(session: Session, course: Course) -> dict[str, Draft]:
    return {d.path: d for d in session.scalars(select(Draft).where(Draft.course_id == course.id))}


def working_files(session: Session, course: Course) -> dict[str, bytes]:
    """The published files with the drafts laid over them."""
    version = latest_version(session, course)
    files = version_files(session, version) if version else {}
    for path, draft in drafts(session, course).items():
        if draft.data is None:
            files.pop(path, None)
        else:
            files[path] = bytes(draft.data)
    return files


def changes(session: Session, course: Course) -> dict[str, str]:
    """Path -> added | changed | deleted, for files that differ from the published version."""
    version = latest_version(session, course)
    published = version_files(session, version) if version else {}
    result = {}
    for path, draft in drafts(session, course).items():
        if draft.data is None:
            if path in published:
                result[path] = "deleted"
        elif path not in published:
            result[path] = "added"
        elif published[path] != bytes(draft.data):
            result[path] = "changed"
    return dict(sorted(result.items()))


def check_path(path: str) -> str:
    path = posixpath.normpath(path.strip().lstrip("/"))
    if path.startswith("..") or path in (".", "") or "\\" in path or any(p.startswith(".") for p in path.split("/")):
        raise AuthoringError(OUTSIDE_FOLDER)
    extension = posixpath.splitext(path)[1].lower()
    if extension != ".md" and extension not in ASSET_EXTENSIONS:
        raise AuthoringError(FILE_TYPE)
    return path


def save_draft(session: Session, course: Course, path: str, data: bytes | None, actor: User | None) -> Draft:
    path = check_path(path)
    draft = session.scalar(select(Draft).where(Draft.course_id == course.id, Draft.path == path))
    if draft is None:
        draft = Draft(course_id=course.id, path=path)
        session.add(draft)
    draft.data = data
    draft.updated_by_id = actor.id if actor else None
    session.flush()
    return draft


def save_image(session: Session, course: Course, path: str, data: bytes, limits: Limits, actor: User | None) -> Draft:
    """Store an uploaded image after checking its type (by its bytes) and size."""
    path = check_path(path)
    extension = posixpath.splitext(path)[1].lower()
    if extension not in ASSET_EXTENSIONS:
        raise AuthoringError(IMAGE_TYPE)
    if len(data) > limits.asset_bytes:
        raise AuthoringError(IMAGE_TOO_LARGE, size=megabytes(len(data)), limit=megabytes(limits.asset_bytes))
    if not image_matches(path, data):
        raise AuthoringError(NOT_AN_IMAGE, kind=extension[1:].upper())
    return save_draft(session, course, path, data, actor)


def discard(session: Session, course: Course) -> int:
    found = list(drafts(session, course).values())
    for draft in found:
        session.delete(draft)
    session.flush()
    return len(found)


def check_working(session: Session, course: Course, limits: Limits) -> tuple[CourseContent | None, list[Problem]]:
    return load_course(course.slug, working_files(session, course), course.slug, limits)


def publish(session: Session, course: Course, limits: Limits, actor: User | None, note: str = "") -> ImportResult:
    """Turn the working copy into a new published version; refuse it with its problems."""
    content, problems = check_working(session, course, limits)
    if problems or content is None:
        raise PublishRefused(problems)
    result = store_version(session, content, actor, note=note.strip() or published_note())
    discard(session, course)
    return result


class PublishRefused(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s)")


def rollback(session: Session, course: Course, number: int, limits: Limits, actor: User | None) -> ImportResult:
    """Publish the files of version ``number`` again, as a new version."""
    version = session.scalar(select(CourseVersion).where(
        CourseVersion.course_id == course.id, CourseVersion.number == number))
    if version is None:
        raise AuthoringError(NO_VERSION, number=number)
    content, problems = load_course(course.slug, version_files(session, version), course.slug, limits)
    if problems or content is None:
        raise PublishRefused(problems)
    # The same files would hash the same as the old version; a rollback must still be a new version.
    latest = latest_version(session, course)
    if latest is not None and latest.content_hash == content.content_hash:
        raise AuthoringError(ALREADY_CURRENT, number=number)
    result = store_version(session, content, actor, note=rollback_note(number))
    session.add(AuditEntry(actor_id=actor.id if actor else None, action="course.rollback", target=course.slug,
                           details={"to": number, "new": result.version_number}))
    session.flush()
    return result


def new_course_files(title: str, language: str) -> dict[str, bytes]:
    return {
        "course.md": f"---\ntitle: {title!r}\nlanguage: {language}\nsummary: ''\nmodules: [01-start]\n---\n".encode(),
        "01-start/module.md": b"---\ntitle: Module 1\n---\n",
        "01-start/01-first-lesson.md": b"---\ntitle: First lesson\nminutes: 3\n---\nWrite the lesson here.\n",
    }


def create_course(session: Session, slug: str, title: str, language: str, actor: User | None) -> Course:
    if not SLUG_RE.match(slug):
        raise AuthoringError(BAD_SLUG)
    if session.scalar(select(Course.id).where(Course.slug == slug)):
        raise AuthoringError(SLUG_TAKEN, slug=slug)
    course = Course(slug=slug)
    session.add(course)
    session.flush()
    if actor is not None:
        _add_editor(session, course, actor, actor, "created")
    for path, data in new_course_files(title.strip() or slug, language).items():
        save_draft(session, course, path, data, actor)
    return course


def zip_course(slug: str, files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{slug}/{path}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path])
    return buffer.getvalue()


def _declared_directory(data: bytes) -> tuple[int, int] | None:
    """(entries, central directory bytes) from a zip's end record, read before ``zipfile`` lists them all.

    ``zipfile`` builds an object per entry as it opens an archive; 20 MB of empty
    entries would take a hundred megabytes and seconds before any limit is checked.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None
    return int.from_bytes(data[end + 10:end + 12], "little"), int.from_bytes(data[end + 12:end + 16], "little")


def _unsafe_name(name: str) -> bool:
    parts = name.split("/")
    return "\\" in name or name.startswith("/") or ".." in parts or "\0" in name


@dataclass(frozen=True)
class CourseZip:
    """A course zip whose directory passed every check; nothing is unpacked yet."""

    slug: str
    archive: zipfile.ZipFile
    entries: tuple[tuple[str, zipfile.ZipInfo], ...]  # (path inside the course folder, entry)


def open_course_zip(data: bytes, limits: Limits, max_unzipped: int) -> CourseZip:
    """Check a course zip from its directory alone: layout, paths, sizes and compression.

    The archive must hold one folder named after the course. Refused before
    anything is unpacked: too many entries, a path that leaves the folder (``..``,
    an absolute path, a backslash), links, encrypted entries, an entry over its
    type's size limit or packed more than :data:`MAX_COMPRESSION_RATIO` to one,
    or more than ``max_unzipped`` bytes in all.
    """
    declared = _declared_directory(data)
    if declared is not None and (declared[0] > limits.files or declared[1] > limits.files * CENTRAL_ENTRY_BYTES):
        raise AuthoringError(ZIP_TOO_MANY_FILES, limit=limits.files)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise AuthoringError(NOT_A_ZIP) from None
    infos = archive.infolist()
    if len(infos) > limits.files:
        raise AuthoringError(ZIP_TOO_MANY_FILES, limit=limits.files)
    for info in infos:
        if _unsafe_name(info.filename):
            raise AuthoringError(ZIP_UNSAFE_PATH, name=info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise AuthoringError(ZIP_LINK, name=info.filename)
        if info.flag_bits & 0x1:
            raise AuthoringError(ZIP_ENCRYPTED, name=info.filename)
    files = [i for i in infos if not i.is_dir()]
    tops = {i.filename.split("/", 1)[0] for i in infos}
    if len(tops) != 1 or any("/" not in i.filename for i in files):
        raise AuthoringError(ZIP_LAYOUT)
    slug = tops.pop()
    if not SLUG_RE.match(slug):
        raise AuthoringError(ZIP_FOLDER_NAME, name=slug)
    entries = []
    total = 0
    for info in files:
        path = info.filename.split("/", 1)[1]
        if any(part.startswith(".") for part in path.split("/")):
            continue  # hidden files and folders (.DS_Store, .git) are not part of a course
        limit = limits.asset_bytes if posixpath.splitext(path)[1].lower() in ASSET_EXTENSIONS else limits.text_bytes
        if info.file_size > limit:
            raise AuthoringError(ZIP_FILE_TOO_LARGE, name=info.filename, size=megabytes(info.file_size),
                                 limit=megabytes(limit))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise AuthoringError(ZIP_COMPRESSION, name=info.filename, ratio=MAX_COMPRESSION_RATIO)
        total += info.file_size
        if total > max_unzipped:
            raise AuthoringError(ZIP_TOO_LARGE_UNZIPPED, limit=megabytes(max_unzipped))
        entries.append((path, info))
    return CourseZip(slug, archive, tuple(entries))


def read_course_zip(course_zip: CourseZip) -> dict[str, bytes]:
    """Unpack the checked entries, each read no further than the size its directory declared.

    An entry whose data does not match its directory (longer, shorter, a wrong
    checksum) makes the whole archive refused as damaged.
    """
    files = {}
    for path, info in course_zip.entries:
        try:
            with course_zip.archive.open(info) as handle:
                data = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
            raise AuthoringError(ZIP_DAMAGED, name=info.filename) from None
        if len(data) != info.file_size:
            raise AuthoringError(ZIP_DAMAGED, name=info.filename)
        files[path] = data
    return files


def unzip_course(data: bytes, limits: Limits, max_unzipped: int = 50_000_000) -> tuple[str, dict[str, bytes]]:
    """A course folder from a zip: one top folder (the slug) holding course.md."""
    course_zip = open_course_zip(data, limits, max_unzipped)
    return course_zip.slug, read_course_zip(course_zip)


def import_zip(session: Session, data: bytes, limits: Limits, actor: User, max_unzipped: int
               ) -> tuple[str, ImportResult]:
    """Publish a course from a zip. A new course makes ``actor`` its editor; an existing one
    may be replaced by its editors only. Raises :class:`AuthoringError` or :class:`PublishRefused`."""
    course_zip = open_course_zip(data, limits, max_unzipped)
    slug = course_zip.slug
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is not None and not is_editor(session, course, actor):
        raise AuthoringError(ZIP_NOT_EDITOR, slug=slug)
    content, problems = load_course(slug, read_course_zip(course_zip), slug, limits)
    if problems or content is None:
        raise PublishRefused(problems)
    result = store_version(session, content, actor, note=zip_note())
    if course is None:
        # store_version has just made the course (slugs are unique)
        created = session.scalars(select(Course).where(Course.slug == slug)).one()
        _add_editor(session, created, actor, actor, "imported")
    return slug, result


# -- editors --------------------------------------------------------------------------------
def is_editor(session: Session, course: Course, user: User | None) -> bool:
    """Whether ``user`` may change ``course``: one of its editors, or an administrator."""
    if user is None:
        return False
    if "admin" in user.role_set:
        return True
    return session.scalar(select(CourseEditor.user_id).where(
        CourseEditor.course_id == course.id, CourseEditor.user_id == user.id)) is not None


def editors(session: Session, course: Course) -> list[CourseEditor]:
    """The course's editors with their accounts, by name."""
    return list(session.scalars(
        select(CourseEditor).join(CourseEditor.user).where(CourseEditor.course_id == course.id)
        .order_by(User.name, User.id).options(contains_eager(CourseEditor.user))))


def edited_courses(session: Session, user: User) -> list[Course]:
    """The courses ``user`` edits; every course for an administrator."""
    query = select(Course).order_by(Course.slug)
    if "admin" not in user.role_set:
        query = query.join(CourseEditor, CourseEditor.course_id == Course.id).where(CourseEditor.user_id == user.id)
    return list(session.scalars(query))


def _add_editor(session: Session, course: Course, person: User, actor: User | None, reason: str) -> CourseEditor:
    editor = CourseEditor(course_id=course.id, user_id=person.id, added_by_id=actor.id if actor else None)
    session.add(editor)
    session.add(AuditEntry(actor_id=actor.id if actor else None, action="course.editor_added", target=course.slug,
                           details={"user_id": person.id, "reason": reason}))
    session.flush()
    return editor


def add_editor(session: Session, course: Course, email: str, actor: User) -> User:
    """Make the trainer (or administrator) with ``email`` an editor of ``course``."""
    person = find_user(session, email)
    if person is None or not person.is_active or person.anonymized_at is not None \
            or not person.has_role("trainer"):
        raise AuthoringError(NOT_A_TRAINER, email=email.strip())
    if session.get(CourseEditor, (course.id, person.id)) is not None:
        raise AuthoringError(ALREADY_EDITOR, name=person.name)
    _add_editor(session, course, person, actor, "added")
    return person


def remove_editor(session: Session, course: Course, person: User, actor: User) -> None:
    """Take ``person`` off the course's editors; the last one stays unless an administrator removes them."""
    # Lock the course row, so two editors removing each other at once cannot leave none.
    session.scalar(select(Course.id).where(Course.id == course.id).with_for_update())
    editor = session.get(CourseEditor, (course.id, person.id))
    if editor is None:
        raise AuthoringError(NOT_AN_EDITOR, name=person.name)
    count = session.scalar(
        select(func.count()).select_from(CourseEditor).where(CourseEditor.course_id == course.id)) or 0
    if count <= 1 and "admin" not in actor.role_set:
        raise AuthoringError(LAST_EDITOR)
    session.delete(editor)
    session.add(AuditEntry(actor_id=actor.id, action="course.editor_removed", target=course.slug,
                           details={"user_id": person.id}))
    session.flush()
