"""Certificates: issued on completion, verifiable by anyone, with expiry and revocation.

The verification pages are public and rate-limited by the plugin's own limiter
(``LMS_VERIFY_RATE_LIMIT`` per address; storage from ``LMS_RATELIMIT_STORAGE_URI``,
else ``LMS_REDIS_URL``, else memory; see :func:`lms.web.rate_limited`), which leaves
the host's ``RATELIMIT_*`` settings alone.
"""
from .views import bp

__all__ = ["bp"]
