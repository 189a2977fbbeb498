"""Editing courses in the browser: drafts over the published files, publish, roll back."""
from __future__ import annotations

import difflib
import io
import posixpath
import zipfile
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.content import ASSET_EXTENSIONS, SLUG_RE, CourseContent, Limits, load_course
from ..core.problems import Problem
from ..models import AuditEntry, Course, CourseVersion, Draft, User
from .content import ImportResult, store_version, version_files

IMAGE_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
}


class AuthoringError(ValueError):
    """Something the author must fix; the message says what."""


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
        raise AuthoringError("the file name must stay inside the course folder")
    extension = posixpath.splitext(path)[1].lower()
    if extension != ".md" and extension not in ASSET_EXTENSIONS:
        raise AuthoringError("a course holds .md files and images (png, jpg, gif, webp)")
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
        raise AuthoringError("only png, jpg, gif and webp images can be uploaded")
    if len(data) > limits.asset_bytes:
        raise AuthoringError(f"the image is {len(data) / 1_000_000:.1f} MB; the limit is {limits.asset_bytes / 1_000_000:.1f} MB")
    if not any(data.startswith(signature) for signature in IMAGE_SIGNATURES[extension]) or \
            (extension == ".webp" and data[8:12] != b"WEBP"):
        raise AuthoringError(f"the file is not a {extension[1:].upper()} image")
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
    result = store_version(session, content, actor, note=note or "published from the editor")
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
        raise AuthoringError(f"there is no version {number}")
    content, problems = load_course(course.slug, version_files(session, version), course.slug, limits)
    if problems or content is None:
        raise PublishRefused(problems)
    # The same files would hash the same as the old version; a rollback must still be a new version.
    latest = latest_version(session, course)
    if latest is not None and latest.content_hash == content.content_hash:
        raise AuthoringError(f"version {number} is already the current content")
    result = store_version(session, content, actor, note=f"rollback to version {number}")
    session.add(AuditEntry(actor_id=actor.id if actor else None, action="course.rollback", target=course.slug,
                           details={"to": number, "new": result.version_number}))
    session.flush()
    return result


@dataclass(frozen=True)
class FileDiff:
    path: str
    status: str  # added | deleted | changed
    lines: tuple[str, ...]


def diff_files(old: dict[str, bytes], new: dict[str, bytes], old_label: str, new_label: str) -> list[FileDiff]:
    result = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        status = "added" if a is None else "deleted" if b is None else "changed"
        if posixpath.splitext(path)[1].lower() in ASSET_EXTENSIONS:
            lines: tuple[str, ...] = ()
        else:
            lines = tuple(difflib.unified_diff(
                (a or b"").decode("utf-8", "replace").splitlines(), (b or b"").decode("utf-8", "replace").splitlines(),
                f"{old_label}/{path}", f"{new_label}/{path}", lineterm="", n=2))
        result.append(FileDiff(path, status, lines))
    return result


def new_course_files(title: str, language: str) -> dict[str, bytes]:
    return {
        "course.md": f"---\ntitle: {title!r}\nlanguage: {language}\nsummary: ''\nmodules: [01-start]\n---\n".encode(),
        "01-start/module.md": b"---\ntitle: Module 1\n---\n",
        "01-start/01-first-lesson.md": b"---\ntitle: First lesson\nminutes: 3\n---\nWrite the lesson here.\n",
    }


def create_course(session: Session, slug: str, title: str, language: str, actor: User | None) -> Course:
    if not SLUG_RE.match(slug):
        raise AuthoringError("the course address may use a-z, 0-9 and '-' only")
    if session.scalar(select(Course.id).where(Course.slug == slug)):
        raise AuthoringError(f"a course '{slug}' already exists")
    course = Course(slug=slug)
    session.add(course)
    session.flush()
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


def unzip_course(data: bytes, limits: Limits) -> tuple[str, dict[str, bytes]]:
    """A course folder from a zip: one top folder (the slug) holding course.md."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise AuthoringError("the file is not a zip archive") from None
    entries = [i for i in archive.infolist() if not i.is_dir()]
    if len(entries) > limits.files:
        raise AuthoringError(f"the archive has more than {limits.files} files")
    tops = {i.filename.split("/", 1)[0] for i in entries if "/" in i.filename}
    if len(tops) != 1 or any("/" not in i.filename for i in entries):
        raise AuthoringError("the archive must hold one folder named after the course, with course.md inside")
    slug = tops.pop()
    files = {}
    for info in entries:
        path = info.filename.split("/", 1)[1]
        if posixpath.normpath(path).startswith("..") or path.startswith("/"):
            raise AuthoringError(f"unsafe path in the archive: {info.filename}")
        if path.split("/")[-1].startswith("."):
            continue
        if info.file_size > max(limits.asset_bytes, limits.text_bytes):
            raise AuthoringError(f"{info.filename} is too large")
        files[path] = archive.read(info)
    return slug, files
