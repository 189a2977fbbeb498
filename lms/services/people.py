"""HR's people administration: staff import, invitations, API tokens, anonymisation.

Functions take a session and plain values, flush, and leave the commit to the
view or command, so a whole staff file is imported in one transaction.

Who may act on whose account is :func:`lms.core.privileges.may_manage`: HR manages
learners and trainers, administrators anyone. An ``actor`` of None is the command
line, run by whoever operates the server. Every action on an account, and every
refusal on privileges, is written to the audit log.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from ..core.privileges import may_manage
from ..core.staff_import import plan_import, read_staff_file
from ..identity import Identity, UserStore, can_end_sessions, can_invite
from ..models import (
    ApiToken,
    AuditEntry,
    Certificate,
    Group,
    GroupMember,
    Invitation,
    User,
    XapiOutbox,
    aware,
    utcnow,
)
from .users import PENDING_PREFIX, sync_identity

DEPARTMENT = "department"
API_SCOPES = ("reports:read",)
TOKEN_PREFIX = "lms_"


def token_hash(token: str) -> str:
    """How tokens and invitation links are stored: their SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()




# -- privileges and the audit log --------------------------------------------------
def audit(session: Session, actor: User | None, action: str, person: User, /, **details) -> None:
    """Record ``action`` on ``person``'s account in the audit log."""
    session.add(AuditEntry(actor_id=actor.id if actor else None, action=action, target=f"user:{person.id}",
                           details=details))


def account_roles(person: User, store: UserStore | None = None) -> frozenset[str]:
    """Every role ``person`` holds: in the LMS's mirror and, when the host's store knows
    them, in the host (a promotion the mirror has not seen yet still counts)."""
    roles = set(person.role_set)
    identity = store.find(person.email) if store is not None and person.anonymized_at is None else None
    if identity is not None:
        roles |= identity.roles
    return frozenset(roles)


def may_manage_person(actor: User, person: User, store: UserStore | None = None) -> bool:
    """Whether ``actor`` may invite, change, delete or sign out ``person`` (see the module docstring)."""
    return may_manage(actor.role_set, account_roles(person, store))


def refuse(session: Session, actor: User, person: User, action: str) -> None:
    """Record an action on ``person`` that ``actor``'s privileges do not allow."""
    audit(session, actor, "person.refused", person, action=action)
    session.flush()


# -- staff import ----------------------------------------------------------------
@dataclass
class RowOutcome:
    """What happened to one row of the file: ``created``, ``updated``, ``unchanged`` or ``rejected``."""

    line: int
    email: str
    name: str
    action: str
    problems: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    user_id: int | None = None
    invitation: str | None = None  # the one-time token, shown once


@dataclass
class ImportResult:
    rows: list[RowOutcome] = field(default_factory=list)
    groups_created: list[str] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(row.action for row in self.rows)

    @property
    def invitations(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.invitation]


def import_staff(session: Session, data: bytes, actor: User | None = None, store: UserStore | None = None,
                 invitation_days: int = 7) -> ImportResult:
    """Create and update people from a staff CSV (see :mod:`lms.core.staff_import`).

    Raises :class:`~lms.core.staff_import.StaffFileError` before writing anything when the
    file cannot be read. People are matched by e-mail or employee number; new ones get an
    account without a password and an invitation when the user store supports it.

    With an ``actor`` (HR on the web page), a row that would change an account the actor
    may not manage (an administrator or another HR) is rejected as ``privileged``; a row
    that would move someone to an address another account has is rejected as ``email_taken``.
    """
    rows = read_staff_file(data)
    managers = {row.manager_email for row in rows if row.manager_email}
    known = set(session.scalars(select(User.email).where(User.email.in_(managers), User.anonymized_at.is_(None))))
    plan = plan_import(rows, known)
    accepted = plan.accepted
    emails = {p.row.email for p in accepted} | managers
    employee_ids = {p.row.employee_id for p in accepted if p.row.employee_id}
    current = list(session.scalars(select(User).where(
        User.anonymized_at.is_(None),
        or_(User.email.in_(emails), User.employee_id.in_(employee_ids))).order_by(User.id)))
    by_email: dict[str, User] = {}
    by_employee: dict[str, User] = {}
    for person in current:
        by_email.setdefault(person.email, person)
        if person.employee_id:
            by_employee[person.employee_id] = person
    departments = {g.name.lower(): g for g in session.scalars(select(Group))}
    result = ImportResult()
    outcomes: dict[int, RowOutcome] = {}
    applied: dict[int, User] = {}
    invite = can_invite(store)

    for row_plan in plan.rows:
        row = row_plan.row
        outcome = RowOutcome(row.line, row.email, row.name, "rejected", row_plan.problems)
        outcomes[row.line] = outcome
        result.rows.append(outcome)
        if row_plan.problems:
            continue
        by_mail = by_email.get(row.email)
        by_number = by_employee.get(row.employee_id) if row.employee_id else None
        if by_mail is not None and by_number is not None and by_mail.id != by_number.id:
            outcome.problems = ("conflict",)
            continue
        user = by_mail or by_number
        found = store.find(row.email) if user is None and store is not None else None
        roles = user.role_set if user is not None else (found.roles if found is not None else frozenset())
        if actor is not None and not may_manage(actor.role_set, roles):
            outcome.problems = ("privileged",)
            continue
        if user is not None and user.email != row.email and store is not None:
            other = store.find(row.email)
            if other is not None and other.id != user.external_id:
                outcome.problems = ("email_taken",)
                continue
        changes: list[str] = []
        if user is None:
            user, outcome.invitation = _create_person(session, row.email, row.name, found, actor, store, invite,
                                                      invitation_days)
            outcome.action = "created"
        else:
            changes = _update_person(user, row.email, row.name, store)
        if row.employee_id and user.employee_id != row.employee_id:
            user.employee_id = row.employee_id
            changes.append("employee_id")
        if row.department != (user.department or ""):
            user.department = row.department or None
            changes.append("department")
        if _place_in_department(session, user, row.department, departments, result):
            changes.append("group")
        session.flush()
        by_email[user.email] = user
        if user.employee_id:
            by_employee[user.employee_id] = user
        applied[row.line] = user
        outcome.user_id = user.id
        if outcome.action != "created":
            outcome.action = "updated" if changes else "unchanged"
            outcome.changes = tuple(dict.fromkeys(changes))

    # Managers are linked once everyone exists: a manager may come later in the file.
    for row_plan in plan.rows:
        row = row_plan.row
        user = applied.get(row.line)
        if user is None or not row.manager_email:
            continue
        manager = by_email.get(row.manager_email)
        if manager is None:  # their row was rejected by the database check above
            outcomes[row.line].problems = ("unknown_manager",)
            continue
        if user.manager_id != manager.id:
            user.manager_id = manager.id
            outcome = outcomes[row.line]
            if outcome.action == "unchanged":
                outcome.action = "updated"
            outcome.changes = (*outcome.changes, "manager")
    for outcome in result.rows:
        if outcome.problems and outcome.user_id is None:
            outcome.action = "rejected"
    session.flush()
    return result


def _create_person(session: Session, email: str, name: str, identity: Identity | None, actor: User | None,
                   store: UserStore | None, invite: bool, invitation_days: int) -> tuple[User, str | None]:
    if identity is not None:  # the host already has an account: no invitation needed
        return sync_identity(session, identity), None
    if store is not None and invite:
        user = sync_identity(session, store.create(email, name, ["learner"], None))
        return user, create_invitation(session, user, actor, days=invitation_days)
    # The host manages accounts itself: the row waits for the person's first sign-in.
    user = User(external_id=PENDING_PREFIX + uuid.uuid4().hex, email=email, name=name, roles="learner")
    session.add(user)
    session.flush()
    return user, None


def _update_person(user: User, email: str, name: str, store: UserStore | None) -> list[str]:
    changes = []
    if user.email != email:
        if store is not None and can_invite(store):
            store.update(user.email, new_email=email)
        user.email = email
        changes.append("email")
    if user.name != name:
        if store is not None and can_invite(store):
            store.update(user.email, name=name)
        user.name = name
        changes.append("name")
    return changes


def _place_in_department(session: Session, user: User, department: str, groups: dict[str, Group],
                         result: ImportResult) -> bool:
    """Make the user a member of their department's group (created when missing) and of no other
    department group. True when a membership changed."""
    changed = False
    target = None
    if department:
        target = groups.get(department.lower())
        if target is None:
            target = Group(name=department, kind=DEPARTMENT)
            session.add(target)
            session.flush()
            groups[department.lower()] = target
            result.groups_created.append(department)
    memberships = session.execute(
        select(GroupMember, Group).join(Group, Group.id == GroupMember.group_id)
        .where(GroupMember.user_id == user.id)).all()
    if target is not None and all(group.id != target.id for _, group in memberships):
        session.add(GroupMember(group_id=target.id, user_id=user.id, role="member"))
        changed = True
    for member, group in memberships:
        if group.kind == DEPARTMENT and member.role == "member" and (target is None or group.id != target.id):
            session.delete(member)
            changed = True
    session.flush()
    return changed


# -- invitations -----------------------------------------------------------------
def create_invitation(session: Session, user: User, actor: User | None = None, days: int = 7,
                      now: dt.datetime | None = None) -> str:
    """A new one-time invitation for ``user`` (earlier unused ones stop working); returns the token.

    The caller has checked that ``actor`` may manage ``user`` and that the account has no password.
    """
    now = now or utcnow()
    session.execute(delete(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    session.add(Invitation(user_id=user.id, token_hash=token_hash(token), created_by_id=actor.id if actor else None,
                           created_at=now, expires_at=now + dt.timedelta(days=days)))
    audit(session, actor, "person.invited", user, days=days)
    session.flush()
    return token


def valid_invitation(session: Session, token: str, now: dt.datetime | None = None) -> tuple[Invitation, User] | None:
    """The invitation and its person if ``token`` is unused, unexpired and the person still active."""
    now = now or utcnow()
    found = session.execute(select(Invitation, User).join(User, User.id == Invitation.user_id)
                            .where(Invitation.token_hash == token_hash(token))).first()
    if found is None:
        return None
    invitation, user = found
    if invitation.used_at is not None or aware(invitation.expires_at) <= now:
        return None
    if not user.is_active or user.anonymized_at is not None:
        return None
    return invitation, user


def accept_invitation(session: Session, invitation: Invitation, now: dt.datetime | None = None) -> bool:
    """Use the invitation up; False when a parallel request already did (one use only)."""
    # Session.execute is typed Result; an UPDATE without RETURNING gives a CursorResult (SQLAlchemy's advice: cast)
    done = cast(CursorResult[Any], session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now or utcnow())))
    session.flush()
    return done.rowcount == 1


def pending_invitation(session: Session, user: User) -> Invitation | None:
    return session.scalar(select(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
                          .order_by(Invitation.id.desc()))


# -- API tokens ------------------------------------------------------------------
def create_api_token(session: Session, name: str, actor: User, scope: str = "reports:read") -> tuple[ApiToken, str]:
    """A new API token; the plain token is returned once and only its hash is kept."""
    if scope not in API_SCOPES:
        raise ValueError(scope)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=" ".join(name.split())[:100], token_hash=token_hash(plain), prefix=plain[:10],
                     scope=scope, created_by_id=actor.id)
    session.add(token)
    session.flush()
    return token, plain


def revoke_api_token(session: Session, token: ApiToken, actor: User) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    session.add(AuditEntry(actor_id=actor.id, action="api_token.revoked", target=f"api_token:{token.id}",
                           details={"name": token.name}))
    session.flush()
    return True


def authenticate_api_token(session: Session, plain: str) -> ApiToken | None:
    """The live token ``plain`` stands for (its last use recorded), or None."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(plain)))
    if token is None or token.revoked_at is not None:
        return None
    token.last_used_at = utcnow()
    session.flush()
    return token


def api_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())))


# -- people ----------------------------------------------------------------------
def search_people(session: Session, query: str = "", limit: int = 200) -> tuple[list[User], int]:
    """People matching ``query`` in name, e-mail or employee number (all when empty), and how many match."""
    condition: ColumnElement[bool] = User.id.is_not(None)
    words = query.split()
    # ё is written е as often as not: both sides are compared with е ("петр" finds "Пётр")
    columns = tuple(func.replace(func.replace(column, "ё", "е"), "Ё", "Е")
                    for column in (User.name, User.email, func.coalesce(User.employee_id, "")))
    for word in words:
        word = word.replace("ё", "е").replace("Ё", "Е")
        # SQLite's lower() folds ASCII only, so the usual spellings of a word are tried as well.
        forms = {word, word.lower(), word.upper(), word.capitalize()}
        condition = condition & or_(*(func.lower(column).like(f"%{form.lower()}%") | column.like(f"%{form}%")
                                      for column in columns for form in forms))
    total = session.scalar(select(func.count()).select_from(User).where(condition)) or 0
    people = list(session.scalars(select(User).where(condition)
                                  .order_by(User.anonymized_at.is_not(None), User.name, User.id).limit(limit)))
    return people, total


def groups_of(session: Session, user: User) -> list[Group]:
    return list(session.scalars(select(Group).join(GroupMember, GroupMember.group_id == Group.id)
                                .where(GroupMember.user_id == user.id).order_by(Group.name)))


def anonymized_email(user_id: int) -> str:
    """A placeholder address that can never be delivered (the ``.invalid`` top-level domain, RFC 2606)."""
    return f"deleted-user-{user_id}@anonymized.invalid"


def anonymize_person(session: Session, person: User, actor: User, store: UserStore | None = None) -> bool:
    """Erase who ``person`` was and close their account; their learning rows stay for statistics.

    Their name on issued certificates and their address in queued xAPI statements are
    replaced too. Returns False when they were already anonymised.
    """
    if person.anonymized_at is not None:
        return False
    old_email = person.email
    name = f"Deleted user #{person.id}"
    email = anonymized_email(person.id)
    if store is not None:
        if can_invite(store):
            store.deactivate(old_email, new_email=email, new_name=name)
    had_employee_id = person.employee_id is not None
    person.name, person.email, person.employee_id = name, email, None
    person.is_active = False
    person.anonymized_at = utcnow()
    session.execute(update(Certificate).where(Certificate.user_id == person.id).values(holder_name=name))
    session.execute(delete(Invitation).where(Invitation.user_id == person.id))
    for row in session.scalars(select(XapiOutbox).where(XapiOutbox.user_id == person.id)):
        payload = dict(row.payload)
        payload["actor"] = {"objectType": "Agent", "name": name, "mbox": f"mailto:{email}"}
        row.payload = payload
    audit(session, actor, "person.anonymized", person, employee_id_cleared=had_employee_id)
    session.flush()
    return True


def end_sessions(session: Session, person: User, actor: User, store: UserStore | None) -> bool:
    """Sign ``person`` out on every device (the host's store does it); False when it cannot."""
    if not can_end_sessions(store) or not store.end_sessions(person.email):
        return False
    audit(session, actor, "person.sessions_ended", person)
    session.flush()
    return True
