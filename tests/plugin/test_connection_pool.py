"""Pooled PostgreSQL connections are tested before use only after they sat idle (lms.state.ping_when_idle).

A connection that the server closed while it waited in the pool (a restart, an idle timeout,
an administrator's pg_terminate_backend) is replaced before a request sees it; one put back a
moment ago is used without the extra round trip on every checkout.
"""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from lms.state import ping_when_idle

from support import database_url


@pytest.fixture
def postgres_url(tmp_path) -> str:
    url = database_url(tmp_path)
    if not url.startswith("postgresql"):
        pytest.skip("the idle ping guards PostgreSQL's connections; SQLite has none to lose")
    return url


def test_a_connection_the_server_closed_while_it_waited_in_the_pool_is_replaced_before_use(postgres_url):
    engine = create_engine(postgres_url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds=0.2)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            first = connection.scalar(text("SELECT pg_backend_pid()"))
        with admin.connect() as connection:
            assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        time.sleep(0.3)
        with engine.connect() as connection:  # no error: the dead connection was found and replaced
            assert connection.scalar(text("SELECT pg_backend_pid()")) != first
    finally:
        engine.dispose()
        admin.dispose()


def test_a_connection_used_a_moment_ago_is_handed_out_as_it_is(postgres_url):
    engine = create_engine(postgres_url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds=60)
    pings: list[str] = []
    ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda dbapi_connection: pings.append("ping") or ping(dbapi_connection)  # type: ignore
    try:
        for _ in range(5):
            with engine.connect() as connection:
                assert connection.scalar(text("SELECT 1")) == 1
        assert pings == []
    finally:
        engine.dispose()
