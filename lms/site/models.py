"""The standalone site's own accounts (a host app brings its own instead)."""
from __future__ import annotations

import datetime as dt

from flask import current_app, has_app_context
from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, DateTime, MetaData, String
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


class SiteUser(UserMixin, db.Model):
    __tablename__ = "site_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[str] = mapped_column(String(100), default="learner")
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def set_password(self, password: str) -> None:
        # Werkzeug's default is scrypt with a random salt; the test suite may pick a
        # cheaper method through LMS_PASSWORD_HASH_METHOD, production keeps the default.
        method = current_app.config.get("LMS_PASSWORD_HASH_METHOD") if has_app_context() else None
        self.password_hash = generate_password_hash(password, method=method or "scrypt")

    def check_password(self, password: str) -> bool:
        # An empty hash: the account has no password yet (an invitation is pending) or was closed.
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)
