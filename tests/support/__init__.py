"""Helpers shared by the tests (import them with ``from support import ...``)."""
from __future__ import annotations

import os
import re
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine, make_url

from lms.models import Base

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_COURSES = ROOT / "tests" / "data" / "courses"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"')


def database_url(tmp_dir: Path) -> str:
    """SQLite in ``tmp_dir``, or ``LMS_TEST_DATABASE_URL``; under pytest-xdist each worker
    gets a PostgreSQL database of its own (``test_gw0``, ``test_gw1``...), made on first use."""
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / 'test.sqlite'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def reset_schema(url: str) -> None:
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def empty_tables(url: str) -> None:
    """Every table emptied, children first, and on PostgreSQL every id sequence back to 1.

    DELETE rather than TRUNCATE on PostgreSQL: TRUNCATE gives each of some fifty tables and
    their indexes new files, about half a second per test; the tests' tables hold a few rows."""
    engine = create_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)] + ["site_users"]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            connection.execute(text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"))
        else:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()

def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return next(group for group in match.groups() if group)


def make_editor(app, slug: str, email: str) -> None:
    """Let the account ``email`` edit the course ``slug`` in the studio (a course imported
    from the command line has no editors; a trainer edits only the courses they were given)."""
    from lms.models import Course, CourseEditor, User
    from lms.state import db_session

    with app.app_context():
        session = db_session()
        course = session.scalar(select(Course).where(Course.slug == slug))
        user = session.scalar(select(User).where(User.email == email))
        if session.get(CourseEditor, (course.id, user.id)) is None:
            session.add(CourseEditor(course_id=course.id, user_id=user.id))
            session.commit()


@contextmanager
def fresh_engine_at(tmp_dir: Path, prefix: str = "fresh") -> Iterator[Engine]:
    """An engine on an empty database: a new SQLite file in ``tmp_dir``, or on PostgreSQL an
    empty schema of its own (dropped afterwards), so the session's shared database is untouched."""
    url = make_url(database_url(tmp_dir))
    if url.get_backend_name() != "postgresql":
        engine = create_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(url.update_query_dict({"options": f"-csearch_path={schema}"}))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_available(host: str = "127.0.0.1", port: int = 6379) -> bool:
    """Whether a Redis answers PING there (the tests that need one skip without it)."""
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
