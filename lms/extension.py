"""The ``LMS`` Flask extension: mounts the plugin into any Flask app.

::

    from lms import LMS, Identity

    lms = LMS(app, url_prefix="/training")

    @lms.identity_loader
    def identity():
        ...  # return an Identity for the current user, or None

Configuration keys (all prefixed ``LMS_``, defaults set with ``setdefault``):

``LMS_URL_PREFIX``            where the plugin is mounted (``/training``)
``LMS_DATABASE_URI``          database for the plugin when the host has no Flask-SQLAlchemy;
                              defaults to ``SQLALCHEMY_DATABASE_URI``, then SQLite in the instance folder
``LMS_DEFAULT_LOCALE``        ``ru``; the last resort after the user's choice and Accept-Language
``LMS_BASE_TEMPLATE``         the template every plugin page extends (``lms/base.html``)
``LMS_LOGIN_URL``             where anonymous users are sent; defaults to Flask-Login's login view
``LMS_OPEN_CATALOGUE``        learners may start published courses nobody assigned to them (True)
``LMS_REDIS_URL``             shared state for several workers (rate limits); memory when unset
``LMS_RATELIMIT_STORAGE_URI`` overrides the rate-limit storage; defaults to ``LMS_REDIS_URL``
``LMS_LOGIN_RATE_LIMIT``      ``10 per minute`` per address for login attempts
``LMS_CONTENT_SECURITY_POLICY`` the CSP header on every plugin page
``LMS_MAX_TEXT_BYTES`` / ``LMS_MAX_ASSET_BYTES``  size limits for course files: a Markdown file (1 MB,
                              also a draft or a preview), an image (5 MB)
``LMS_MAX_CSV_BYTES``         ``10_000_000``: the largest staff file HR may import
``LMS_MAX_ZIP_BYTES``         ``20_000_000``: the largest course zip a trainer may import
``LMS_MAX_UNZIPPED_BYTES``    ``50_000_000``: the most a course zip may unpack to (see also the entry count and
                              compression ratio checked in ``services.authoring.open_course_zip``)
``LMS_MAX_REQUEST_BYTES``     the largest request body any plugin page accepts (413 beyond); defaults to the
                              largest upload limit plus 1 MB. Set per request, so the host's own
                              ``MAX_CONTENT_LENGTH`` is left alone (a smaller one still applies). A host
                              that reads forms before the plugin does (Flask-WTF's ``CSRFProtect``) should
                              let ``MAX_FORM_MEMORY_SIZE`` hold a whole Markdown file, as ``lms.site`` does
``LMS_ORGANISATION``          the organisation's name, shown on certificates and as the Open Badge issuer
``LMS_VERIFY_RATE_LIMIT``     ``30 per minute`` per address for the public certificate verification pages
``LMS_PUBLIC_URL``            the site's public address (``https://lms.example.com``): every absolute link
                              (badge ids, verification links, invitations) is built from it, never from the
                              Host header (``lms.links.absolute_url``); also the stem of xAPI activity ids
``LMS_INVITATION_DAYS``       ``7``: how long an invitation link to set a password stays valid
``LMS_XAPI_ENDPOINT``         a learning record store's xAPI endpoint; ``flask lms xapi send`` delivers to it
``LMS_XAPI_AUTH``             ``user:password`` for the LRS (HTTP basic authentication)
``LMS_XAPI_ACTIVITY_BASE``    the stem of xAPI activity ids; defaults to ``LMS_PUBLIC_URL`` + the URL prefix
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from .identity import Identity, UserStore

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


class LMSState:
    """Per-app state, kept in ``app.extensions["lms"]``."""

    def __init__(self, extension: LMS, app: Flask, url_prefix: str, db: Any | None):
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
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(uri, pool_pre_ping=True, **options)


class LMS:
    """The LMS plugin. Create it with an app, or call :meth:`init_app` later."""

    def __init__(self, app: Flask | None = None, **options: Any):
        self._identity_loader: Callable[[], Identity | None] | None = None
        self._user_store: UserStore | None = None
        if app is not None:
            self.init_app(app, **options)

    def identity_loader(self, callback: Callable[[], Identity | None]) -> Callable[[], Identity | None]:
        """Register the function that returns the current user's :class:`Identity` (or None)."""
        self._identity_loader = callback
        return callback

    def set_user_store(self, store: UserStore) -> None:
        """Let the LMS create and find accounts in the host (command line, staff import)."""
        self._user_store = store

    def init_app(self, app: Flask, url_prefix: str | None = None, db: Any | None = None,
                 identity_loader: Callable[[], Identity | None] | None = None,
                 user_store: UserStore | None = None) -> None:
        """Mount the plugin on ``app``.

        ``db`` is the host's Flask-SQLAlchemy instance; when left out, the one
        registered on the app is used if there is one, else the plugin opens its
        own engine on ``LMS_DATABASE_URI``.
        """
        if "lms" in app.extensions:
            raise RuntimeError(
                "The LMS extension is already registered on this Flask app. "
                "Create one LMS object per app and call init_app once."
            )
        if identity_loader is not None:
            self._identity_loader = identity_loader
        if user_store is not None:
            self._user_store = user_store
        config = app.config
        config.setdefault("LMS_URL_PREFIX", "/training")
        config.setdefault("LMS_DATABASE_URI", None)
        config.setdefault("LMS_DEFAULT_LOCALE", "ru")
        config.setdefault("LMS_BASE_TEMPLATE", "lms/base.html")
        config.setdefault("LMS_LOGIN_URL", None)
        config.setdefault("LMS_OPEN_CATALOGUE", True)
        config.setdefault("LMS_REDIS_URL", None)
        config.setdefault("LMS_RATELIMIT_STORAGE_URI", None)
        config.setdefault("LMS_LOGIN_RATE_LIMIT", "10 per minute")
        config.setdefault("LMS_CONTENT_SECURITY_POLICY", DEFAULT_CSP)
        config.setdefault("LMS_MAX_TEXT_BYTES", 1_000_000)
        config.setdefault("LMS_MAX_ASSET_BYTES", 5_000_000)
        config.setdefault("LMS_MAX_CSV_BYTES", 10_000_000)
        config.setdefault("LMS_MAX_ZIP_BYTES", 20_000_000)
        config.setdefault("LMS_MAX_UNZIPPED_BYTES", 50_000_000)
        config.setdefault("LMS_MAX_REQUEST_BYTES", max(
            config["LMS_MAX_ZIP_BYTES"], config["LMS_MAX_CSV_BYTES"], config["LMS_MAX_ASSET_BYTES"],
            config["LMS_MAX_TEXT_BYTES"]) + 1_000_000)
        config.setdefault("LMS_ORGANISATION", "")
        config.setdefault("LMS_VERIFY_RATE_LIMIT", "30 per minute")
        config.setdefault("LMS_PUBLIC_URL", None)
        config.setdefault("LMS_INVITATION_DAYS", 7)
        config.setdefault("LMS_XAPI_ENDPOINT", None)
        config.setdefault("LMS_XAPI_AUTH", None)
        config.setdefault("LMS_XAPI_ACTIVITY_BASE", None)
        config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
        config.setdefault("SESSION_COOKIE_HTTPONLY", True)
        config.setdefault("WTF_CSRF_ENABLED", True)
        config.setdefault("WTF_CSRF_TIME_LIMIT", None)
        prefix = url_prefix if url_prefix is not None else config["LMS_URL_PREFIX"]
        prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        config["LMS_URL_PREFIX"] = prefix

        if db is None:
            db = app.extensions.get("sqlalchemy")
        state = LMSState(self, app, prefix, db)
        app.extensions["lms"] = state

        if "babel" not in app.extensions:
            from flask_babel import Babel

            from .i18n import select_locale

            Babel(app, locale_selector=select_locale)

        from flask_wtf.csrf import generate_csrf

        app.jinja_env.globals.setdefault("csrf_token", generate_csrf)

        from .web import create_blueprint

        app.register_blueprint(create_blueprint(), url_prefix=prefix or None)

        from .cli import lms_cli

        app.cli.add_command(lms_cli)


def state() -> LMSState:
    """The plugin's state for the current app."""
    try:
        return current_app.extensions["lms"]
    except KeyError:
        raise RuntimeError("The LMS extension is not registered on this app: call LMS(app)") from None


def db_session() -> Session:
    """The database session the plugin uses in this request or command."""
    return state().session()
