"""Fixtures in the style of Flask's tutorial: ``app``, ``client``, ``runner``, ``auth``.

Every test runs against a real database: SQLite by default, PostgreSQL when
``LMS_TEST_DATABASE_URL`` is set (``.ci/run`` does both). The schema is built
once per session with the Alembic migrations; each test starts from empty tables.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import create_engine

import lms.activities  # noqa: F401  (registers the activity kinds the content loader parses)
from lms import migrate
from lms.site import SITE_MIGRATIONS, create_app
from lms.site.models import SiteBase

from support import SAMPLE_COURSES, csrf_from, database_url, empty_tables, fresh_engine_at, reset_schema


@pytest.fixture(scope="session")
def database(tmp_path_factory) -> str:
    """A migrated database shared by the session's tests."""
    url = database_url(tmp_path_factory.mktemp("db"))
    reset_schema(url)
    engine = create_engine(url)
    migrate.upgrade(engine)
    migrate.upgrade(engine, SITE_MIGRATIONS, "site_alembic_version", SiteBase.metadata)
    engine.dispose()
    return url


class SharedTemplateCache(BytecodeCache):
    """Compiled templates kept in memory for the test process: each test builds a new app, and each
    app's Jinja environment would otherwise compile every template it renders again. Jinja checks
    each entry against its template's source, so an edited template is compiled anew."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedTemplateCache()


@pytest.fixture
def app(database, tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    empty_tables(database)
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database,
        "LMS_LOGIN_RATE_LIMIT": "1000 per minute",
        # scrypt costs ~0.15 s per hash and per check; the tests sign in hundreds of times
        "LMS_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "LMS_DEFAULT_LOCALE": "ru",
    })
    app.jinja_env.bytecode_cache = TEMPLATES
    yield app
    with app.app_context():
        from lms.site.models import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def smtp(app):
    """A real SMTP server (aiosmtpd) on a free port; the app's ``LMS_SMTP_URL`` points at it.
    ``smtp.inbox.messages`` holds what it accepted."""
    from support.smtp import SmtpServer

    with SmtpServer() as server:
        app.config["LMS_SMTP_URL"] = server.url
        app.config["LMS_MAIL_FROM"] = "Training <lms@example.com>"
        app.config["LMS_PUBLIC_URL"] = "https://lms.example.com"
        app.config["LMS_QUIET_HOURS"] = ""
        yield server


@pytest.fixture(scope="session")
def lrs(tmp_path_factory):
    """A real learning record store, Ralph, on a free port for the session (``support.lrs.Ralph``):
    ``lrs.endpoint`` and ``lrs.auth`` for the app, ``lrs.statements()`` to read what it stored,
    ``lrs.stop()``/``lrs.start()`` to take it down and back, ``lrs.clear()`` between tests."""
    from support.lrs import Ralph

    ralph = Ralph(tmp_path_factory.mktemp("ralph"))
    ralph.start()
    yield ralph
    ralph.stop()


@pytest.fixture(scope="session")
def shared_oidc_provider(tmp_path_factory):
    """One provider for the session's test-client tests (its client comes back to http://localhost):
    node starts once, not once a test."""
    from support.oidc import OpenIDProvider

    provider = OpenIDProvider(tmp_path_factory.mktemp("oidc"), ["http://localhost"])
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_provider(app, tmp_path, request):
    """A real OpenID provider (npm's oidc-provider under node) on a free port, and the app configured to
    sign in through it (``support.oidc.OpenIDProvider``): its client may come back to the test client
    and, when the test uses one, to the live server (a provider of the test's own then)."""
    from support.oidc import OpenIDProvider

    if "live_server" not in request.fixturenames:
        provider = request.getfixturevalue("shared_oidc_provider")
        provider.reset_accounts()
        app.config.update(provider.config())
        yield provider
        return
    bases = ["http://localhost", request.getfixturevalue("live_server")]
    (tmp_path / "oidc").mkdir()
    provider = OpenIDProvider(tmp_path / "oidc", bases)
    provider.start()
    app.config.update(provider.config())
    yield provider
    provider.stop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Create accounts and sign in through the real login form."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def create(self, email: str, name: str = "Test User", roles=("learner",), password: str = "password123"):
        from lms.services.users import sync_identity
        from lms.site import SiteUserStore
        from lms.site.models import db

        with self.app.app_context():
            identity = SiteUserStore().create(email, name, roles, password)
            user = sync_identity(db.session, identity)
            db.session.commit()
            return user.id

    def login(self, email: str = "learner@example.com", password: str = "password123", follow: bool = False):
        page = self.client.get("/login")
        return self.client.post("/login", data={"email": email, "password": password,
                                                "csrf_token": csrf_from(page.get_data(as_text=True))},
                                follow_redirects=follow)

    def as_role(self, role: str, email: str | None = None, name: str | None = None):
        email = email or f"{role}@example.com"
        self.create(email, name or role.title(), (role,))
        response = self.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return email

    def logout(self):
        page = self.client.get("/training/")
        return self.client.post("/logout", data={"csrf_token": csrf_from(page.get_data(as_text=True))})

    def csrf(self, path: str = "/training/") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))


@pytest.fixture
def auth(app, client):
    return AuthActions(app, client)


@pytest.fixture
def sample_course(app, runner):
    """The small test course (ru, en and ar editions) imported into the database."""
    result = runner.invoke(args=["lms", "courses", "import", str(SAMPLE_COURSES)])
    assert result.exit_code == 0, result.output
    return "sample"


@pytest.fixture
def fresh_engine(tmp_path):
    """An engine on an empty database (SQLite file) or an empty schema (PostgreSQL)."""
    with fresh_engine_at(tmp_path) as engine:
        yield engine


CHROMIUM = os.environ.get("LMS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """One Chromium per test process, through Playwright's sync API (one per process is all it allows):
    the browser tests and the plugin's host test share it. Skips without Chromium; fails under
    ``LMS_REQUIRE_BROWSER=1`` (CI)."""
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: install Debian's chromium package or set LMS_CHROMIUM"
        if os.environ.get("LMS_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


#: the longest modules (a minute or more each) start first: ``make test`` hands whole modules to its two
#: processes in collection order (pytest-xdist's ``loadscope``), and one of these started last would
#: leave the other process idle at the end
SLOW_FIRST = (
    "browser/test_journey_learner.py",
    "browser/test_roleplay_worst_paths.py",
    "browser/test_studio_journey.py",
    "browser/test_journey_trainer.py",
    "browser/test_journey_hr.py",
    "web/test_roleplay_condemned_replies.py",
    "plugin/test_production.py",
    "plugin/test_two_instances.py",
)


def pytest_collection_modifyitems(items) -> None:
    def rank(item) -> int:
        path = item.nodeid.split("::")[0]
        return next((i for i, name in enumerate(SLOW_FIRST) if path.endswith(name)), len(SLOW_FIRST))

    items.sort(key=rank)  # stable: the rest keep their order
