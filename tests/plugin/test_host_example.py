"""The README's embedding example is examples/host_app, and it works: a shop's app with its own
accounts, its own layout (exactly the README's minimal templates/lms/base.html) and the plugin.

With that base template the plugin keeps its navigation, its flashed messages, the editor's live
preview and the right-to-left layout; a trainer adds a shop employee who never opened the LMS.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import threading

import pytest
from jinja2 import Environment, meta, nodes
from werkzeug.serving import make_server

from support import ROOT, SAMPLE_COURSES, csrf_from, empty_tables, make_editor

EXAMPLE = ROOT / "examples" / "host_app"
LESSON = "01-basics/02-speed.md"
CHROMIUM = os.environ.get("LMS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def load_example():
    """examples/host_app/app.py as a fresh module (its templates/ folder comes with it)."""
    spec = importlib.util.spec_from_file_location("host_app_example", EXAMPLE / "app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # Flask finds the app's root folder (and templates/) through it
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def shop(database, tmp_path):
    empty_tables(database)
    example = load_example()
    app = example.create_app({"TESTING": True, "SECRET_KEY": "shop-secret", "SQLALCHEMY_DATABASE_URI": database,
                              "LMS_DEFAULT_LOCALE": "en"})
    runner = app.test_cli_runner()
    for args in (["lms", "init"], ["lms", "courses", "import", str(SAMPLE_COURSES)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    yield app, example
    with app.app_context():
        example.db.session.remove()
        example.db.drop_all()
        example.db.engine.dispose()
    sys.modules.pop("host_app_example", None)


def create_account(app, email: str, name: str, role: str) -> None:
    """``flask lms users create``: the example's user store makes the shop account."""
    result = app.test_cli_runner().invoke(args=["lms", "users", "create", email, "--name", name, "--role", role],
                                          input="password123\n")
    assert result.exit_code == 0, result.output


def sign_in(app, email: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": "password123", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client




def readme_blocks(language: str) -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", readme, flags=re.S)


def test_the_readme_shows_the_example_files_as_they_are():
    assert (EXAMPLE / "app.py").read_text(encoding="utf-8") in readme_blocks("python")
    assert (EXAMPLE / "templates" / "lms" / "base.html").read_text(encoding="utf-8") in readme_blocks("html")


def test_the_minimal_base_template_is_the_documented_contract():
    """Two partials and one block: nothing a plugin page defines is lost in the host's layout."""
    source = (EXAMPLE / "templates" / "lms" / "base.html").read_text(encoding="utf-8")
    parsed = Environment().parse(source)
    includes = [node.template.value for node in parsed.find_all(nodes.Include)]
    assert includes == ["lms/_head.html", "lms/_body.html"]
    assert [block.name for block in parsed.find_all(nodes.Block)] == ["lms_content"]
    assert {"lms_language", "lms_dir", "lms_title"} <= meta.find_undeclared_variables(parsed)


def test_every_plugin_page_fills_only_the_block_a_host_layout_has():
    """A page that filled another block (``content``, ``head``...) would lose it under a host's base."""
    environment = Environment()
    pages = [path for path in (ROOT / "lms" / "templates" / "lms").rglob("*.html")
             if "{% extends" in path.read_text(encoding="utf-8")]
    assert len(pages) > 20
    for path in pages:
        parsed = environment.parse(path.read_text(encoding="utf-8"))
        extends = list(parsed.find_all(nodes.Extends))
        assert [e.template.value for e in extends] == ["lms/base.html"], path
        blocks = {block.name for block in parsed.find_all(nodes.Block)}
        assert blocks == {"lms_content"}, (path, blocks)


def test_a_trainer_works_in_the_shop_layout(shop):
    app, example = shop
    create_account(app, "olga@shop.example", "Olga Coach", "trainer")
    with app.app_context():  # a sales assistant who has never opened the LMS
        example.db.session.add(example.Account(email="anna@shop.example", name="Anna Sales", job="sales"))
        example.db.session.commit()
    client = sign_in(app, "olga@shop.example")

    home = client.get("/training/").get_data(as_text=True)
    assert "Example Shop</a></header>" in home and "<title>My training · Example Shop</title>" in home
    navigation = re.search(r'<nav class="lms-nav".*?</nav>', home, flags=re.S).group(0)
    for label, url in (("Groups", "/training/trainer/"), ("Courses", "/training/author/"),
                       ("Reviews", "/training/review/"), ("Reports", "/training/reports/")):
        assert f'href="{url}' in navigation and label in navigation, label

    # the plugin's messages show in the shop's layout; the user store finds Anna by e-mail
    token = csrf_from(home)
    created = client.post("/training/trainer/groups", data={"csrf_token": token, "name": "Arbat", "kind": "store"})
    members_url = created.headers["Location"]
    client.post(members_url, data={"csrf_token": token, "emails": "anna@shop.example", "role": "member"})
    members = client.get(members_url).get_data(as_text=True)
    assert re.search(r'<p class="flash flash-success">1 person added: anna@shop.example</p>', members)
    assert "Anna Sales" in members


def test_the_editor_previews_live_in_the_shop_layout(shop):
    app, _example = shop
    create_account(app, "olga@shop.example", "Olga Coach", "trainer")
    make_editor(app, "sample", "olga@shop.example")
    client = sign_in(app, "olga@shop.example")
    page = client.get(f"/training/author/sample/edit?path={LESSON}").get_data(as_text=True)
    head = page.split("</head>")[0]
    for asset in ("lms/lms.css", "lms/author.css", "lms/lms.js", "lms/author.js"):
        assert f"/training/static/{asset}?v=" in head, asset
    assert 'class="editor lms-wide" data-preview-url="/training/author/sample/preview?path=' in page
    preview = client.post(f"/training/author/sample/preview?path={LESSON}", data={"text": "Answer in **ten** minutes."},
                          headers={"X-CSRFToken": csrf_from(page)})
    assert preview.status_code == 200 and "<strong>ten</strong>" in preview.get_json()["html"]


def test_arabic_pages_are_right_to_left_in_the_shop_layout(shop):
    app, _example = shop
    create_account(app, "omar@shop.example", "Omar", "learner")
    client = sign_in(app, "omar@shop.example")
    token = csrf_from(client.get("/training/").get_data(as_text=True))
    client.post("/training/language", data={"csrf_token": token, "language": "ar"})
    page = client.get("/training/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "<title>تدريبي · Example Shop</title>" in page


@pytest.mark.browser
def test_the_live_preview_runs_in_a_browser_under_the_shop_layout(shop, browser):
    """The editor's script (sent by lms/_head.html, under the plugin's CSP) updates the preview as one types."""
    app, _example = shop
    create_account(app, "olga@shop.example", "Olga Coach", "trainer")
    make_editor(app, "sample", "olga@shop.example")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{base}/login")
        page.fill('input[name="email"]', "olga@shop.example")
        page.fill('input[name="password"]', "password123")
        page.click('button[type="submit"]')
        page.wait_for_url(f"{base}/training/")
        errors = []  # from the plugin's pages (a CSP violation, a script error, a missing file)
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{base}/training/author/sample/edit?path={LESSON}")
        page.fill("#text", "---\ntitle: Speed\n---\nAnswer in **ten** minutes.\n")
        page.locator(".editor-preview strong", has_text="ten").wait_for()
        assert errors == [], errors
        context.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)
