"""The plugin's per-app state and its database session.

Kept apart from :mod:`lms.extension` so feature packages and services can reach the
session without importing the extension (which imports every feature to register its
blueprint): the import graph points one way, ``extension -> web -> features -> state``.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from .identity import Identity, UserStore


class _Extension(Protocol):
    _identity_loader: Callable[[], Identity | None] | None
    _user_store: UserStore | None


class LMSState:
    """Per-app state, kept in ``app.extensions["lms"]``."""

    def __init__(self, extension: _Extension, app: Flask, url_prefix: str, db: Any | None):
        self.extension = extension
        self.url_prefix = url_prefix
        self.db = db
        self.init_hooks: list[Callable[[], None]] = []
        #: parsed quizzes and scenarios by content row (see ``services.learning.parsed``)
        self.parsed: dict[tuple, Any] = {}
        self._engine: Engine | None = None
        self._sessions: scoped_session | None = None
        if db is None:
            uri = app.config["LMS_DATABASE_URI"] or app.config.get("SQLALCHEMY_DATABASE_URI")
            if not uri:
                Path(app.instance_path).mkdir(parents=True, exist_ok=True)
                uri = f"sqlite:///{Path(app.instance_path) / 'lms.sqlite'}"
            self._engine = make_engine(uri)
            self._sessions = scoped_session(sessionmaker(self._engine, expire_on_commit=False))

            @app.teardown_appcontext
            def _remove_session(exc: BaseException | None) -> None:
                self._sessions.remove()  # type: ignore[union-attr]

    @property
    def engine(self) -> Engine:
        return self.db.engine if self.db is not None else self._engine  # type: ignore[return-value]

    def session(self) -> Session:
        return self.db.session if self.db is not None else self._sessions()  # type: ignore[misc,return-value]

    def identity(self) -> Identity | None:
        loader = self.extension._identity_loader
        return loader() if loader is not None else None

    @property
    def user_store(self) -> UserStore | None:
        return self.extension._user_store


def make_engine(uri: str, **options: Any) -> Engine:
    """An engine with settings that suit the plugin on SQLite and PostgreSQL."""
    if uri.startswith("sqlite"):
        engine = create_engine(uri, connect_args={"check_same_thread": False, "timeout": 30}, **options)
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(uri, pool_pre_ping=True, **options)


def state() -> LMSState:
    """The plugin's state for the current app."""
    try:
        return current_app.extensions["lms"]
    except KeyError:
        raise RuntimeError("The LMS extension is not registered on this app: call LMS(app)") from None


def db_session() -> Session:
    """The database session the plugin uses in this request or command."""
    return state().session()
