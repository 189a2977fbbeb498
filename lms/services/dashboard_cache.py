"""The trainer's group dashboard, kept until the group's data changes.

What the dashboard shows of a group in a course depends on the group (its members, its
assignments) and on each member (their name, enrollment, progress, quiz attempts, role-play
runs, certificates, refresher answers). Each of these has a **stamp**, a random token in a
shared store that is replaced whenever a transaction that changed it commits:

- ``g:<group id>``: a member joined or left, an assignment of the group changed;
- ``u:<user id>``: anything of that person the dashboard reads changed;
- ``all``: a bulk statement (``session.execute(insert(...))``, raw SQL) wrote a table the
  dashboard reads, so nobody knows whose data changed.

A stamp is a new random token each time (not a counter), so a store that lost its data (a
Redis restart) shows changed or missing stamps, never old values coming back.

A cached dashboard remembers the stamps it was built under (read *before* its rows, which the
view reads in a session of its own so that no snapshot older than the stamps is used) and is
used only while all of them are unchanged, the day is the same and no member's certificate
has expired since (:class:`Entry`). A dashboard one worker built, and the parts of the page it
rendered from it (:func:`fragment`), are also kept in the store under the digest of the key and
the stamps, signed with the app's secret key, so the other workers and hosts use them too. The writers' side needs no code in the write paths:
SQLAlchemy session events (:func:`_after_flush`, :func:`_after_commit`) see every object a
transaction changed, collect whose stamps to replace, and replace them after the commit,
so a reader that saw the new stamp also sees the new rows.

The store is Redis (``LMS_REDIS_URL``), shared by every worker and host. Without Redis the
cache is off, as several workers could not see each other's changes; ``LMS_DASHBOARD_CACHE``
= ``memory`` keeps the stamps in the process (one process only: a test, ``flask run``),
``off`` turns the cache off, ``redis`` (the default when ``LMS_REDIS_URL`` is set) uses Redis.
Writes that bypass the session (SQL sent on a connection of its own) must call
:func:`changed_everything`. If the store cannot be reached, pages are built fresh and nothing
is cached; a stamp that could not be replaced after a commit is logged, and cached entries
live at most :data:`MAX_AGE` anyway.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import logging
import pickle  # nosec B403 # only what this app signed (see DashboardCache.shared_load)
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from flask import Flask, current_app, has_app_context
from markupsafe import Markup
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import TextClause

from ..models import (
    ActivityProgress,
    Assignment,
    Certificate,
    Enrollment,
    GroupMember,
    QuizAttempt,
    ScenarioRun,
    User,
)
from ..practice.models import PracticeAnswer

log = logging.getLogger(__name__)

#: a cached dashboard is rebuilt after this many seconds whatever the stamps say (a safety net
#: for a stamp that could not be replaced after a commit)
MAX_AGE = 600
#: learner rows kept per process, all cached dashboards together (a 5,000-learner row set takes ~3 MB)
MAX_ROWS = 40_000
#: dashboards kept per process (each also keeps a few rendered tables: ``lms.trainer.views.FRAGMENTS_KEPT``)
MAX_ENTRIES = 32
#: rendered parts kept with a cached dashboard (a table of one sort, filter and page each; the charts)
FRAGMENTS_KEPT = 6
#: how long a stamp lives in Redis without being replaced (a missing stamp is a changed stamp)
STAMP_SECONDS = 30 * 24 * 3600

#: the model attributes whose change shows on a dashboard (None: any change, or a new or deleted row)
WATCHED: dict[type, frozenset[str] | None] = {
    GroupMember: None,
    Assignment: None,
    Certificate: None,
    PracticeAnswer: None,
    User: frozenset({"name", "email"}),
    Enrollment: frozenset({"user_id", "course_id", "completed_at"}),
    ActivityProgress: frozenset({"enrollment_id", "activity_key", "status", "passed"}),
    QuizAttempt: frozenset({"enrollment_id", "user_id", "activity_key", "status", "percent", "passed",
                            "started_at"}),
    ScenarioRun: frozenset({"enrollment_id", "user_id", "activity_key", "number", "finished_at", "competencies",
                            "passed", "points"}),
}
WATCHED_TABLES = frozenset(model.__table__.name for model in WATCHED)  # type: ignore[attr-defined]


# -- the stamps ----------------------------------------------------------------------

class MemoryStamps:
    """Stamps in this process (``LMS_DASHBOARD_CACHE=memory``)."""

    def __init__(self) -> None:
        self._stamps: dict[str, str] = {}
        self._lock = threading.Lock()

    def read(self, keys: list[str]) -> list[str | None]:
        with self._lock:
            return [self._stamps.get(key) for key in keys]

    def replace(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._stamps[key] = secrets.token_hex(8)

    def load(self, name: str) -> bytes | None:
        return None  # one process: its own entries are all there is

    def save(self, name: str, blob: bytes, seconds: int) -> None:
        return None


class RedisStamps:
    """Stamps in Redis, shared by every worker and host."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = prefix

    def read(self, keys: list[str]) -> list[str | None]:
        names = [self._prefix + key for key in keys]
        values = self._redis.mget(names)
        return [None if v is None else v.decode() if isinstance(v, bytes) else str(v) for v in values]

    def replace(self, keys: Iterable[str]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.set(self._prefix + key, secrets.token_hex(8), ex=STAMP_SECONDS)
        pipe.execute()

    def load(self, name: str) -> bytes | None:
        value = self._redis.get(self._prefix + name)
        return value if isinstance(value, bytes) else None

    def save(self, name: str, blob: bytes, seconds: int) -> None:
        self._redis.set(self._prefix + name, blob, ex=max(1, seconds))


Stamps = MemoryStamps | RedisStamps


# -- the cached dashboards -------------------------------------------------------------

@dataclass
class Entry:
    """A group's dashboard in one course version, UI language and day, and what it was built under."""

    value: Any
    members: tuple[int, ...]
    stamps: tuple[str | None, ...]
    #: the earliest moment a member's certificate of the course expires (the status changes then)
    valid_until: dt.datetime | None
    built: float = field(default_factory=time.monotonic)
    #: names the entry in the shared store: the key and the stamps it was built under
    digest: str = ""
    #: what the view derives from ``value`` for itself (sorted rows, the best scores of rows shown)
    extras: dict[Any, Any] = field(default_factory=dict)


class DashboardCache:
    """One app's cached dashboards in this process, least recently used dropped first."""

    def __init__(self, stamps: Stamps, secret: bytes = b"") -> None:
        self.stamps = stamps
        self._secret = secret
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._rows = 0
        self._lock = threading.Lock()

    @staticmethod
    def keys(group_id: int, members: Collection[int]) -> list[str]:
        return ["all", f"g:{group_id}", *(f"u:{uid}" for uid in members)]

    def read_stamps(self, group_id: int, members: Collection[int]) -> tuple[str | None, ...] | None:
        try:
            return tuple(self.stamps.read(self.keys(group_id, members)))
        except Exception:  # the store is down: build the page without the cache
            log.warning("dashboard cache: cannot read the stamps", exc_info=True)
            return None

    def get(self, key: tuple, group_id: int, now: dt.datetime) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry.built > MAX_AGE or (entry.valid_until is not None and now >= entry.valid_until):
            self._drop(key)
            return None
        stamps = self.read_stamps(group_id, entry.members)
        if stamps is None or stamps != entry.stamps:
            self._drop(key)
            return None
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple, entry: Entry) -> None:
        size = max(1, len(entry.members))
        if size > MAX_ROWS:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._rows -= max(1, len(old.members))
            self._entries[key] = entry
            self._rows += size
            while (self._rows > MAX_ROWS or len(self._entries) > MAX_ENTRIES) and self._entries:
                _key, dropped = self._entries.popitem(last=False)
                self._rows -= max(1, len(dropped.members))

    # built entries and rendered fragments are shared by the workers, signed with the app's secret
    # key (what a worker unpickles was pickled by one of them), under the digest of their stamps

    def shared_load(self, name: str) -> Any:
        try:
            blob = self.stamps.load(name)
        except Exception:
            log.warning("dashboard cache: cannot read %s", name, exc_info=True)
            return None
        if blob is None or len(blob) < 32:
            return None
        signature, payload = blob[:32], blob[32:]
        if not hmac.compare_digest(signature, hmac.new(self._secret, payload, hashlib.sha256).digest()):
            log.warning("dashboard cache: %s is not signed with this app's secret key", name)
            return None
        try:
            return pickle.loads(payload)  # nosec B301 # signed by this app (see above)
        except Exception:  # pickled by other code (the digest names the code; a hash is not a proof)
            log.warning("dashboard cache: cannot read %s", name, exc_info=True)
            return None

    def shared_save(self, name: str, value: Any, seconds: float) -> None:
        if seconds < 1:
            return
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.stamps.save(name, hmac.new(self._secret, payload, hashlib.sha256).digest() + payload, int(seconds))
        except Exception:
            log.warning("dashboard cache: cannot save %s", name, exc_info=True)

    def _drop(self, key: tuple) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._rows -= max(1, len(old.members))


#: by the app's plugin state (``app.extensions["lms"]``)
_caches: WeakKeyDictionary[Any, DashboardCache | None] = WeakKeyDictionary()


def cache_for(app: Flask) -> DashboardCache | None:
    """The app's dashboard cache, or None when it is off (see the module's settings)."""
    owner = app.extensions.get("lms")
    if owner is None:  # an app without the plugin (a host's own session committed plugin rows)
        return None
    try:
        return _caches[owner]
    except KeyError:
        pass
    mode = (app.config.get("LMS_DASHBOARD_CACHE") or "").strip().lower()
    redis_url = app.config.get("LMS_REDIS_URL")
    if not mode:
        mode = "redis" if redis_url else "off"
    cache: DashboardCache | None = None
    # a key of its own, derived from the app's secret key: a signature here is worth nothing elsewhere
    secret = hmac.new(str(app.secret_key or "").encode(), b"lms dashboard cache", hashlib.sha256).digest()
    if mode == "memory":
        cache = DashboardCache(MemoryStamps(), secret)
    elif mode == "redis":
        if not redis_url:
            raise RuntimeError("LMS_DASHBOARD_CACHE=redis needs LMS_REDIS_URL")
        prefix = (app.config.get("LMS_RATELIMIT_KEY_PREFIX") or "lms") + ":dashboard:"
        cache = DashboardCache(RedisStamps(redis_url, prefix), secret)
    elif mode != "off":
        raise RuntimeError(f"LMS_DASHBOARD_CACHE is {mode!r}: use redis, memory or off")
    _caches[owner] = cache
    return cache


def cached(group_id: int, key: tuple, now: dt.datetime, members: Callable[[], list[int]],
           build: Callable[[], tuple[Any, list[int], dt.datetime | None]]) -> Entry:
    """The dashboard under ``key`` (which names the group, the course version, the UI language
    and the day) from this worker's cache, else from the one the workers share, else built by
    ``build`` and kept in both.

    ``members`` reads the group's member ids; ``build`` returns the value (picklable), the member
    ids it was built for, and when it stops being valid. The stamps are read before ``build``
    reads any row, so a change committed while it runs replaces a stamp it did not see.
    """
    cache = cache_for(current_app)
    if cache is None:
        value, built_for, valid_until = build()
        return Entry(value, tuple(built_for), (), valid_until)
    found = cache.get(key, group_id, now)
    if found is not None:
        return found
    ids = tuple(sorted(members()))
    stamps = cache.read_stamps(group_id, ids)
    if stamps is None:  # the store is down
        value, built_for, valid_until = build()
        return Entry(value, tuple(built_for), (), valid_until)
    digest = hashlib.sha256(repr((_code_stamp(), key, ids, stamps)).encode()).hexdigest()
    shared = cache.shared_load("entry:" + digest)
    if shared is not None:
        value, valid_until = shared
        if valid_until is None or now < valid_until:
            entry = Entry(value, ids, stamps, valid_until, digest=digest)
            cache.put(key, entry)
            return entry
    value, built_for, valid_until = build()
    entry = Entry(value, ids, stamps, valid_until, digest=digest)
    # members who joined or left between the two reads: the group's stamp changed, or will
    if tuple(sorted(built_for)) == ids:
        cache.put(key, entry)
        cache.shared_save("entry:" + digest, (value, valid_until), _seconds_left(entry, now))
    return entry


@functools.cache
def _code_stamp() -> str:
    """The plugin's code and templates as a digest: what one version of them pickled or rendered
    is never used by another (several hosts in a rolling deployment share the store)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.html")]):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def fragment(entry: Entry, name: tuple, render: Callable[[], str]) -> Markup:
    """A part of the page rendered from ``entry`` (a table of one sort and page, the charts):
    kept with the entry, shared by the workers while the entry's stamps hold."""
    fragments: dict[tuple, Markup] = entry.extras.setdefault("fragments", {})
    found = fragments.get(name)
    if found is not None:
        return found
    cache = cache_for(current_app) if entry.digest else None
    shared_name = f"fragment:{entry.digest}:{name!r}"
    html = cache.shared_load(shared_name) if cache is not None else None
    if not isinstance(html, str):
        html = render()
        if cache is not None:
            cache.shared_save(shared_name, str(html), _seconds_left(entry, dt.datetime.now(dt.UTC)))
    markup = Markup(html)  # nosec B704 # rendered by a template with autoescape, by this app
    for old in list(fragments)[:max(0, len(fragments) - FRAGMENTS_KEPT + 1)]:
        fragments.pop(old, None)  # another thread may have dropped it
    fragments[name] = markup
    return markup


def _seconds_left(entry: Entry, now: dt.datetime) -> float:
    seconds = MAX_AGE - (time.monotonic() - entry.built)
    if entry.valid_until is not None:
        seconds = min(seconds, (entry.valid_until - now).total_seconds())
    return seconds


# -- the writers' side: which stamps a transaction replaces ---------------------------------

_INFO = "lms_dashboard_changes"


def _changes(session: Session) -> dict[str, set]:
    return session.info.setdefault(_INFO, {"users": set(), "groups": set(), "enrollments": set(), "all": set()})


def _matters(obj: Any, attributes: frozenset[str] | None) -> bool:
    if attributes is None:
        return True
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attributes)


def _note(changes: dict[str, set], obj: Any) -> None:
    if isinstance(obj, GroupMember):
        changes["groups"].add(obj.group_id)
        changes["users"].add(obj.user_id)
    elif isinstance(obj, Assignment):
        if obj.group_id is not None:
            changes["groups"].add(obj.group_id)
        if obj.user_id is not None:
            changes["users"].add(obj.user_id)
    elif isinstance(obj, User):
        changes["users"].add(obj.id)
    elif isinstance(obj, ActivityProgress):
        changes["enrollments"].add(obj.enrollment_id)
    else:  # every other watched model has the person's id
        changes["users"].add(obj.user_id)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    changes = None
    for objects, check in ((session.new, False), (session.deleted, False), (session.dirty, True)):
        for obj in objects:
            attributes = WATCHED.get(type(obj), ())
            if attributes == ():
                continue
            if check and not _matters(obj, attributes):  # type: ignore[arg-type]
                continue
            changes = changes if changes is not None else _changes(session)
            _note(changes, obj)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    # ids the new rows got only now, and the person behind each progress row
    changes = session.info.get(_INFO)
    if not changes:
        return
    for obj in list(session.new) + list(session.deleted):
        if type(obj) in WATCHED:
            _note(changes, obj)
    changes["users"].discard(None)
    changes["groups"].discard(None)
    changes["enrollments"].discard(None)
    _enrollment_users(session, changes)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(statement, "table", None)
        if getattr(table, "name", None) in WATCHED_TABLES:
            _changes(state.session)["all"].add(True)
    elif isinstance(statement, TextClause):
        sql = statement.text.lstrip().lower()
        if sql.startswith(("insert", "update", "delete")) and any(name in sql for name in WATCHED_TABLES):
            _changes(state.session)["all"].add(True)


def _enrollment_users(session: Session, changes: dict[str, set]) -> None:
    """The person behind each progress row, from the enrollments the session holds (the write
    path has loaded its enrollment); one it does not hold replaces "all" rather than read it here."""
    from sqlalchemy.orm.util import identity_key

    for enrollment_id in changes["enrollments"]:
        found = session.identity_map.get(identity_key(Enrollment, enrollment_id))
        user_id = inspect(found).dict.get("user_id") if found is not None else None
        if user_id is not None:
            changes["users"].add(user_id)
        else:
            changes["all"].add(True)
    changes["enrollments"].clear()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    changes = session.info.pop(_INFO, None)
    if not changes or not has_app_context():
        return
    keys = ["all"] if changes["all"] else []
    keys += [f"g:{gid}" for gid in changes["groups"]] + [f"u:{uid}" for uid in changes["users"]]
    if keys:
        replace(keys)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_INFO, None)


def replace(keys: Iterable[str]) -> None:
    """Replace stamps (``g:<id>``, ``u:<id>``, ``all``) of the current app's cache, if it has one."""
    cache = cache_for(current_app)
    if cache is None:
        return
    try:
        cache.stamps.replace(keys)
    except Exception:
        log.error("dashboard cache: cannot replace the stamps %s; cached dashboards may lag by up to %s s",
                  list(keys)[:10], MAX_AGE, exc_info=True)


def changed_everything() -> None:
    """For writes that bypass the session: every cached dashboard is rebuilt."""
    replace(["all"])
