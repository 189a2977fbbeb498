"""People: the mirror of the host's identities, and groups."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..identity import Identity
from ..models import Group, GroupMember, User

#: ``external_id`` of people imported by HR whom the host has not signed in yet.
PENDING_PREFIX = "pending:"


def sync_identity(session: Session, identity: Identity) -> User:
    """Find or create the ``lms_users`` row for ``identity``; update what changed.

    Sets ``session.info["lms_identity_changed"]`` when it wrote, so a request
    that only reads can still commit the change.
    """
    user = session.get(User, identity.user_id) if identity.user_id is not None else None
    if user is None or user.external_id != identity.id:
        user = session.scalar(select(User).where(User.external_id == identity.id))
    roles = ",".join(sorted(identity.roles))
    if user is None:
        # Someone HR imported before the host knew them: the first sign-in claims the row.
        user = session.scalar(select(User).where(User.external_id.startswith(PENDING_PREFIX),
                                                 User.email == identity.email).order_by(User.id))
        if user is not None:
            user.external_id = identity.id
            user.name, user.roles = identity.name, roles
            session.flush()
            session.info["lms_identity_changed"] = True
            return user
    if user is None:
        user = User(external_id=identity.id, email=identity.email, name=identity.name, roles=roles,
                    locale=identity.locale)
        session.add(user)
        session.flush()
        session.info["lms_identity_changed"] = True
        return user
    if user.anonymized_at is not None:
        return user  # a deleted employee stays anonymous whatever the host still knows
    if (user.email, user.name, user.roles) != (identity.email, identity.name, roles):
        user.email, user.name, user.roles = identity.email, identity.name, roles
        session.flush()
        session.info["lms_identity_changed"] = True
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def find_group(session: Session, name: str) -> Group | None:
    return session.scalar(select(Group).where(Group.name == name.strip()))


def add_member(session: Session, group: Group, user: User, role: str = "member") -> GroupMember:
    member = session.get(GroupMember, (group.id, user.id))
    if member is None:
        member = GroupMember(group_id=group.id, user_id=user.id, role=role)
        session.add(member)
        session.flush()
    return member
