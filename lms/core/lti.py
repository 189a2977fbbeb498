"""LTI 1.3 rules that need no web request: roles, what a link points to, scores for a gradebook.

The tool's views (:mod:`lms.lti`) validate launches with pylti1p3 and then ask this module
what a launch means for the LMS:

- :func:`lms_roles`: the LTI role claim (IMS role URIs, or their short names) as LMS roles:
  ``Instructor`` (and its sub-roles, ``TeachingAssistant``, ``ContentDeveloper``) → ``trainer``,
  ``Learner`` → ``learner``, ``Administrator`` (of the context, the institution or the system)
  → ``admin``; anything else → ``learner``.
- :func:`target_of`: which course, and which module of it, a resource link opens. A link that
  our deep linking placed carries the custom parameters ``lms_course`` and ``lms_module``; a link
  typed by hand may carry them in the query string of its target link URI.
- :func:`ags_score`: a learner's progress through the linked course or module as an Assignment
  and Grade Services score (``scoreGiven`` out of 100).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
ROLES_CLAIM = CLAIM + "roles"
CUSTOM_CLAIM = CLAIM + "custom"
CONTEXT_CLAIM = CLAIM + "context"
RESOURCE_LINK_CLAIM = CLAIM + "resource_link"
TARGET_LINK_CLAIM = CLAIM + "target_link_uri"
DEPLOYMENT_CLAIM = CLAIM + "deployment_id"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

AGS_SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

#: the custom parameters a deep-linked item carries (and a hand-made link may put in its query)
COURSE_PARAM, MODULE_PARAM = "lms_course", "lms_module"
#: the tag of the line items the tool creates
LINE_ITEM_TAG = "lms"
SCORE_MAXIMUM = 100.0

#: the last word of a role URI (``…/membership#Instructor`` or ``…/membership/Instructor#TeachingAssistant``)
_TRAINER_WORDS = frozenset({"Instructor", "TeachingAssistant", "ContentDeveloper", "Grader", "Faculty",
                            "Lecturer", "Teacher"})
_ADMIN_WORDS = frozenset({"Administrator", "SysAdmin"})
_LEARNER_WORDS = frozenset({"Learner", "Student"})


def _words(role: str) -> set[str]:
    """The role's names: ``http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant``
    → {Instructor, TeachingAssistant}; a short name (``Instructor``) → itself."""
    path = role.strip()
    for separator in ("#", "/"):
        path = path.replace(separator, " ")
    return set(path.split()[-2:]) if "://" in role else {role.strip()}


def lms_roles(lti_roles: Iterable[str]) -> frozenset[str]:
    """The LMS roles for an LTI role claim (at least ``learner``)."""
    roles: set[str] = set()
    for role in lti_roles:
        if not isinstance(role, str):
            continue
        words = _words(role)
        if words & _ADMIN_WORDS:
            roles.add("admin")
        if words & _TRAINER_WORDS:
            roles.add("trainer")
        if words & _LEARNER_WORDS:
            roles.add("learner")
    return frozenset(roles or {"learner"})


def is_instructor(roles: Iterable[str]) -> bool:
    """Whether LMS ``roles`` may place content and import a roster (trainer or admin)."""
    return bool({"trainer", "admin"} & set(roles))


@dataclass(frozen=True)
class Target:
    """What a resource link opens: a course, or one module of it."""

    course: str
    module: str | None = None

    @property
    def resource_id(self) -> str:
        """A stable id for the line item of this target (``course`` or ``course/module``)."""
        return f"{self.course}/{self.module}" if self.module else self.course


def target_of(custom: Mapping[str, Any] | None, target_link_uri: str | None) -> Target | None:
    """The course (and module) a launch points to; None when it names no course."""
    values: dict[str, str] = {}
    query = parse_qs(urlsplit(target_link_uri or "").query)
    for name in (COURSE_PARAM, MODULE_PARAM):
        if query.get(name):
            values[name] = query[name][0]
    for name in (COURSE_PARAM, MODULE_PARAM):
        value = (custom or {}).get(name)
        # a platform sends an unsubstituted "$Canvas.variable" as it is: not a value
        if isinstance(value, str) and value.strip() and not value.startswith("$"):
            values[name] = value.strip()
    course = values.get(COURSE_PARAM, "")
    if not course or len(course) > 200:
        return None
    module = values.get(MODULE_PARAM) or None
    if module is not None and len(module) > 200:
        return None
    return Target(course, module)


def deep_link_custom(target: Target) -> dict[str, str]:
    """The custom parameters of a deep-linked item pointing to ``target``."""
    custom = {COURSE_PARAM: target.course}
    if target.module:
        custom[MODULE_PARAM] = target.module
    return custom


@dataclass(frozen=True)
class Progress:
    """A learner's progress through a linked course or module, as the LMS counts it."""

    done: int
    total: int
    started: bool
    completed: bool
    awaiting_review: bool = False
    #: the mean best quiz score (0-100) when the learner has one, else None
    score: float | None = None


def score_given(progress: Progress) -> float:
    """The points out of :data:`SCORE_MAXIMUM`: the quiz score once the work is complete and
    scored; otherwise the share of requirements met (a course of lessons only completes at 100)."""
    if progress.completed and progress.score is not None:
        return round(min(max(progress.score, 0.0), SCORE_MAXIMUM), 1)
    if progress.total == 0:
        return SCORE_MAXIMUM if progress.completed else 0.0
    return round(SCORE_MAXIMUM * progress.done / progress.total, 1)


def ags_score(progress: Progress, user_id: str, when: dt.datetime) -> dict[str, Any]:
    """The AGS score (``application/vnd.ims.lis.v1.score+json``) for ``progress`` of the
    platform's user ``user_id`` at ``when``."""
    if progress.completed:
        activity, grading = "Completed", "FullyGraded"
    elif progress.awaiting_review:
        activity, grading = "Submitted", "PendingManual"
    elif progress.started or progress.done:
        activity, grading = "InProgress", "Pending"
    else:
        activity, grading = "Initialized", "NotReady"
    return {
        "userId": user_id,
        "scoreGiven": score_given(progress),
        "scoreMaximum": SCORE_MAXIMUM,
        "activityProgress": activity,
        "gradingProgress": grading,
        "timestamp": when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def line_item(target: Target, label: str, resource_link_id: str | None) -> dict[str, Any]:
    """The line item the tool creates when the platform gave none for a link."""
    item: dict[str, Any] = {"scoreMaximum": SCORE_MAXIMUM, "label": label[:200] or target.resource_id,
                            "resourceId": target.resource_id, "tag": LINE_ITEM_TAG}
    if resource_link_id:
        item["resourceLinkId"] = resource_link_id
    return item


def origin_of(url: str | None) -> str | None:
    """``https://moodle.example.com`` of a URL; None for anything that is not http(s)."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def frame_ancestors(urls: Iterable[str | None]) -> list[str]:
    """The distinct origins of ``urls``, in order: who may show the tool in a frame."""
    origins: list[str] = []
    for url in urls:
        origin = origin_of(url)
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def member_roles(member: Mapping[str, Any]) -> frozenset[str]:
    """The LMS roles of a Names and Role Provisioning member."""
    return lms_roles(member.get("roles") or [])


def member_active(member: Mapping[str, Any]) -> bool:
    """Whether an NRPS member is active (a missing status means active)."""
    return str(member.get("status") or "Active").lower() == "active"
