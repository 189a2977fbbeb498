"""The standalone site's accounts, as the plugin's user store sees them (a host brings its own)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import String, cast, literal, select

from ..identity import Identity
from ..models import User
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


#: how the plugin knows a site account: ``lms_users.external_id`` is this prefix and the account's id
IDENTITY_PREFIX = "site:"


def identity_of(user: SiteUser, lms_user_id: int | None = None) -> Identity:
    return Identity(id=f"{IDENTITY_PREFIX}{user.id}", name=user.name, email=user.email,
                    roles=frozenset(user.roles.split(",")), user_id=lms_user_id)


def signed_in(session_id: int) -> tuple[SiteUser, User | None] | None:
    """The account of a sign-in session and its ``lms_users`` row (None before the plugin first saw
    it), in one query. The row is in the request's session, where the plugin finds it by its id
    (``Identity.user_id``) while the caller holds it (a session keeps its rows by weak reference):
    one lookup per request for the site and the plugin."""
    row = db.session.execute(
        select(SiteUser, User)
        .outerjoin(User, User.external_id == literal(IDENTITY_PREFIX) + cast(SiteUser.id, String))
        .where(SiteUser.id == session_id)
    ).first()
    if row is None:
        return None
    return row[0], row[1]
