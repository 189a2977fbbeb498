"""The organisation's Ed25519 signing key, kept in the instance folder.

Generated on first use into ``<instance>/lms_issuer_ed25519.pem`` (mode 0600);
back it up with the database, since badges signed with a lost key can no longer be
checked against the published JWK.
"""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from flask import current_app

KEY_FILE = "lms_issuer_ed25519.pem"


def key_path() -> Path:
    return Path(current_app.instance_path) / KEY_FILE


def issuer_key() -> Ed25519PrivateKey:
    """The issuer's private key, created on first use (two workers racing create it once)."""
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        # Written whole to a temporary file, then linked into place: a reader never
        # sees half a key and two workers racing keep the first one.
        temporary = path.with_name(f".{KEY_FILE}.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path} does not hold an Ed25519 private key")
    return key
