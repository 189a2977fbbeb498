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
from typing import Protocol

from .models import ROLES


@dataclass(frozen=True)
class Identity:
    """The current user as the host knows them."""

    id: str
    name: str
    email: str
    roles: frozenset[str] = field(default_factory=lambda: frozenset({"learner"}))
    locale: str | None = None

    def __post_init__(self) -> None:
        roles = frozenset(self.roles) & frozenset(ROLES)
        object.__setattr__(self, "roles", roles or frozenset({"learner"}))
        object.__setattr__(self, "email", self.email.strip().lower())


class UserStore(Protocol):
    """Optional: lets the command line and HR create accounts in the host.

    The standalone site provides one; a host that manages its own accounts
    may leave it out, and then ``lms users create`` says so.
    """

    def create(self, email: str, name: str, roles: Iterable[str], password: str) -> Identity: ...

    def find(self, email: str) -> Identity | None: ...
