"""Certificates: issued on completion, verifiable by anyone, with expiry and revocation.

The verification pages are public and rate-limited by this package's own
Flask-Limiter (``LMS_VERIFY_RATE_LIMIT`` per address; storage from
``LMS_RATELIMIT_STORAGE_URI``, else ``LMS_REDIS_URL``, else memory).
"""
from flask import Blueprint
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

bp = Blueprint("certificates", __name__)
#: The plugin's limiter (a host's own limiter, if any, is left alone).
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


@bp.record_once
def _init_limiter(setup_state) -> None:
    app = setup_state.app
    storage = app.config.get("LMS_RATELIMIT_STORAGE_URI") or app.config.get("LMS_REDIS_URL") or "memory://"
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    limiter.init_app(app)


from . import views  # noqa: E402,F401  (registers the routes)
