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
from typing import Any

from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import generate_csrf

from .blueprint import create_blueprint
from .cli import lms_cli
from .i18n import select_locale
from .identity import Identity, UserStore
from .state import LMSState

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


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
            Babel(app, locale_selector=select_locale)

        app.jinja_env.globals.setdefault("csrf_token", generate_csrf)

        app.register_blueprint(create_blueprint(), url_prefix=prefix or None)

        app.cli.add_command(lms_cli)
