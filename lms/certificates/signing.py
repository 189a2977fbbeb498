"""The organisation's signing keys, kept in the instance folder: Ed25519 (EdDSA) and RSA (RS256).

Each is generated on first use into ``<instance>/lms_issuer_ed25519.pem`` or
``<instance>/lms_issuer_rsa.pem`` (mode 0600); back them up with the database, since badges
signed with a lost key can no longer be checked against the published key set.
"""
from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from flask import current_app

from ..core.open_badges import SigningKey
from ..keys import instance_key_pem

KEY_FILES = {"EdDSA": "lms_issuer_ed25519.pem", "RS256": "lms_issuer_rsa.pem"}
RSA_BITS = 2048


def key_path(algorithm: str = "EdDSA") -> Path:
    return Path(current_app.instance_path) / KEY_FILES[algorithm]


def _generate(algorithm: str) -> SigningKey:
    if algorithm == "EdDSA":
        return Ed25519PrivateKey.generate()
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def issuer_key(algorithm: str = "EdDSA") -> SigningKey:
    """The issuer's private key for ``algorithm`` (``EdDSA`` or ``RS256``), created on first use."""
    key = load_pem_private_key(instance_key_pem(KEY_FILES[algorithm], lambda: _generate(algorithm)), password=None)
    wanted = Ed25519PrivateKey if algorithm == "EdDSA" else rsa.RSAPrivateKey
    if not isinstance(key, wanted):
        raise RuntimeError(f"{key_path(algorithm)} does not hold a {algorithm} private key")
    return key
