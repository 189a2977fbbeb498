"""The ``LMS`` Flask extension: mounts the plugin into any Flask app.

::

    from lms import LMS, Identity

    lms = LMS(app, url_prefix="/training")

    @lms.identity_loader
    def identity():
        ...  # return an Identity for the current user, or None

The plugin lives in someone else's app: it sets only its own ``LMS_*`` keys. It reads the
host's ``SECRET_KEY``, ``SESSION_COOKIE_*`` and ``WTF_CSRF_*`` settings, never changes them,
and logs a warning at ``init_app`` when one is unsafe (:func:`unsafe_host_settings`). When the
host has no Flask-Babel, the plugin starts one, which adds its own ``BABEL_*`` defaults.

Configuration keys (all prefixed ``LMS_``, defaults set with ``setdefault``):

``LMS_URL_PREFIX``            where the plugin is mounted (``/training``)
``LMS_DATABASE_URI``          database for the plugin when the host has no Flask-SQLAlchemy;
                              defaults to ``SQLALCHEMY_DATABASE_URI``, then SQLite in the instance folder
``LMS_DEFAULT_LOCALE``        ``ru``; the last resort after the user's choice and Accept-Language
``LMS_LOGIN_URL``             where anonymous users are sent; defaults to Flask-Login's login view
``LMS_OPEN_CATALOGUE``        learners may start published courses nobody assigned to them (True)
``LMS_REDIS_URL``             shared state for several workers (rate limits, cached dashboards); memory when unset
``LMS_DASHBOARD_CACHE``       ``redis`` (the default with ``LMS_REDIS_URL``), ``memory`` (one process) or ``off``
``LMS_RATELIMIT_STORAGE_URI`` overrides the rate-limit storage; defaults to ``LMS_REDIS_URL``
``LMS_RATELIMIT_KEY_PREFIX``  ``lms``: the start of the plugin's rate-limit keys in a shared storage
``LMS_LOGIN_RATE_LIMIT``      ``10 per minute`` per address for login attempts
``LMS_CONTENT_SECURITY_POLICY`` the CSP header on every plugin page (:data:`DEFAULT_CSP`: files from this
                              site only, no inline script); empty to send none
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
``LMS_SMTP_URL``              where e-mail goes: ``smtp://user:pass@host:port``, ``smtps://…`` (TLS) or
                            ``smtp+starttls://…``; unset: notifications stay queued (``flask lms notify send``)
``LMS_MAIL_FROM``             the sender of every e-mail (``Training <lms@example.com>``)
``LMS_REMIND_DAYS``           ``3,1``: the days before a due date on which a reminder goes
``LMS_TIMEZONE``              ``UTC``: the organisation's time zone (a person's own, when set, wins)
``LMS_QUIET_HOURS``           ``21-8``: no e-mail from 21:00 to 08:00 in the recipient's time zone (empty: none)
``LMS_PASSWORD_RESET_MINUTES`` ``60``: how long a forgotten-password link works
``LMS_LTI_RATE_LIMIT``        ``300 per minute`` per address for LTI login initiations and launches
``LMS_NOTIFICATION_DAYS``     ``365``: finished (and read) notifications older than this are forgotten by
                            ``flask lms notify send``; 0 keeps them all
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import generate_csrf

from .blueprint import create_blueprint
from .cli import lms_cli
from .i18n import select_locale
from .icons import icon
from .identity import Identity, UserStore
from .state import LMSState

#: ``LMS_CONTENT_SECURITY_POLICY`` unless the host sets it: the plugin's pages load scripts, styles,
#: fonts and images from the site itself and run no inline script.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def unsafe_host_settings(config: Mapping[str, Any]) -> list[str]:
    """What is unsafe in the host's settings for the plugin's pages, one sentence each.

    The plugin never changes these keys (they are the host's); ``init_app`` logs each
    sentence as a warning.
    """
    warnings = []
    if not config.get("SECRET_KEY"):
        warnings.append("SECRET_KEY is not set: sessions and CSRF tokens cannot be signed. "
                        "Set a long random SECRET_KEY.")
    if not config.get("SESSION_COOKIE_HTTPONLY", True):
        warnings.append("SESSION_COOKIE_HTTPONLY is False: scripts can read the session cookie. Set it to True.")
    if config.get("SESSION_COOKIE_SAMESITE") in (None, "None") and not config.get("SESSION_COOKIE_SECURE"):
        warnings.append("SESSION_COOKIE_SAMESITE is not set: browsers may send the session cookie with "
                        "requests from other sites. Set SESSION_COOKIE_SAMESITE = 'Lax'.")
    if not config.get("WTF_CSRF_ENABLED", True) and not config.get("TESTING"):
        warnings.append("WTF_CSRF_ENABLED is False: the plugin's forms accept requests forged by other "
                        "sites. Leave it True outside tests.")
    return warnings


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
        """Let the LMS find and create accounts in the host (:class:`~lms.identity.UserStore`): a trainer
        adds people who never opened the plugin to a group by e-mail, HR's staff import matches them,
        ``flask lms users create`` makes one."""
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
        config.setdefault("LMS_LOGIN_URL", None)
        config.setdefault("LMS_OPEN_CATALOGUE", True)
        config.setdefault("LMS_REDIS_URL", None)
        config.setdefault("LMS_DASHBOARD_CACHE", None)
        config.setdefault("LMS_RATELIMIT_STORAGE_URI", None)
        config.setdefault("LMS_RATELIMIT_KEY_PREFIX", "lms")
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
        config.setdefault("LMS_SMTP_URL", None)
        config.setdefault("LMS_MAIL_FROM", None)
        config.setdefault("LMS_REMIND_DAYS", "3,1")
        config.setdefault("LMS_TIMEZONE", "UTC")
        config.setdefault("LMS_QUIET_HOURS", "21-8")
        config.setdefault("LMS_PASSWORD_RESET_MINUTES", 60)
        config.setdefault("LMS_LTI_RATE_LIMIT", "300 per minute")
        config.setdefault("LMS_NOTIFICATION_DAYS", 365)
        for warning in unsafe_host_settings(config):
            app.logger.warning("LMS: %s", warning)
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
        app.jinja_env.globals.setdefault("lms_icon", icon)  # lms/_macros.html: icon(name, label)

        app.register_blueprint(create_blueprint(), url_prefix=prefix or None)
        # A view that proves itself otherwise (a signed token, an API token, an LTI id token) is exempt from
        # the plugin's CSRF check; a host's own check (Flask-WTF's CSRFProtect) runs first: exempt it there too.
        host_csrf = app.extensions.get("csrf")
        if host_csrf is not None and hasattr(host_csrf, "exempt"):
            for view in list(app.view_functions.values()):
                if getattr(view, "_lms_csrf_exempt", False):
                    host_csrf.exempt(view)

        app.cli.add_command(lms_cli)
