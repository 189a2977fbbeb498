"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Workers and threads come from the environment; each worker keeps its own
database pool (LMS_DB_POOL_SIZE connections), so PostgreSQL needs about
WORKERS x (LMS_DB_POOL_SIZE + LMS_DB_MAX_OVERFLOW) connections at most.
Rate limits are shared between workers through Redis (LMS_REDIS_URL).
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
max_requests = 5000
max_requests_jitter = 500
