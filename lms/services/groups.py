"""Groups, their members and assignments, as trainers manage them.

Access rules live here so every view asks the same question:

* an admin manages every group and sees everyone's results;
* a trainer manages the groups they are a trainer member of, and sees the
  learners (``member`` role) of those groups; of a learner's results they see
  only those in courses assigned through such a group, or assigned to the
  learner directly by this trainer (:func:`oversees`, :func:`visible_course_ids`);
* a trainer adds only plain learners (no trainer, HR or admin role) as
  members; an admin adds anyone (:func:`may_add_as_member`).

The review queue, the certificates pages and the trainer's pages all ask
these functions. Functions flush; the view commits.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from ..identity import Identity
from ..models import Assignment, AuditEntry, Course, CourseVersion, Group, GroupMember, User, utcnow
from .learning import pick_language
from .users import sync_identity

MEMBER, TRAINER = "member", "trainer"
GROUP_KINDS = ("team", "store", "department")
EMAIL_SEPARATORS = re.compile(r"[\s,;]+")
EMAIL_SHAPE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class GroupError(ValueError):
    """An operation the trainer asked for cannot be done; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class GroupSummary:
    group: Group
    members: int
    trainers: tuple[str, ...]


@dataclass
class AddReport:
    """What adding a list of e-mails did, for the message shown to the trainer."""

    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    not_trainers: list[str] = field(default_factory=list)
    #: people a trainer may not add as members (they have a trainer, HR or admin role)
    not_learners: list[str] = field(default_factory=list)


def parse_emails(text: str) -> list[str]:
    """E-mails from pasted text (one a line, or separated by commas, semicolons or spaces),
    lower-cased, each once, in the order given. ``Name <a@b.c>`` forms are accepted."""
    found: list[str] = []
    for token in EMAIL_SEPARATORS.split(text or ""):
        email = token.strip().strip("<>\"'").lower()
        if email and email not in found and "@" in email:
            found.append(email)
    return found


def _trains(actor: User, group_id):
    """SQL condition: ``actor`` is a trainer member of the group ``group_id``."""
    mine = aliased(GroupMember)
    return exists().where(mine.group_id == group_id, mine.user_id == actor.id, mine.role == TRAINER)


def _learner_of(actor: User, user_id) -> ColumnElement[bool]:
    """SQL condition: ``user_id`` is a learner (``member``) in a group ``actor`` trains."""
    theirs = aliased(GroupMember)
    return exists().where(theirs.user_id == user_id, theirs.role == MEMBER, _trains(actor, theirs.group_id))


def oversees(actor: User, user_id, course_id) -> ColumnElement[bool]:
    """SQL condition: ``actor`` may see the results of the person ``user_id`` in the course ``course_id``
    (columns or values). The one definition of what a trainer sees of a learner:

    * an admin sees everything;
    * a trainer sees a learner of a group they train, in a course assigned to that
      group, or assigned to the learner directly by this trainer (ended assignments
      count too: what was done under them stays on record for the trainer);
    * anyone else sees nothing of anyone.

    Nobody reaches someone else's results by adding them to a group: a trainer adds
    only plain learners (see :func:`may_add_as_member`), and a course counts only
    through a group the learner is a member of and the trainer trains.
    """
    if actor.has_role("admin"):
        return true()
    if not actor.has_role(TRAINER):
        return false()
    # aliases: the condition may sit in a query that selects from these tables itself
    theirs, given = aliased(GroupMember), aliased(Assignment)
    through_group = exists().where(
        theirs.user_id == user_id, theirs.role == MEMBER, _trains(actor, theirs.group_id),
        given.group_id == theirs.group_id, given.course_id == course_id)
    assigned_by_me = exists().where(
        given.user_id == user_id, given.course_id == course_id, given.assigned_by_id == actor.id)
    return or_(through_group, and_(assigned_by_me, _learner_of(actor, user_id)))


def visible_course_ids(session: Session, actor: User, user_id: int) -> set[int] | None:
    """The courses of which ``actor`` sees the results of the person ``user_id``
    (see :func:`oversees`); None means every course (an admin)."""
    if actor.has_role("admin"):
        return None
    return set(session.scalars(select(Course.id).where(oversees(actor, user_id, Course.id))))


def may_add_as_member(actor: User, roles: Iterable[str]) -> bool:
    """Whether ``actor`` may add someone with ``roles`` as a learner of a group:
    an admin adds anyone; a trainer only people whose one role is learner, so a
    trainer cannot bring HR, an admin or another trainer under their eyes."""
    return actor.has_role("admin") or not set(roles) - {"learner"}


def managed_groups(session: Session, actor: User) -> list[GroupSummary]:
    """The groups ``actor`` manages (all for an admin), with member counts and trainers' names."""
    query = select(Group).order_by(Group.name)
    if not actor.has_role("admin"):
        query = query.where(_trains(actor, Group.id))
    groups = list(session.scalars(query))
    ids = [g.id for g in groups]
    counts: dict[int, int] = {}
    trainers: dict[int, list[str]] = {}
    if ids:
        counts = dict(session.execute(
            select(GroupMember.group_id, func.count()).where(GroupMember.group_id.in_(ids),
                                                             GroupMember.role == MEMBER)
            .group_by(GroupMember.group_id)).all())
        for group_id, name in session.execute(
                select(GroupMember.group_id, User.name).join(User, User.id == GroupMember.user_id)
                .where(GroupMember.group_id.in_(ids), GroupMember.role == TRAINER).order_by(User.name)):
            trainers.setdefault(group_id, []).append(name)
    return [GroupSummary(g, counts.get(g.id, 0), tuple(trainers.get(g.id, ()))) for g in groups]


def managed_group(session: Session, actor: User, group_id: int) -> Group | None:
    """The group if ``actor`` manages it, else None (the view answers 404)."""
    query = select(Group).where(Group.id == group_id)
    if not actor.has_role("admin"):
        query = query.where(_trains(actor, Group.id))
    return session.scalar(query)


def managed_learner(session: Session, actor: User, user_id: int) -> User | None:
    """The person if ``actor`` may open their page: a learner (``member``) of a group
    ``actor`` trains (anyone, for an admin), else None. Which of their results
    ``actor`` sees is :func:`visible_course_ids`."""
    if actor.has_role("admin"):
        return session.get(User, user_id)
    return session.scalar(select(User).where(User.id == user_id, _learner_of(actor, User.id)))


def visible_groups_of(session: Session, actor: User, user: User) -> list[tuple[Group, str]]:
    """The groups of ``user`` that ``actor`` manages, with the user's role in each."""
    query = (select(Group, GroupMember.role).join(GroupMember, GroupMember.group_id == Group.id)
             .where(GroupMember.user_id == user.id).order_by(Group.name))
    if not actor.has_role("admin"):
        query = query.where(_trains(actor, Group.id))
    return [(group, role) for group, role in session.execute(query)]


def create_group(session: Session, actor: User, name: str, kind: str = "team") -> Group:
    """A new group with ``actor`` as its trainer. Raises ``GroupError("name_taken")``."""
    name = " ".join(name.split())
    if not name:
        raise GroupError("name_empty")
    # compared in Python: SQLite's lower() leaves Cyrillic and Arabic letters alone
    if any(taken.casefold() == name.casefold() for taken in session.scalars(select(Group.name))):
        raise GroupError("name_taken")
    group = Group(name=name, kind=kind if kind in GROUP_KINDS else "team")
    session.add(group)
    session.flush()
    session.add(GroupMember(group_id=group.id, user_id=actor.id, role=TRAINER))
    session.flush()
    return group


IdentityFinder = Callable[[str], Identity | None]


def add_members(session: Session, actor: User, group: Group, emails: Iterable[str], role: str = MEMBER,
                find_identity: IdentityFinder | None = None) -> AddReport:
    """Add people by e-mail on behalf of ``actor``. Someone the LMS has not seen yet is
    looked up with ``find_identity`` (the host's user store) and mirrored; otherwise
    reported unknown. Only people with the trainer role can be added as trainers; a
    trainer adds as members only plain learners (:func:`may_add_as_member`): the others
    are reported in ``not_learners`` and not mirrored."""
    emails = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    report = AddReport()
    if not emails:
        return report
    users: dict[str, User] = {}
    for known in session.scalars(select(User).where(User.email.in_(emails)).order_by(User.id)):
        users.setdefault(known.email, known)
    current = set(session.scalars(select(GroupMember.user_id).where(GroupMember.group_id == group.id)))
    for email in emails:
        user = users.get(email)
        if user is None and find_identity is not None and EMAIL_SHAPE.match(email):
            identity = find_identity(email)
            if identity is not None:
                if role != TRAINER and not may_add_as_member(actor, identity.roles):
                    report.not_learners.append(email)
                    continue
                user = sync_identity(session, identity)
        if user is None:
            report.unknown.append(email)
        elif user.id in current:
            report.already.append(email)
        elif role == TRAINER and not user.has_role(TRAINER):
            report.not_trainers.append(email)
        elif role != TRAINER and not may_add_as_member(actor, user.role_set):
            report.not_learners.append(email)
        else:
            session.add(GroupMember(group_id=group.id, user_id=user.id, role=role))
            current.add(user.id)
            report.added.append(email)
    session.flush()
    return report


def members(session: Session, group: Group) -> list[tuple[User, GroupMember]]:
    """Everyone in the group, trainers first, then by name."""
    return [(user, member) for user, member in session.execute(
        select(User, GroupMember).join(GroupMember, GroupMember.user_id == User.id)
        .where(GroupMember.group_id == group.id)
        .order_by(GroupMember.role.desc(), User.name, User.email))]


def remove_member(session: Session, actor: User, group: Group, user_id: int) -> User:
    """Take someone out of the group; their results stay. Raises ``GroupError``:
    ``not_member``, or ``last_trainer`` (a group keeps at least one trainer)."""
    member = session.get(GroupMember, (group.id, user_id))
    if member is None:
        raise GroupError("not_member")
    if member.role == TRAINER:
        trainers = session.scalar(select(func.count()).select_from(GroupMember).where(
            GroupMember.group_id == group.id, GroupMember.role == TRAINER)) or 0
        if trainers <= 1:
            raise GroupError("last_trainer")
    user = session.get_one(User, user_id)  # the membership's user
    session.delete(member)
    session.add(AuditEntry(actor_id=actor.id, action="group.remove_member", target=f"group:{group.id}",
                           details={"user_id": user_id, "role": member.role}))
    session.flush()
    return user


def assignable_courses(session: Session, language: str) -> list[tuple[Course, str]]:
    """Published, not archived courses with their title in ``language`` (or the default edition)."""
    rows = session.execute(
        select(Course, CourseVersion.manifest).join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(Course.archived.is_(False)).order_by(Course.slug))
    courses = []
    for course, manifest in rows:
        edition = manifest["editions"][pick_language(manifest, language)]
        courses.append((course, edition["title"]))
    return courses


def assign(session: Session, actor: User, course: Course, *, group: Group | None = None,
           user: User | None = None, due: dt.date | None = None) -> tuple[Assignment, bool]:
    """Assign ``course`` to a group or a person. Assigning again changes the due date
    of the active assignment instead of adding another. Returns (assignment, created)."""
    if (group is None) == (user is None):
        raise ValueError("assign to exactly one of a group or a user")
    if course.published_version_id is None or course.archived:
        raise GroupError("course_unavailable")
    if group:
        target = Assignment.group_id == group.id
    else:
        assert user is not None  # exactly one of the two, checked above
        target = Assignment.user_id == user.id
    existing = session.scalar(select(Assignment).where(
        target, Assignment.course_id == course.id, Assignment.removed_at.is_(None)).order_by(Assignment.id))
    if existing is not None:
        existing.due_date = due
        session.flush()
        return existing, False
    assignment = Assignment(course_id=course.id, group_id=group.id if group else None,
                            user_id=user.id if user else None, due_date=due, assigned_by_id=actor.id)
    session.add(assignment)
    session.flush()
    return assignment, True


def unassign(session: Session, actor: User, assignment: Assignment) -> None:
    """End an assignment; it stays on record (``removed_at``), as does everything learners did."""
    if assignment.removed_at is None:
        assignment.removed_at = utcnow()
        session.add(AuditEntry(actor_id=actor.id, action="assignment.remove", target=f"assignment:{assignment.id}",
                               details={"course_id": assignment.course_id, "group_id": assignment.group_id,
                                        "user_id": assignment.user_id}))
        session.flush()


def managed_assignment(session: Session, actor: User, assignment_id: int) -> Assignment | None:
    """An active assignment of a group ``actor`` manages, or one ``actor`` made to a
    learner they see, else None. An admin manages them all; a trainer does not end
    what HR or another trainer assigned to a person."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.removed_at is not None:
        return None
    if assignment.group_id is not None:
        return assignment if managed_group(session, actor, assignment.group_id) else None
    mine = actor.has_role("admin") or assignment.assigned_by_id == actor.id
    if assignment.user_id is not None and mine and managed_learner(session, actor, assignment.user_id):
        return assignment
    return None


def active_assignments(session: Session, *, group: Group | None = None, user: User | None = None,
                       actor: User | None = None) -> list[tuple[Assignment, Course]]:
    """Active assignments made to the group, or directly to the person, by course slug;
    with ``actor``, only the direct assignments that are theirs (see :func:`managed_assignment`)."""
    if group is not None:
        target = Assignment.group_id == group.id
    else:
        assert user is not None, "give a group or a user"  # every caller does
        target = Assignment.user_id == user.id
    query = (select(Assignment, Course).join(Course, Course.id == Assignment.course_id)
             .where(target, Assignment.removed_at.is_(None)).order_by(Course.slug))
    if actor is not None and group is None and not actor.has_role("admin"):
        query = query.where(Assignment.assigned_by_id == actor.id)
    return [(a, c) for a, c in session.execute(query)]
