"""A live server and a real Chromium driven by Playwright.

Debian's ``/usr/bin/chromium`` (or ``LMS_CHROMIUM``) is launched through
Playwright's ``executable_path``. Without it the tests skip with a message;
with ``LMS_REQUIRE_BROWSER=1`` (CI) a missing browser is a failure.
"""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
