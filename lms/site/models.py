"""The standalone site's own accounts (a host app brings its own instead)."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from flask import current_app, has_app_context
from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, DateTime, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import NAMING, utcnow


class SiteBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# As the plugin's own session: objects stay loaded across a commit. The views commit
# (a lesson visit, a saved answer) before they render, and expiring would reload the
# course version, its manifest, the activity and both user rows for the page
# (docs/performance.md, "What the load showed").
db = SQLAlchemy(model_class=SiteBase, session_options={"expire_on_commit": False})

if TYPE_CHECKING:
    # mypy cannot take a base class from an attribute (python/mypy#8603); db.Model is a subclass of
    # SiteBase that Flask-SQLAlchemy builds at run time
    _Model = SiteBase
else:
    _Model = db.Model


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def password_method() -> str:
    # Werkzeug's default is scrypt with a random salt; the test suite may pick a
    # cheaper method through LMS_PASSWORD_HASH_METHOD, production keeps the default.
    method = current_app.config.get("LMS_PASSWORD_HASH_METHOD") if has_app_context() else None
    return method or "scrypt"


_DUMMY_HASHES: dict[str, str] = {}


def dummy_hash() -> str:
    """A hash of a random password made the way real ones are, to check against when there is none."""
    method = password_method()
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _DUMMY_HASHES[method]


class SiteUser(UserMixin, _Model):
    """An account of the standalone site.

    ``session_token`` is a random secret in every session and "keep me signed in"
    cookie of the account (see :meth:`get_id`): :meth:`end_sessions` replaces it, and
    every session made before stops working. ``oidc_issuer`` and ``oidc_subject`` name the person at
    the OpenID provider the account signs in through (``lms/site/oidc.py``); empty for local accounts.
    """

    __tablename__ = "site_users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[str] = mapped_column(String(100), default="learner")
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    oidc_issuer: Mapped[str | None] = mapped_column(String(255), default=None)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), default=None)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def get_id(self) -> str:  # Flask-Login keeps this in the session and the remember cookie
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Sign the account out everywhere: sessions and remember cookies made before stop working."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        """A new password; it ends every session signed in with the old one."""
        self.password_hash = generate_password_hash(password, method=password_method())
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        # An empty hash: the account has no password yet (an invitation is pending) or was closed.
        # The check still costs a hash, as for an unknown address (see verify_password).
        matches = check_password_hash(self.password_hash or dummy_hash(), password)
        return bool(self.password_hash) and matches


def verify_password(user: SiteUser | None, password: str) -> bool:
    """Whether ``password`` signs ``user`` in (an active account with this password).

    An unknown address, an account without a password (an invitation is pending, or it
    was closed) and a wrong password all cost one hash check made the way real ones
    are, so the time a failed sign-in takes does not tell which addresses have accounts.
    """
    if user is None:
        check_password_hash(dummy_hash(), password)
        return False
    return user.check_password(password) and bool(user.is_active)
