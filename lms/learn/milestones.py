"""Finishing a module or a course: noticing the moment and saying what comes next.

An action that records a result (a lesson marked done, a quiz submitted, a role-play
ended) may complete the learner's module or course. Whether it did is not decided here:
a module is complete when :mod:`lms.core.completion` says so, a course when its
completion is recorded (:func:`lms.services.learning.update_course_completion`) and its
status (:mod:`lms.core.status`) is "completed". This module compares before and after,
and builds the links to the completion pages (``lms.learn.course_complete`` and
``lms.learn.module_complete``).

Like :mod:`lms.learn.pages` it names no activity kind: the kinds call it.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import flash, url_for
from markupsafe import Markup
from sqlalchemy.orm import Session

from ..activities.base import ActivityPage
from ..core import status as status_rules
from ..core.completion import CourseProgress
from ..i18n import _
from ..services import learning, status
from ..state import db_session
from .pages import activity_url, split_key

COURSE, MODULE, CONTINUE = "course", "module", "continue"


@dataclass(frozen=True)
class Snapshot:
    """What was complete before an action."""

    course: bool
    modules: frozenset[str]


@dataclass(frozen=True)
class Milestone:
    """A module or the course the learner has just completed, or where to go next."""

    kind: str  # COURSE, MODULE or CONTINUE
    url: str
    #: the course's or the module's title in the learner's edition
    title: str


def progress_of(page: ActivityPage) -> CourseProgress:
    return learning.progress_of(db_session(), page.enrollment, page.version.manifest, page.language)


def completed_modules(progress: CourseProgress) -> frozenset[str]:
    return frozenset(m.slug for m in progress.modules if m.status == status_rules.COMPLETED)


def snapshot(page: ActivityPage) -> Snapshot:
    """Take it before the action that may complete something."""
    return Snapshot(page.enrollment.completed_at is not None, completed_modules(progress_of(page)))


def course_completed(session: Session, user_id: int, course_id: int) -> bool:
    """The course's status (:mod:`lms.core.status`) is "completed" for this person."""
    return status.course_statuses(session, [(user_id, course_id)])[(user_id, course_id)] == status_rules.COMPLETED


def course_url(slug: str) -> str:
    return url_for("lms.learn.course_complete", slug=slug)


def module_url(slug: str, module: str) -> str:
    return url_for("lms.learn.module_complete", slug=slug, module=module)


def _titles(page: ActivityPage) -> tuple[str, dict[str, str]]:
    edition = page.version.manifest["editions"][page.language]
    return edition["title"], {m["slug"]: m["title"] for m in edition["modules"]}


def reached(page: ActivityPage, before: Snapshot) -> Milestone | None:
    """The module or course the action since ``before`` completed (the course wins), or None."""
    course_title, modules = _titles(page)
    if not before.course and page.enrollment.completed_at is not None:
        return Milestone(COURSE, course_url(page.course.slug), course_title)
    module = split_key(page.key)[0]
    if module not in before.modules and module in completed_modules(progress_of(page)):
        return Milestone(MODULE, module_url(page.course.slug, module), modules.get(module, module))
    return None


def announce(milestone: Milestone | None) -> None:
    """Say so on the next page, with a prominent link to the completion page."""
    if milestone is None or milestone.kind == CONTINUE:
        return
    if milestone.kind == COURSE:
        text, link = _("Well done! You have completed the course."), _("See your results")
    else:
        text, link = _("You have completed the module “%(module)s”.", module=milestone.title), _("What's next")
    flash(Markup('{} <a class="button milestone-link" href="{}">{}</a>').format(text, milestone.url, link), "success")


def next_step(page: ActivityPage) -> Milestone | None:
    """Where the learner goes from a finished activity: the course's completion page when the
    course is complete, the module's when the module is, else the first requirement not met."""
    course_title, modules = _titles(page)
    session = db_session()
    if course_completed(session, page.enrollment.user_id, page.course.id):
        return Milestone(COURSE, course_url(page.course.slug), course_title)
    progress = progress_of(page)
    module = split_key(page.key)[0]
    if module in completed_modules(progress):
        return Milestone(MODULE, module_url(page.course.slug, module), modules.get(module, module))
    if progress.next_key and progress.next_key != page.key:
        return Milestone(CONTINUE, activity_url(page.course.slug, progress.next_key), course_title)
    return None
