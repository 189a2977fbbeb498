"""The standalone site's accounts, as the plugin's user store sees them (a host brings its own)."""
from __future__ import annotations

from flask import current_app

from ..identity import Identity
from .models import SiteUser, db


class SiteUserStore:
    """Accounts of the standalone site, for the command line, the demo and HR's staff import."""

    def _get(self, email: str) -> SiteUser | None:
        return db.session.scalar(db.select(SiteUser).where(SiteUser.email == email.strip().lower()))

    def create(self, email: str, name: str, roles, password: str | None) -> Identity:
        """Create or update the account; ``password=None`` leaves it without a usable password."""
        email = email.strip().lower()
        user = self._get(email)
        if user is None:
            user = SiteUser(email=email, name=name, password_hash="")
            db.session.add(user)
        user.name = name
        user.roles = ",".join(sorted(set(roles))) or "learner"
        if password is not None:
            user.set_password(password)
        db.session.flush()
        return identity_of(user)

    def has_password(self, email: str) -> bool:
        """Whether the account has a password (an invitation is then refused)."""
        user = self._get(email)
        return user is not None and bool(user.password_hash)

    def end_sessions(self, email: str) -> bool:
        """Sign the account out everywhere; False if there is no such account."""
        user = self._get(email)
        if user is None:
            return False
        user.end_sessions()
        db.session.flush()
        return True

    def find(self, email: str) -> Identity | None:
        user = self._get(email)
        return identity_of(user) if user else None

    def set_password(self, email: str, password: str) -> Identity | None:
        user = self._get(email)
        if user is None:
            return None
        user.set_password(password)
        db.session.flush()
        return identity_of(user)

    def update(self, email: str, *, name: str | None = None, new_email: str | None = None) -> Identity | None:
        user = self._get(email)
        if user is None:
            return None
        if name:
            user.name = name
        if new_email and new_email.strip().lower() != user.email and self._get(new_email) is None:
            user.email = new_email.strip().lower()
        db.session.flush()
        return identity_of(user)

    def deactivate(self, email: str, *, new_email: str | None = None, new_name: str | None = None) -> None:
        user = self._get(email)
        if user is None:
            return
        user.is_active_account = False
        user.password_hash = ""
        user.end_sessions()
        if new_email:
            user.email = new_email
        if new_name:
            user.name = new_name
        db.session.flush()

    def invitation_endpoint(self) -> str:
        """Where a new employee chooses a password; none when passwords are off (``LMS_PASSWORD_LOGIN=false``):
        they sign in through the identity provider, matched by their verified e-mail."""
        return "site.invite" if current_app.config.get("LMS_PASSWORD_LOGIN", True) else ""


def identity_of(user: SiteUser) -> Identity:
    return Identity(id=f"site:{user.id}", name=user.name, email=user.email,
                    roles=frozenset(user.roles.split(",")))
