"""Private keys kept in the instance folder (the badge issuer's, the LTI tool's): made once, never half-written."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from flask import current_app

from .core.open_badges import SigningKey


def instance_key_pem(filename: str, generate: Callable[[], SigningKey]) -> bytes:
    """The PEM of the private key in ``<instance>/<filename>``, generated with ``generate`` on first use.

    Written whole to a temporary file (mode 0600), then linked into place: a reader never sees half
    a key, and two workers racing keep the first one.
    """
    path = Path(current_app.instance_path) / filename
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_bytes()
