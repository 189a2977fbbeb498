"""The plugin mounted in a host app that has its own models and Flask-Login."""
import re

import pytest
from flask import Flask, redirect, request
from flask_login import LoginManager, UserMixin, current_user, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, create_engine, inspect, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lms import LMS, Identity

from support import SAMPLE_COURSES, csrf_from, empty_tables


def make_host(database_url: str, root_path, template_folder=None):
    class HostBase(DeclarativeBase):
        pass

    db = SQLAlchemy(model_class=HostBase)

    class Account(UserMixin, db.Model):
        __tablename__ = "host_accounts"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(String(200))
        full_name: Mapped[str] = mapped_column(String(200))

    # root_path keeps Flask from finding this repository's own templates/ folder.
    app = Flask("host_app", root_path=str(root_path), template_folder=template_folder)
    app.config.update(SECRET_KEY="host-secret", SQLALCHEMY_DATABASE_URI=database_url, TESTING=True)
    db.init_app(app)
    login = LoginManager(app)
    login.login_view = "host_login"

    @login.user_loader
    def load(user_id):
        return db.session.get(Account, int(user_id))

    @app.route("/host/login")
    def host_login():
        account = db.session.scalar(db.select(Account).where(Account.email == request.args["email"]))
        login_user(account)
        return redirect(request.args.get("next") or "/")

    lms = LMS(app, url_prefix="/learn")

    @lms.identity_loader
    def identity():
        if not current_user.is_authenticated:
            return None
        return Identity(id=f"host-{current_user.id}", name=current_user.full_name, email=current_user.email)

    with app.app_context():
        db.create_all()
        db.session.add(Account(email="olga@shop.example", full_name="Ольга Иванова"))
        db.session.commit()
    return app, db


@pytest.fixture
def host(database, tmp_path):
    empty_tables(database)
    app, db = make_host(database, tmp_path)
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def test_learner_takes_a_lesson_in_the_host_app(host):
    runner = host.test_cli_runner()
    assert runner.invoke(args=["lms", "init"]).exit_code == 0
    assert runner.invoke(args=["lms", "courses", "import", str(SAMPLE_COURSES)]).exit_code == 0
    client = host.test_client()
    anonymous = client.get("/learn/")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/host/login?next=/learn/")
    client.get("/host/login?email=olga@shop.example")
    home = client.get("/learn/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Основы сервиса" in home and "Ольга Иванова" in home
    lesson = client.get("/learn/courses/sample/01-basics/01-welcome").get_data(as_text=True)
    assert "Улыбка в голосе" in lesson
    done = client.post("/learn/courses/sample/01-basics/01-welcome/done", data={"csrf_token": csrf_from(lesson)})
    assert done.headers["Location"].endswith("/learn/courses/sample/01-basics/02-speed")
    course = client.get("/learn/courses/sample/").get_data(as_text=True)
    assert '<progress value="1" max="5"' in course
    with host.app_context():
        from lms.state import db_session

        tables = inspect(db_session().get_bind()).get_table_names()
    assert "host_accounts" in tables and "lms_alembic_version" in tables and "lms_enrollments" in tables


def test_registering_twice_fails_clearly(host):
    with pytest.raises(RuntimeError, match="already registered on this Flask app"):
        LMS(host)


def test_host_overrides_a_plugin_template_at_the_same_path(database, tmp_path):
    empty_tables(database)
    (tmp_path / "lms").mkdir()
    (tmp_path / "lms" / "base.html").write_text(
        '<html lang="{{ lms_language }}"><body><div id="host-chrome">HOST LAYOUT</div>'
        "{% block lms_content %}{% endblock %}</body></html>"
    )
    app, db = make_host(database, tmp_path, template_folder=str(tmp_path))
    try:
        client = app.test_client()
        client.get("/host/login?email=olga@shop.example")
        page = client.get("/learn/").get_data(as_text=True)
        assert "HOST LAYOUT" in page and "<h1>" in page
    finally:
        with app.app_context():
            db.drop_all()
            db.engine.dispose()


def test_plugin_without_flask_sqlalchemy_uses_its_own_engine(tmp_path):
    app = Flask("bare_host", root_path=str(tmp_path))
    url = f"sqlite:///{tmp_path / 'own.sqlite'}"
    app.config.update(SECRET_KEY="x", LMS_DATABASE_URI=url)
    lms = LMS(app)
    lms.identity_loader(lambda: Identity(id="1", name="Bare", email="bare@example.com"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["lms", "init"]).exit_code == 0
    assert runner.invoke(args=["lms", "courses", "import", str(SAMPLE_COURSES)]).exit_code == 0
    page = app.test_client().get("/training/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Service basics" in page.get_data(as_text=True)
    with create_engine(url).connect() as connection:
        assert connection.execute(text("select count(*) from lms_users")).scalar() == 1
    assert re.search(r'<html lang="en" dir="ltr">', page.get_data(as_text=True))
