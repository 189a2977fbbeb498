"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Workers and threads come from the environment; each worker keeps its own
database pool (LMS_DB_POOL_SIZE connections), so PostgreSQL needs about
WORKERS x (LMS_DB_POOL_SIZE + LMS_DB_MAX_OVERFLOW) connections at most.
Rate limits are shared between workers through Redis (LMS_REDIS_URL).

The app is imported and built once, in the master, before the workers are forked
(``preload_app``): a worker recycled after ``max_requests`` starts in milliseconds instead
of importing everything again (1.5-2 s of CPU, the quiz-save p99 spikes of issue 21).
Connections must not cross a fork, so each new worker drops the database pools it
inherited (``post_fork``) and opens its own; redis-py's pools notice the fork by themselves.
The templates are compiled in the master too (``when_ready``), once for every worker.
With the app preloaded, ``kill -HUP`` re-forks the workers from the master's copy of the
code: restart gunicorn to deploy new code. ``PRELOAD_APP=0`` turns preloading off;
``MAX_REQUESTS`` (5000) sets how many requests a worker serves before it is replaced.
"""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WORKERS", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("THREADS", 2))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG", "-") or None
max_requests = int(os.environ.get("MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10
preload_app = os.environ.get("PRELOAD_APP", "1").strip().lower() not in ("0", "false", "no", "off")


def when_ready(server):
    """With the app preloaded: compile its templates once, in the master, before the workers
    are forked, so that a new worker does not spend its first requests compiling them (about
    a second of CPU for the site's ~100 templates). Without preloading there is nothing here
    to share."""
    app = getattr(server.app, "callable", None)
    environment = getattr(app, "jinja_env", None)
    if environment is None:
        return
    for name in environment.list_templates(extensions=("html", "txt", "xml", "svg")):
        try:
            environment.get_template(name)
        except Exception as exc:  # noqa: BLE001 - a template that cannot compile fails where it is used
            server.log.warning("template %s does not compile: %s", name, exc)


def post_fork(server, worker):
    """In a new worker: forget the database connections the master's app may hold.

    A pooled connection copied across fork is one socket in two processes; whichever
    uses or closes it first breaks it for the other. ``dispose(close=False)`` drops the
    pool's connections without closing the master's sockets (SQLAlchemy's advice for
    forked processes); the worker then connects on first use. The engines: the site's
    Flask-SQLAlchemy ones and the plugin's (``app.extensions["lms"].engine``: the host's
    engine, or the plugin's own when the host has no Flask-SQLAlchemy).
    """
    app = getattr(worker.app, "callable", None)  # the app the master loaded; None without preloading
    extensions = getattr(app, "extensions", None)
    if not extensions:
        return
    engines = {}
    with app.app_context():
        sqlalchemy = extensions.get("sqlalchemy")
        if sqlalchemy is not None:
            engines.update((id(engine), engine) for engine in sqlalchemy.engines.values())
        lms = extensions.get("lms")
        if lms is not None:
            engines[id(lms.engine)] = lms.engine
    for engine in engines.values():
        engine.dispose(close=False)
