"""The standalone site: the LMS plugin in a small Flask app with its own accounts.

``wsgi.py`` calls :func:`create_app`. Configuration comes from a mapping (tests)
and then from the environment: ``SECRET_KEY``, ``DATABASE_URL``,
``LMS_REDIS_URL``, ``LMS_DEFAULT_LOCALE`` and any other ``LMS_*`` key. The site's own:

``LMS_SECURE_COOKIES``   send the session and remember cookies only over HTTPS; defaults to
                         true when ``LMS_PUBLIC_URL`` starts with ``https://``
``LMS_TRUSTED_PROXIES``  how many reverse proxies stand in front of the site (0): their
                         ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed, so rate
                         limits count each client, not the proxy
``LMS_PASSWORD_LOGIN``   ``true``: people may sign in with a password of the site; ``false`` hides
                         and refuses the password form and the forgotten-password pages

Signing in through the company's OpenID provider (``lms/site/oidc.py``; on when the issuer and
the client id are set):

``LMS_OIDC_ISSUER``        the provider's issuer URL; the rest is read from its discovery document
``LMS_OIDC_CLIENT_ID``     this site's client id at the provider
``LMS_OIDC_CLIENT_SECRET`` its client secret (confidential client; PKCE is used as well)
``LMS_OIDC_NAME``          the provider's name on the button ("Sign in with Keycloak"); empty: "your
                           company account"
``LMS_OIDC_SCOPES``        ``openid email profile``: the scopes asked for (add the one that releases
                           the role claim, e.g. ``groups``)
``LMS_OIDC_ROLE_CLAIM``    the claim that carries roles or groups (``groups``, ``roles``, a dotted path
                           such as ``realm_access.roles``); when set, the roles are replaced by it at
                           each sign-in; empty: roles are managed in the LMS
``LMS_OIDC_ROLE_MAP``      JSON: the claim's values to LMS roles, ``{"lms-trainers": "trainer"}``
                           (a list gives several); a value that is a role name counts as itself
``LMS_OIDC_TRUST_EMAIL``   ``false``: ``true`` treats every address from the provider as verified
                           (a company directory that sends no ``email_verified``, such as Entra ID)

The site is the host here, so it sets Flask's own keys that the plugin only reads: the
session cookie (``HttpOnly``, ``SameSite=Lax``, ``Secure`` behind HTTPS), CSRF tokens that
last as long as the session (an author may keep the editor open for hours), its rate limiter.
A ``DATABASE_URL`` it cannot use stops it with one line (:class:`ConfigurationError`).
"""
from __future__ import annotations

import hmac
import json
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

import click
from flask import Flask, g
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import migrate
from ..core.oidc import parse_role_map
from ..extension import LMS
from ..identity import Identity
from ..state import ping_when_idle
from ..web import MAX_ID, form_field_bytes
from .accounts import SiteUserStore, identity_of, signed_in
from .models import SiteUser, db
from .views import register

__all__ = ["create_app", "SiteUserStore", "identity_of", "database_url", "check_database_url", "secret_key",
           "SITE_MIGRATIONS", "ConfigurationError"]

SITE_ROOT = Path(__file__).resolve().parents[2]
SITE_MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` forms hosting platforms give."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class ConfigurationError(click.ClickException):
    """A setting the site cannot start with. ``flask`` commands (``run``, ``lms ...``) show it
    as one line on standard error and exit 1, not as a traceback."""


def check_database_url(url: Any) -> None:
    """Refuse a ``DATABASE_URL`` that is not a URL, or whose database or driver is unknown or
    not installed, before an engine is made from it."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError("DATABASE_URL is not a database URL: write it as "
                                 "postgresql://user:password@host/name or sqlite:////path/to/lms.sqlite") from None
    shown = parsed.render_as_string(hide_password=True)
    try:
        parsed.get_dialect().import_dbapi()
    except NoSuchModuleError:
        raise ConfigurationError(f"DATABASE_URL {shown} names an unknown database '{parsed.drivername}': "
                                 "use postgresql://... or sqlite:///...") from None
    except ImportError as exc:
        raise ConfigurationError(f"DATABASE_URL {shown} needs a driver that is not installed ({exc}); "
                                 "for PostgreSQL: pip install 'lms-service-training[postgres]'") from None


def sqlite_write_ahead_log(dbapi_connection, _record) -> None:
    """Readers go on while a request writes (SQLite's write-ahead log; the setting stays in the file).

    In SQLite's default rollback journal a writer cannot commit while another connection
    reads, and nobody reads while it commits: with several workers (every lesson visit
    writes) pages queue for the lock. The plugin's own engine (``lms.extension.make_engine``)
    sets the same. ``docs/performance.md`` has the measurements.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def secret_key(instance: Path) -> str:
    """The key in ``instance/secret_key``, made on first use (mode 0600).

    Several workers may start at once on a new instance folder: each writes a
    candidate to a temporary file and hard-links it into place, which fails when the
    file exists, so exactly one key wins and everyone reads that one back.
    """
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=instance, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another worker was first: use its key
            except OSError:  # no hard links on this file system: exclusive creation instead
                try:
                    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
                        handle.write(Path(temporary).read_text())
                except FileExistsError:
                    pass
        finally:
            os.unlink(temporary)
    for _attempt in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)  # the exclusive-creation fallback of another worker is still writing
    raise RuntimeError(f"{path} is empty; delete it or set SECRET_KEY")


def flag(value: Any) -> bool:
    """A true/false setting from the environment (``true``, ``1``, ``yes``) or from code."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def configure_sign_in(config: dict[str, Any]) -> None:
    """The sign-in settings' defaults; a role map that is not one stops the site with one line."""
    config["LMS_PASSWORD_LOGIN"] = flag(config.get("LMS_PASSWORD_LOGIN", True))
    config["LMS_OIDC_TRUST_EMAIL"] = flag(config.get("LMS_OIDC_TRUST_EMAIL", False))
    for key in ("LMS_OIDC_ISSUER", "LMS_OIDC_CLIENT_ID", "LMS_OIDC_CLIENT_SECRET", "LMS_OIDC_NAME",
                "LMS_OIDC_ROLE_CLAIM", "LMS_OIDC_ROLE_MAP"):
        config.setdefault(key, None)
    config.setdefault("LMS_OIDC_SCOPES", "openid email profile")
    try:
        parse_role_map(config["LMS_OIDC_ROLE_MAP"])
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the standalone site."""
    templates = SITE_ROOT / "templates"
    static = SITE_ROOT / "static"
    app = Flask(
        "lms_site",
        template_folder=str(templates) if templates.is_dir() else None,
        static_folder=str(static) if static.is_dir() else None,
        instance_path=str(Path(os.environ.get("LMS_INSTANCE_PATH", SITE_ROOT / "instance")).resolve()),
    )
    instance = Path(app.instance_path)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=database_url(os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'lms.sqlite'}")),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    for key, value in os.environ.items():
        if key.startswith("LMS_"):
            try:
                app.config[key] = json.loads(value)
            except ValueError:
                app.config[key] = value
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        # One pool per worker process: size it with the worker's threads in mind.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {
            "pool_size": int(os.environ.get("LMS_DB_POOL_SIZE", 5)),
            "max_overflow": int(os.environ.get("LMS_DB_MAX_OVERFLOW", 5)),
            "pool_recycle": 1800,
        })
    if test_config:
        app.config.update(test_config)
    check_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    configure_sign_in(app.config)
    secure = app.config.get("LMS_SECURE_COOKIES")
    if secure is None:
        secure = str(app.config.get("LMS_PUBLIC_URL") or "").startswith("https://")
    if flag(secure):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    proxies = int(app.config.get("LMS_TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # Believe the last ``proxies`` entries of X-Forwarded-For/-Proto, set by our own proxies;
        # without it the header is ignored, so a client cannot pick its rate-limit address.
        # Flask's documented way to wrap its WSGI app, though Flask types wsgi_app as a method
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    sqlite = str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")
    if sqlite:
        # Several gunicorn workers and threads write to one file: a writer waits up to 30 s for
        # the lock (sqlite3's default is 5 s, then "database is locked").
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secret_key(instance)
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite:///"):
        instance.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    with app.app_context():
        if sqlite:
            event.listen(db.engine, "connect", sqlite_write_ahead_log)
        else:
            ping_when_idle(db.engine)
    # Every POST of the site (sign-in, sign-out, invitations) carries a CSRF token.
    CSRFProtect(app)
    login_manager = LoginManager(app)
    login_manager.login_view = "site.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str) -> SiteUser | None:
        # ``SiteUser.get_id``: "<id>:<session token>"; a replaced token ends the session.
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit() or int(user_id) > MAX_ID or not token:
            return None
        found = signed_in(int(user_id))
        if found is None or not hmac.compare_digest(found[0].session_token.encode(), token.encode()):
            return None
        g.site_lms_user = found[1]  # read along and held for the request: the plugin finds it in the session
        return found[0]

    lms = LMS(app, user_store=SiteUserStore())
    # The site owns Flask's MAX_CONTENT_LENGTH: every body is cut off there, even one sent without a
    # Content-Length (the plugin's pages have their own LMS_MAX_REQUEST_BYTES; this covers the rest).
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = app.config["LMS_MAX_REQUEST_BYTES"]
    # CSRFProtect reads every form before the plugin does: one field must hold a whole Markdown file.
    memory = app.config.get("MAX_FORM_MEMORY_SIZE")
    if memory is not None and memory < form_field_bytes(app.config):
        app.config["MAX_FORM_MEMORY_SIZE"] = form_field_bytes(app.config)

    @lms.identity_loader
    def current_identity() -> Identity | None:
        if not current_user.is_authenticated:
            return None
        row = g.get("site_lms_user")
        return identity_of(current_user, row.id if row is not None else None)

    def upgrade_site_tables() -> None:
        migrate.upgrade(db.engine, SITE_MIGRATIONS, "site_alembic_version", db.metadata)

    app.extensions["lms"].init_hooks.append(upgrade_site_tables)

    register(app)
    return app
