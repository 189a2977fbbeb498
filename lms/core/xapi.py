"""xAPI (Experience API 1.0.3) statements built from learning records, without a database.

Each record becomes one statement with a deterministic id (a UUID 5 of what
it records), so exporting or queueing it twice yields the same statement and a
learning record store keeps it once.

Statements carry no ``version``: the specification lets only the LRS set it (a learning record
provider sets 1.0.0 or leaves it out); the requests say ``X-Experience-API-Version: 1.0.3``.
Every language map is tagged with the language its text is written in (a translation's fallback
text keeps its own language), and a question is a ``cmi.interaction`` with its
``interactionType``, correct responses and components (:class:`Interaction`, built by each
question type's strategy in :mod:`lms.core.quiz.types`).
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: the specification followed: sent as the ``X-Experience-API-Version`` header, never inside a statement
XAPI_VERSION = "1.0.3"
#: Namespace of the statement ids (UUID 5).
STATEMENT_NAMESPACE = uuid.UUID("6d3c5a52-7f0e-4d55-9a8e-2c1d5b7e4f10")

VERBS: dict[str, str] = {
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "experienced": "http://adlnet.gov/expapi/verbs/experienced",
}
ACTIVITY_TYPES: dict[str, str] = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "scenario": "http://adlnet.gov/expapi/activities/simulation",
}
EXTENSION_BASE = "https://w3id.org/xapi/lms-service-training/extensions/"
#: the language tag of a name that is no text in any language (an id standing in for a missing title)
UNDETERMINED = "und"

#: xAPI 1.0.3 interaction types -> the component lists each may carry ("Interaction Components")
INTERACTION_COMPONENTS: dict[str, tuple[str, ...]] = {
    "true-false": (), "choice": ("choices",), "fill-in": (), "long-fill-in": (), "matching": ("source", "target"),
    "performance": ("steps",), "sequencing": ("choices",), "likert": ("scale",), "numeric": (), "other": (),
}
#: the delimiters of a response or a correct responses pattern
LIST_SEPARATOR = "[,]"
PAIR_SEPARATOR = "[.]"
RANGE_SEPARATOR = "[:]"


@dataclass(frozen=True)
class Component:
    """A choice, source, target, step or scale item of an interaction: a stable id and its text."""

    id: str
    text: str


@dataclass(frozen=True)
class Interaction:
    """A question as an xAPI interaction activity.

    ``type`` is an interaction type (a key of :data:`INTERACTION_COMPONENTS`); ``correct`` the
    correct responses pattern (each entry one complete correct response, in the response format);
    ``components`` the component lists the type takes, e.g. ``(("choices", (Component(...), ...)),)``.
    Component ids are the quiz file's own ids, never the per-attempt tokens a page shows.
    """

    type: str
    correct: tuple[str, ...] = ()
    components: tuple[tuple[str, tuple[Component, ...]], ...] = ()

    def __post_init__(self) -> None:
        allowed = INTERACTION_COMPONENTS.get(self.type)
        if allowed is None:
            raise ValueError(f"unknown xAPI interaction type {self.type!r}")
        extra = [name for name, _ in self.components if name not in allowed]
        if extra:
            raise ValueError(f"an interaction of type {self.type!r} takes no {', '.join(extra)}")

    def definition(self, language: str) -> dict[str, Any]:
        """The interaction's part of an activity definition; component texts tagged ``language``."""
        found: dict[str, Any] = {"interactionType": self.type}
        if self.correct:
            found["correctResponsesPattern"] = list(self.correct)
        for name, items in self.components:
            found[name] = [{"id": item.id, "description": {language: item.text or item.id}} for item in items]
        return found


def response_list(ids: Iterable[str]) -> str:
    """Several choices or steps, in order: ``a[,]c`` (choice, sequencing)."""
    return LIST_SEPARATOR.join(ids)


def response_pairs(pairs: Iterable[tuple[str, str]]) -> str:
    """Source and target ids matched: ``a[.]r2[,]b[.]r1`` (matching)."""
    return LIST_SEPARATOR.join(f"{source}{PAIR_SEPARATOR}{target}" for source, target in pairs)


def response_range(low: str | None, high: str | None) -> str:
    """A numeric range ``min[:]max`` (a side left out is unbounded); one number when both are equal."""
    if low is not None and low == high:
        return low
    return f"{low or ''}{RANGE_SEPARATOR}{high or ''}"


@dataclass(frozen=True)
class Actor:
    email: str
    name: str


@dataclass(frozen=True)
class CourseRef:
    """The course a record belongs to: its IRI, its title, and the language of the learner's edition.

    ``title_language`` is the language the title is written in when it is not the edition's (an
    edition without a title of its own shows the original's).
    """

    iri: str
    title: str
    language: str
    title_language: str | None = None

    def activity(self) -> dict[str, Any]:
        """The course as an xAPI activity."""
        return activity(self.iri, self.title, "course", self.title_language or self.language)


def statement_id(*parts: object) -> str:
    """A stable statement id for the record named by ``parts`` (e.g. ``("lesson", 17)``)."""
    return str(uuid.uuid5(STATEMENT_NAMESPACE, ":".join(str(p) for p in parts)))


def course_iri(base: str, slug: str) -> str:
    return f"{base.rstrip('/')}/courses/{slug}"


def activity_iri(base: str, slug: str, key: str) -> str:
    """The activity id of ``key`` (``module/activity``) in course ``slug``: the address of its page."""
    return f"{course_iri(base, slug)}/{key.strip('/')}"


def question_iri(base: str, slug: str, key: str, question_id: str) -> str:
    return f"{activity_iri(base, slug, key)}/questions/{question_id}"


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration, e.g. ``PT1H2M3.5S`` (``PT0S`` for nothing or a negative span)."""
    seconds = max(0.0, round(seconds, 2))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{int(hours)}H"
    if minutes:
        text += f"{int(minutes)}M"
    if secs or text == "PT":
        text += f"{secs:g}S" if secs != int(secs) else f"{int(secs)}S"
    return text


def timestamp(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def duration_between(start: dt.datetime | None, end: dt.datetime | None) -> str | None:
    if start is None or end is None:
        return None
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    if end.tzinfo is None:
        end = end.replace(tzinfo=dt.UTC)
    return iso_duration((end - start).total_seconds())


def activity(iri: str, name: str, kind: str, language: str, description: str | None = None) -> dict[str, Any]:
    """An xAPI activity; ``kind`` is a key of ``ACTIVITY_TYPES`` or an activity type IRI itself."""
    definition: dict[str, Any] = {"name": {language: name},
                                  "type": kind if kind.startswith(("http://", "https://")) else ACTIVITY_TYPES[kind]}
    if description:
        definition["description"] = {language: description}
    return {"objectType": "Activity", "id": iri, "definition": definition}


def statement(*, id: str, actor: Actor, verb: str, object: dict[str, Any], when: dt.datetime,
              course: CourseRef, result: dict[str, Any] | None = None, registration: str | None = None,
              platform: str = "Service Academy LMS", extensions: dict[str, Any] | None = None,
              parent: dict[str, Any] | None = None) -> dict[str, Any]:
    """One xAPI statement. ``parent`` defaults to the course; the course is always in the grouping.

    ``context.language`` is the language of the learner's edition (what they took the course in);
    it has no ``version``: the LRS sets that."""
    course_activity = course.activity()
    context: dict[str, Any] = {"platform": platform, "language": course.language}
    if object.get("id") != course.iri:
        context["contextActivities"] = {"parent": [parent or course_activity]}
        if parent is not None:
            context["contextActivities"]["grouping"] = [course_activity]
    if registration:
        context["registration"] = registration
    if extensions:
        context["extensions"] = {EXTENSION_BASE + key: value for key, value in extensions.items()}
    built: dict[str, Any] = {
        "id": id,
        "actor": {"objectType": "Agent", "name": actor.name, "mbox": f"mailto:{actor.email}"},
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": object,
        "context": context,
        "timestamp": timestamp(when),
    }
    if result:
        built["result"] = {k: v for k, v in result.items() if v is not None}
    return built


def score(scaled: float | None = None, raw: float | None = None, minimum: float | None = None,
          maximum: float | None = None) -> dict[str, float] | None:
    """An xAPI score; ``scaled`` is clamped to -1..1 as the specification requires."""
    values = {"scaled": None if scaled is None else max(-1.0, min(1.0, round(scaled, 4))),
              "raw": raw, "min": minimum, "max": maximum}
    if raw is not None and maximum is not None and raw > maximum:
        values["max"] = raw
    found = {k: v for k, v in values.items() if v is not None}
    return found or None


def registration_id(enrollment_id: int) -> str:
    """The xAPI registration of an enrollment: every statement of one learner's course shares it."""
    return str(uuid.uuid5(STATEMENT_NAMESPACE, f"enrollment:{enrollment_id}"))


def course_completed(*, enrollment_id: int, actor: Actor, course: CourseRef, started: dt.datetime | None,
                     completed: dt.datetime) -> dict[str, Any]:
    """The learner met every requirement of the course (its status became ``completed``)."""
    return statement(
        id=statement_id("course", enrollment_id, completed.isoformat()), actor=actor, verb="completed",
        object=course.activity(), when=completed, course=course,
        result={"completion": True, "duration": duration_between(started, completed)},
        registration=registration_id(enrollment_id))


def lesson_completed(*, record_id: int, actor: Actor, course: CourseRef, iri: str, title: str,
                     started: dt.datetime | None, completed: dt.datetime, enrollment_id: int,
                     language: str | None = None) -> dict[str, Any]:
    """A lesson read to its end; ``language`` is the language of ``title`` (the course's when None)."""
    return statement(
        id=statement_id("lesson", record_id), actor=actor, verb="completed",
        object=activity(iri, title, "lesson", language or course.language), when=completed, course=course,
        result={"completion": True, "duration": duration_between(started, completed)},
        registration=registration_id(enrollment_id))


def question_answered(*, attempt_id: int, number: int, question_id: str, actor: Actor, course: CourseRef,
                      iri: str, title: str, quiz: dict[str, Any], interaction: Interaction, response: str | None,
                      fraction: float | None, points: float | None, max_points: float | None, correct: bool | None,
                      answered: bool, when: dt.datetime, enrollment_id: int, language: str | None = None,
                      description: str | None = None) -> dict[str, Any]:
    """One question of a submitted attempt: a ``cmi.interaction`` with the learner's ``response``.

    ``number`` is the learner's attempt at this quiz (1, 2, 3...); ``correct`` is None while a trainer
    has not reviewed the answer; ``response`` None when the question was left unanswered. ``language``
    is the language of the question's texts (the course's when None).
    """
    language = language or course.language
    question = activity(iri, title, "question", language, description)
    question["definition"].update(interaction.definition(language))
    return statement(
        id=statement_id("answer", attempt_id, question_id), actor=actor, verb="answered",
        object=question, when=when, course=course, parent=quiz,
        result={"success": correct, "completion": answered, "response": response if answered else None,
                "score": score(fraction if correct is not None else None, points, 0.0 if max_points else None,
                               max_points)},
        registration=registration_id(enrollment_id), extensions={"attempt": number})


def attempt_result(*, attempt_id: int, number: int, actor: Actor, course: CourseRef, quiz: dict[str, Any],
                   percent: float | None, points: float | None, max_points: float | None, passed: bool,
                   started: dt.datetime | None, submitted: dt.datetime, enrollment_id: int) -> dict[str, Any]:
    return statement(
        id=statement_id("attempt", attempt_id), actor=actor, verb="passed" if passed else "failed", object=quiz,
        when=submitted, course=course,
        result={"success": passed, "completion": True,
                "score": score(None if percent is None else percent / 100, points, 0.0 if max_points else None,
                               max_points),
                "duration": duration_between(started, submitted)},
        registration=registration_id(enrollment_id), extensions={"attempt": number})


def scenario_ended(*, run_id: int, number: int, actor: Actor, course: CourseRef, iri: str, title: str,
                   outcome: str | None, points: float | None, passed: bool | None, started: dt.datetime | None,
                   finished: dt.datetime, enrollment_id: int, language: str | None = None) -> dict[str, Any]:
    """A role-play run to its ending; ``number`` is the learner's run (1, 2, 3...)."""
    return statement(
        id=statement_id("scenario", run_id), actor=actor, verb="experienced",
        object=activity(iri, title, "scenario", language or course.language), when=finished, course=course,
        result={"success": passed, "completion": True, "response": outcome,
                "score": score(raw=points) if points is not None else None,
                "duration": duration_between(started, finished)},
        registration=registration_id(enrollment_id), extensions={"run": number, "outcome": outcome})


def certificate_issued(*, certificate_id: int, serial: str, cycle: int, actor: Actor, course: CourseRef,
                       score_percent: float | None, issued: dt.datetime, verify_url: str | None = None,
                       enrollment_id: int | None = None) -> dict[str, Any]:
    """The course completed with a certificate; the serial (and where to verify it) ride along."""
    extensions: dict[str, Any] = {"certificate": serial, "cycle": cycle}
    if verify_url:
        extensions["verification"] = verify_url
    return statement(
        id=statement_id("certificate", certificate_id), actor=actor, verb="completed",
        object=course.activity(), when=issued, course=course,
        result={"success": True, "completion": True,
                "score": score(None if score_percent is None else score_percent / 100)},
        registration=registration_id(enrollment_id) if enrollment_id else None, extensions=extensions)
