"""The anchor of ``bench/load.py``: the plainest useful Flask page.

One row read by primary key through Flask-SQLAlchemy (a learner of ``lms_users``, in the
database the LMS uses) and a Jinja template of about 12 KB rendered with a loop: what a
page of any database-backed Flask app costs, served exactly like the LMS
(``gunicorn -c gunicorn.conf.py bench.anchor:app``, ``DATABASE_URL`` as the site reads it).
The LMS's pages read as a share of it as well as of hello world. Flask-SQLAlchemy's
defaults (a pool of 5, no pre-ping), no sessions, no CSRF, no translations.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask, abort, render_template
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import sqlcount  # noqa: E402


def _url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Person(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "lms_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))


sqlcount.install()
app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
app.config["SQLALCHEMY_DATABASE_URI"] = _url(os.environ.get("DATABASE_URL", "sqlite:////tmp/lms-bench/bench.sqlite"))
db.init_app(app)

SECTIONS = [("Reading", "Lessons read this week"), ("Quizzes", "Attempts and best scores"),
            ("Role-plays", "Conversations practised"), ("Tasks", "Hand-ins waiting for review"),
            ("Certificates", "Issued and due for renewal"), ("Practice", "Questions coming back")]


@app.get("/")
def hello() -> str:  # the readiness probe of bench/load.py
    return "ok"


@app.get("/people/<int:person_id>")
def person(person_id: int) -> str:
    found = db.session.get(Person, person_id)
    if found is None:
        abort(404)
    return render_template("anchor.html", person=found, sections=SECTIONS, rows=range(48))
