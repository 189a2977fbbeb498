"""Ralph's LRS application (``ralph.api:app``, what ``ralph runserver`` serves) with its file-system backend
appending statements to its file.

Ralph 5.1's file-system LRS backend writes with the data backend's default operation, ``create``, which
refuses a file that exists: only the first ``POST /xAPI/statements`` would ever be stored. Appending is the
same backend's own ``append`` operation; everything else (the xAPI API, its checks, authentication, the
refusal of a differing statement under a known id, the dropping of a known one) is Ralph's, unchanged.
Served by :class:`support.lrs.Ralph` as ``uvicorn ralph_fs_app:app``.
"""
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402  (after the backend is set up, as ralph.api builds it on import)

__all__ = ["app"]
