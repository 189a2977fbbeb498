"""The plugin lives in someone else's app: it sets only its own LMS_* keys, warns about the host's
unsafe settings without changing them, and keeps its navigation per app."""
from __future__ import annotations

import logging
import re

import pytest
from flask import Blueprint, Flask

from lms import LMS, Identity
from lms.extension import DEFAULT_CSP
from lms.web import NavItem, add_nav_item

from support import ROOT, SAMPLE_COURSES


def bare_host(tmp_path, name: str = "shop", **config) -> Flask:
    """A host app without Flask-SQLAlchemy: the plugin opens its own SQLite file in ``tmp_path``."""
    app = Flask(name, root_path=str(tmp_path))
    app.config.update(LMS_DATABASE_URI=f"sqlite:///{tmp_path / f'{name}.sqlite'}", **config)
    return app


def lms_warnings(records) -> list[str]:
    return [record.getMessage() for record in records if record.getMessage().startswith("LMS: ")]


def test_a_host_without_settings_gets_only_lms_and_babel_keys(tmp_path):
    app = bare_host(tmp_path, SECRET_KEY="shop-secret")
    before = dict(app.config)
    LMS(app)
    changed = {key for key, value in app.config.items() if key not in before or before[key] != value}
    assert changed, "the plugin's own LMS_ defaults are expected"
    assert {key for key in changed if not key.startswith(("LMS_", "BABEL_"))} == set()


def test_a_host_keeps_its_own_session_csrf_and_rate_limit_settings(tmp_path):
    host_settings = {
        "SECRET_KEY": "shop-secret",
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": True,
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": 600,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_KEY_PREFIX": "shop",
        "MAX_CONTENT_LENGTH": 1_000,
        "BABEL_DEFAULT_LOCALE": "de",
    }
    app = bare_host(tmp_path, **host_settings)
    before = dict(app.config)
    LMS(app)
    assert {key: app.config[key] for key in host_settings} == host_settings
    assert {key for key in app.config if key not in before and not key.startswith(("LMS_", "BABEL_"))} == set()


def test_unsafe_host_settings_are_reported_and_left_as_they_are(tmp_path, caplog):
    unsafe = {"SESSION_COOKIE_HTTPONLY": False, "SESSION_COOKIE_SAMESITE": "None", "SESSION_COOKIE_SECURE": False,
              "WTF_CSRF_ENABLED": False}
    app = bare_host(tmp_path, **unsafe)
    with caplog.at_level(logging.WARNING):
        LMS(app)
    warned = " ".join(lms_warnings(caplog.records))
    for key in ("SECRET_KEY", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "WTF_CSRF_ENABLED"):
        assert key in warned, key
    assert {key: app.config[key] for key in unsafe} == unsafe and not app.config.get("SECRET_KEY")


def test_safe_host_settings_raise_no_warning(tmp_path, caplog):
    app = bare_host(tmp_path, SECRET_KEY="shop-secret", SESSION_COOKIE_SAMESITE="Lax")
    with caplog.at_level(logging.WARNING):
        LMS(app)
    assert lms_warnings(caplog.records) == []


def test_csrf_off_in_a_test_configuration_is_not_a_warning(tmp_path, caplog):
    app = bare_host(tmp_path, SECRET_KEY="s", SESSION_COOKIE_SAMESITE="Lax", WTF_CSRF_ENABLED=False, TESTING=True)
    with caplog.at_level(logging.WARNING):
        LMS(app)
    assert lms_warnings(caplog.records) == []


def shop_with_handbook(tmp_path, name: str, handbook: bool) -> Flask:
    """A host whose own blueprint adds a link to the plugin's navigation (or not)."""
    app = bare_host(tmp_path, name, SECRET_KEY="s", SESSION_COOKIE_SAMESITE="Lax", LMS_DEFAULT_LOCALE="en")
    lms = LMS(app)
    lms.identity_loader(lambda: Identity(id="1", name="Vera", email="vera@shop.example"))
    if handbook:
        shop = Blueprint("shop", __name__)

        @shop.get("/handbook")
        def handbook_page():
            return "handbook"

        add_nav_item(shop, NavItem("shop.handbook_page", lambda: "Shop handbook", ()))
        app.register_blueprint(shop)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["lms", "init"]).exit_code == 0
    assert runner.invoke(args=["lms", "courses", "import", str(SAMPLE_COURSES)]).exit_code == 0
    return app


def navigation(app) -> str:
    page = app.test_client().get("/training/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    return re.search(r'<nav class="lms-nav".*?</nav>', page, flags=re.S).group(0)


def test_two_apps_in_one_process_keep_their_own_navigation(tmp_path):
    with_handbook = shop_with_handbook(tmp_path, "north", handbook=True)
    without = shop_with_handbook(tmp_path, "south", handbook=False)
    north, south = navigation(with_handbook), navigation(without)
    assert 'href="/handbook"' in north and "Shop handbook" in north
    assert "Shop handbook" not in south and "/handbook" not in south
    for nav in (north, south):  # the features' own items are in both
        assert 'href="/training/certificates/"' in nav and "My certificates" in nav
    assert with_handbook.extensions["lms"].nav_items is not without.extensions["lms"].nav_items


def test_a_nav_item_blueprint_registered_before_the_plugin_fails_clearly(tmp_path):
    app = bare_host(tmp_path, SECRET_KEY="s")
    early = Blueprint("early", __name__)
    add_nav_item(early, NavItem("early.page", lambda: "Early", ()))
    with pytest.raises(RuntimeError, match="after LMS\\(app\\)"):
        app.register_blueprint(early)


def test_the_readme_documents_the_default_content_security_policy():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Content-Security-Policy", 1)[1]
    block = re.search(r"```\n(.*?)```", section, flags=re.S).group(1)
    assert " ".join(block.split()) == DEFAULT_CSP and "LMS_CONTENT_SECURITY_POLICY" in section
