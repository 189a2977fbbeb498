"""The plugin's per-app state and its database session.

Kept apart from :mod:`lms.extension` so feature packages and services can reach the
session without importing the extension (which imports every feature to register its
blueprint): the import graph points one way, ``extension -> web -> features -> state``.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask, current_app
from limits import parse, storage, strategies
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from .identity import Identity, UserStore

if TYPE_CHECKING:
    from .web import NavItem


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
        #: asked before the host's identity loader, first answer wins (an LTI launch's session: :mod:`lms.lti`)
        self.identity_sources: list[Callable[[], Identity | None]] = []
        #: where the plugin's rate limits count (see :meth:`hit_rate_limit`)
        self.rate_limit_storage_uri: str = (app.config.get("LMS_RATELIMIT_STORAGE_URI")
                                            or app.config.get("LMS_REDIS_URL") or "memory://")
        self.rate_limit_prefix: str = app.config.get("LMS_RATELIMIT_KEY_PREFIX") or "lms"
        #: this app's navigation, in ``order`` (see :func:`lms.web.add_nav_item`)
        self.nav_items: list[NavItem] = []
        #: parsed quizzes and scenarios by content row (see ``services.learning.parsed``)
        self.parsed: dict[tuple, Any] = {}
        #: rows that never change (course versions, activity contents), as detached copies
        #: (see ``services.learning.immutable_row``)
        self.rows: dict[tuple, Any] = {}
        self._engine: Engine | None = None
        self._sessions: scoped_session[Session] | None = None
        if db is None:
            uri = app.config["LMS_DATABASE_URI"] or app.config.get("SQLALCHEMY_DATABASE_URI")
            if not uri:
                Path(app.instance_path).mkdir(parents=True, exist_ok=True)
                uri = f"sqlite:///{Path(app.instance_path) / 'lms.sqlite'}"
            self._engine = make_engine(uri)
            sessions = self._sessions = scoped_session(sessionmaker(self._engine, expire_on_commit=False))

            @app.teardown_appcontext
            def _remove_session(exc: BaseException | None) -> None:
                sessions.remove()

    def add_nav_item(self, item: NavItem) -> None:
        """Add ``item`` to this app's navigation; an endpoint already there is left as it is."""
        if all(existing.endpoint != item.endpoint for existing in self.nav_items):
            self.nav_items.append(item)
            self.nav_items.sort(key=lambda i: i.order)

    @cached_property
    def rate_limiter(self) -> strategies.RateLimiter:
        """The plugin's own rate limiter (the ``limits`` library, Flask-Limiter's engine), one per app.

        Its storage is ``LMS_RATELIMIT_STORAGE_URI``, else ``LMS_REDIS_URL``, else memory; the
        host's ``RATELIMIT_*`` settings and its own limiter, if any, are left alone.
        """
        return strategies.FixedWindowRateLimiter(storage.storage_from_string(self.rate_limit_storage_uri))

    def hit_rate_limit(self, limit: str, scope: str, key: str) -> bool:
        """Count one request of ``key`` (a client address) in ``scope``; False once ``limit``
        (``30 per minute``) is used up."""
        return self.rate_limiter.hit(parse(limit), self.rate_limit_prefix, scope, key)

    @property
    def engine(self) -> Engine:
        if self.db is not None:
            return self.db.engine
        assert self._engine is not None  # made in __init__ when there is no Flask-SQLAlchemy
        return self._engine

    def connection_problem(self) -> str | None:
        """None when the database opens; else one line that says which database and why not
        (a refused connection, a missing database, an SQLite file that cannot be opened)."""
        engine = self.engine
        try:
            with engine.connect():
                return None
        except DBAPIError as exc:
            return database_problem(engine.url.render_as_string(hide_password=True), exc)

    def session(self) -> Session:
        if self.db is not None:
            return self.db.session
        assert self._sessions is not None  # made in __init__ when there is no Flask-SQLAlchemy
        return self._sessions()

    def identity(self) -> Identity | None:
        for source in self.identity_sources:
            found = source()
            if found is not None:
                return found
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
    engine = create_engine(uri, **options)
    ping_when_idle(engine)
    return engine


#: a pooled connection unused for longer than this is tested with a round trip before it is handed out
IDLE_PING_SECONDS = 5.0


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Test a pooled connection before use only when it has sat unused for ``idle_seconds``.

    SQLAlchemy's ``pool_pre_ping`` tests every checkout: one more round trip on every request,
    although a connection put back a moment ago by the same worker is known good. A server
    restart or an idle timeout kills connections that wait in the pool, so those are tested;
    a dead one is replaced before the request sees it (the pool retries on ``DisconnectionError``).
    """
    @event.listens_for(engine, "checkin")
    def _put_back(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["lms_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("lms_idle_since")  # cleared with the DBAPI connection: new ones are fresh
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc
        if not alive:
            raise DisconnectionError("the connection did not answer a ping")


def database_problem(url: str, exc: BaseException) -> str:
    """One line for a database that cannot be used: where, and the driver's reason in its words."""
    reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
    return f"cannot open the database {url}: {reason}"


def state() -> LMSState:
    """The plugin's state for the current app."""
    try:
        return current_app.extensions["lms"]
    except KeyError:
        raise RuntimeError("The LMS extension is not registered on this app: call LMS(app)") from None


def db_session() -> Session:
    """The database session the plugin uses in this request or command."""
    return state().session()
