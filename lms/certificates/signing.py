"""The organisation's signing keys, kept in the instance folder: Ed25519 (EdDSA) and RSA (RS256).

Each is generated on first use into ``<instance>/lms_issuer_ed25519.pem`` or
``<instance>/lms_issuer_rsa.pem`` (mode 0600); back them up with the database, since badges
signed with a lost key can no longer be checked against the published key set.
"""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from flask import current_app

from ..core.open_badges import SigningKey

KEY_FILES = {"EdDSA": "lms_issuer_ed25519.pem", "RS256": "lms_issuer_rsa.pem"}
RSA_BITS = 2048


def key_path(algorithm: str = "EdDSA") -> Path:
    return Path(current_app.instance_path) / KEY_FILES[algorithm]


def _generate(algorithm: str) -> SigningKey:
    if algorithm == "EdDSA":
        return Ed25519PrivateKey.generate()
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def issuer_key(algorithm: str = "EdDSA") -> SigningKey:
    """The issuer's private key for ``algorithm`` (``EdDSA`` or ``RS256``), created on first use
    (two workers racing create it once)."""
    path = key_path(algorithm)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = _generate(algorithm).private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        # Written whole to a temporary file, then linked into place: a reader never
        # sees half a key and two workers racing keep the first one.
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
    key = load_pem_private_key(path.read_bytes(), password=None)
    wanted = Ed25519PrivateKey if algorithm == "EdDSA" else rsa.RSAPrivateKey
    if not isinstance(key, wanted):
        raise RuntimeError(f"{path} does not hold a {algorithm} private key")
    return key
