"""Who is using the LMS: supplied by the host through a small adapter.

The host registers an identity loader, much as Flask-Login's ``user_loader``::

    lms = LMS(app)

    @lms.identity_loader
    def current_identity():
        if not current_user.is_authenticated:
            return None
        return Identity(id=str(current_user.id), name=current_user.name,
                        email=current_user.email, roles={"learner"})

The plugin mirrors each identity into its own ``lms_users`` table so reports,
groups and assignments can refer to people who are not logged in right now.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeGuard

from .models import ROLES


@dataclass(frozen=True)
class Identity:
    """The current user as the host knows them."""

    id: str
    name: str
    email: str
    roles: frozenset[str] = field(default_factory=lambda: frozenset({"learner"}))
    locale: str | None = None
    #: the plugin's ``lms_users`` id, when the host read it along with the identity (the standalone
    #: site does, in its one sign-in query): the plugin then finds the row in its session instead of
    #: asking the database again. Only a hint: a row of another identity is ignored.
    user_id: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        roles = frozenset(self.roles) & frozenset(ROLES)
        object.__setattr__(self, "roles", roles or frozenset({"learner"}))
        object.__setattr__(self, "email", self.email.strip().lower())


class UserStore(Protocol):
    """Optional: lets the command line and HR create accounts in the host.

    The standalone site provides one; a host that manages its own accounts
    may leave it out, and then ``lms users create`` says so.
    """

    def create(self, email: str, name: str, roles: Iterable[str], password: str | None) -> Identity:
        """Create the account (or update it). ``password=None`` creates it without a usable
        password: the person sets one through an invitation link (see :meth:`set_password`)."""
        ...

    def find(self, email: str) -> Identity | None: ...


class InvitingUserStore(UserStore, Protocol):
    """A user store that can also take part in HR's staff administration.

    With these methods the staff import invites new employees to choose their
    password, keeps names and addresses in step, and deleting an employee
    closes their account. The standalone site's store has them all.
    """

    def set_password(self, email: str, password: str) -> Identity | None:
        """Give the account a password (an invitation was accepted); None if there is no such account."""
        ...

    def update(self, email: str, *, name: str | None = None, new_email: str | None = None) -> Identity | None:
        """Change the account's name or e-mail address (the staff file says so)."""
        ...

    def deactivate(self, email: str, *, new_email: str | None = None, new_name: str | None = None) -> None:
        """Close the account for good; with ``new_email``/``new_name`` also erase who it was."""
        ...

    def invitation_endpoint(self) -> str:
        """The Flask endpoint (taking ``token``) where an invitation link is accepted; empty when the
        store takes no invitations now (people sign in through an identity provider instead)."""
        ...

    def has_password(self, email: str) -> bool:
        """Optional: whether the account has a password already. An invitation sets a first
        password only, so HR cannot create one for such an account; a store without this
        method is taken to say yes (no new invitation from HR's pages)."""
        ...

    def end_sessions(self, email: str) -> bool:
        """Optional: sign the account out on every device (an administrator's "sign out
        everywhere"); False if there is no such account. Without it the button is not offered."""
        ...


class SessionEndingStore(UserStore, Protocol):
    """A user store that can sign an account out on every device (see :func:`can_end_sessions`)."""

    def end_sessions(self, email: str) -> bool: ...


def has_password(store: UserStore | None, email: str) -> bool:
    """Whether ``store`` says the account has a password; True when it cannot tell (the safe answer)."""
    check = getattr(store, "has_password", None)
    return bool(check(email)) if callable(check) else True


def can_end_sessions(store: UserStore | None) -> TypeGuard[SessionEndingStore]:
    """Whether ``store`` can sign an account out everywhere."""
    return callable(getattr(store, "end_sessions", None))


def can_invite(store: UserStore | None) -> TypeGuard[InvitingUserStore]:
    """Whether ``store`` supports invitations (and the rest of :class:`InvitingUserStore`)."""
    if store is None or not all(callable(getattr(store, name, None)) for name in
                                ("set_password", "update", "deactivate", "invitation_endpoint")):
        return False
    return bool(getattr(store, "invitation_endpoint")())  # noqa: B009 (checked callable just above)
