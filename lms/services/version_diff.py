"""Comparing two stored versions of a course, activity by activity (:mod:`lms.core.version_diff`).

The comparison itself is pure; this module reads what it needs of each version: its files,
its manifest, and the text a learner reads in each activity, which each activity kind
words from the content stored at import (:meth:`lms.activities.base.ActivityKind.learner_text`).
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..activities import base as kinds
from ..core.plain_text import paragraphs
from ..core.version_diff import VersionComparison, VersionSide, compare
from ..models import ActivityContent, Course, CourseVersion
from .content import version_files


def version_side(session: Session, version: CourseVersion) -> VersionSide:
    """One version as :func:`lms.core.version_diff.compare` reads it."""

    def text(language: str, key: str) -> Sequence[str] | None:
        row = session.scalar(select(ActivityContent).where(
            ActivityContent.version_id == version.id, ActivityContent.language == language,
            ActivityContent.key == key))
        if row is None:
            return None
        kind = kinds.get(row.kind)
        body = kind.learner_text(row.html, row.data or {}) if kind else paragraphs(row.html)
        return [row.title, *body]

    return VersionSide(version.number, version_files(session, version), version.manifest or {}, text)


def find_version(session: Session, course: Course, number: int) -> CourseVersion | None:
    return session.scalar(select(CourseVersion).where(CourseVersion.course_id == course.id,
                                                      CourseVersion.number == number))


def compare_versions(session: Session, old: CourseVersion, new: CourseVersion, reader: str) -> VersionComparison:
    """What changed from ``old`` to ``new`` (two versions of one course), named in the ``reader``'s language."""
    return compare(version_side(session, old), version_side(session, new), reader)
