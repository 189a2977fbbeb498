"""Storing courses as immutable content versions, and writing them back out."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.content import CourseContent
from ..models import ActivityContent, AuditEntry, Blob, Course, CourseVersion, User, VersionFile


@dataclass(frozen=True)
class ImportResult:
    slug: str
    version_number: int
    created: bool


def store_version(session: Session, content: CourseContent, actor: User | None = None,
                  note: str = "", publish: bool = True) -> ImportResult:
    """Store ``content`` as a new version unless an identical one exists.

    Unchanged content (same hash as the latest version) creates nothing.
    """
    course = session.scalar(select(Course).where(Course.slug == content.slug))
    if course is None:
        course = Course(slug=content.slug)
        session.add(course)
        session.flush()
    latest = session.scalar(
        select(CourseVersion).where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number.desc()).limit(1)
    )
    if latest is not None and latest.content_hash == content.content_hash:
        if publish and course.published_version_id != latest.id:
            course.published_version_id = latest.id
        return ImportResult(course.slug, latest.number, False)
    number = (latest.number + 1) if latest else 1
    version = CourseVersion(
        course_id=course.id, number=number, content_hash=content.content_hash,
        manifest=content.manifest(), created_by_id=actor.id if actor else None, note=note[:200],
    )
    session.add(version)
    session.flush()
    known = set(session.scalars(select(Blob.sha256).where(
        Blob.sha256.in_([hashlib.sha256(d).hexdigest() for d in content.files.values()])
    )))
    for path, data in sorted(content.files.items()):
        sha = hashlib.sha256(data).hexdigest()
        if sha not in known:
            session.add(Blob(sha256=sha, size=len(data), data=data))
            known.add(sha)
        session.add(VersionFile(version_id=version.id, path=path, blob_sha=sha))
    for language, edition in content.editions.items():
        for position, activity in enumerate(edition.activities()):
            session.add(ActivityContent(
                version_id=version.id, language=language, key=activity.key, kind=activity.kind,
                title=activity.title[:300], content_language=activity.language, position=position,
                minutes=activity.minutes, html=activity.html, data=activity.data,
            ))
    if publish:
        course.published_version_id = version.id
    session.add(AuditEntry(actor_id=actor.id if actor else None, action="course.version",
                           target=course.slug, details={"number": number, "hash": content.content_hash}))
    session.flush()
    return ImportResult(course.slug, number, True)


def version_files(session: Session, version: CourseVersion) -> dict[str, bytes]:
    rows = session.execute(
        select(VersionFile.path, Blob.data).join(Blob, Blob.sha256 == VersionFile.blob_sha)
        .where(VersionFile.version_id == version.id)
    )
    return {path: bytes(data) for path, data in rows}


def export_course(session: Session, slug: str, target: Path, number: int | None = None) -> int:
    """Write a course's files (published version, or ``number``) into ``target``; returns the count."""
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise LookupError(slug)
    if number is None:
        version = course.published_version or session.scalar(
            select(CourseVersion).where(CourseVersion.course_id == course.id)
            .order_by(CourseVersion.number.desc()).limit(1))
    else:
        version = session.scalar(select(CourseVersion).where(
            CourseVersion.course_id == course.id, CourseVersion.number == number))
    if version is None:
        raise LookupError(f"{slug} v{number}")
    files = version_files(session, version)
    for path, data in files.items():
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    return len(files)


def version_count(session: Session, slug: str) -> int:
    return session.scalar(
        select(func.count(CourseVersion.id)).join(Course, Course.id == CourseVersion.course_id)
        .where(Course.slug == slug)
    ) or 0
