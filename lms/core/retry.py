"""How long to wait before trying a failed delivery again (xAPI statements, e-mail): one rule."""
from __future__ import annotations

import datetime as dt

BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 24 * 3600


def backoff(attempts: int, base: int = BACKOFF_BASE_SECONDS, cap: int = BACKOFF_MAX_SECONDS) -> dt.timedelta:
    """Wait 1, 2, 4, 8... minutes after each failure, at most a day."""
    return dt.timedelta(seconds=min(base * 2 ** max(0, attempts - 1), cap))
