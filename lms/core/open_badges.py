"""Open Badges 3.0 (pure): the credential, its JWT proof (RS256 or EdDSA), the published keys, the
revocation list, and the specification's verification steps.

What a verifier holding only ``badge.jwt`` can do, following 1EdTech's "Verify a credential":
read the header's ``kid`` (the URL of the signing key as a JWK), check the signature, check the
registered claims against the credential (``iss`` = ``issuer.id``, ``jti`` = ``id``, ``sub`` =
``credentialSubject.id``, ``nbf``/``exp`` = ``validFrom``/``validUntil``), the dates, and the
status at ``credentialStatus.id`` (the 1EdTech Revocation List method). :func:`verify` does exactly
that, with the fetching handed in, so tests (and anyone) can run the steps without a network.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey, RSAPublicNumbers
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CREDENTIALS_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: the JSON schema of an AchievementCredential, named in every credential (``credentialSchema``)
SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"
#: the status method Open Badges 3.0 defines: a list of revoked credentials at a public URL
STATUS_TYPE = "1EdTechRevocationList"
ALGORITHMS = ("RS256", "EdDSA")

SigningKey = Ed25519PrivateKey | RSAPrivateKey


# -- the credential ----------------------------------------------------------------
def credential(
    *, credential_id: str, issuer_id: str, issuer_name: str, issuer_url: str | None,
    achievement_id: str, achievement_name: str, achievement_description: str, criteria: str,
    subject_id: str, holder_email: str, serial: str, valid_from: dt.datetime, valid_until: dt.datetime | None,
    name: str, status_url: str,
) -> dict[str, Any]:
    """An ``OpenBadgeCredential`` (Open Badges 3.0 over the VC Data Model 2.0) as JSON-LD.

    The earner is ``subject_id`` (a ``urn:uuid:`` kept per person: stable, naming nobody), also
    the JWT's ``sub``; the identifier adds a salted SHA-256 of their e-mail (the salt is the
    serial), which proves the address to whoever knows it and shows it to nobody else.
    """
    identity_hash = "sha256$" + hashlib.sha256((holder_email.strip().lower() + serial).encode()).hexdigest()
    issuer: dict[str, Any] = {"id": issuer_id, "type": ["Profile"], "name": issuer_name}
    if issuer_url:
        issuer["url"] = issuer_url
    badge: dict[str, Any] = {
        "@context": [CREDENTIALS_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": issuer,
        "validFrom": iso(valid_from),
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject", "identityHash": identity_hash, "identityType": "emailAddress",
                "hashed": True, "salt": serial,
            }],
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "name": achievement_name,
                "description": achievement_description,
                "criteria": {"narrative": criteria},
            },
        },
        "credentialSchema": [{"id": SCHEMA_URL, "type": SCHEMA_TYPE}],
        "credentialStatus": {"id": status_url, "type": STATUS_TYPE},
    }
    if valid_until is not None:
        badge["validUntil"] = iso(valid_until)
    return badge


def revocation_list(list_url: str, issuer_id: str, revoked: list[str]) -> dict[str, Any]:
    """The 1EdTech Revocation List at ``list_url``: the ids of the revoked credentials it covers."""
    return {"id": list_url, "issuer": issuer_id,
            "revokedCredentials": [{"id": credential_id, "revoked": True} for credential_id in revoked]}


def profile(issuer_id: str, name: str, url: str) -> dict[str, Any]:
    return {"@context": [CREDENTIALS_CONTEXT, OB_CONTEXT], "id": issuer_id, "type": ["Profile"], "name": name,
            "url": url}


def iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _from_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- keys ------------------------------------------------------------------------
def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int_b64(number: int) -> str:
    return b64(number.to_bytes((number.bit_length() + 7) // 8, "big"))


def _thumbprint(members: dict[str, str]) -> str:
    """RFC 7638: the SHA-256 of the key's required members, sorted, without spaces."""
    return b64(hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest())


def public_jwk(public_key: Ed25519PublicKey | RSAPublicKey, kid: str | None = None) -> dict[str, str]:
    """The public key as a JWK (RFC 8037 for Ed25519, RFC 7518 for RSA); ``kid`` defaults to its thumbprint."""
    if isinstance(public_key, Ed25519PublicKey):
        members = {"crv": "Ed25519", "kty": "OKP", "x": b64(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))}
        alg = "EdDSA"
    else:
        numbers = public_key.public_numbers()
        members = {"e": _int_b64(numbers.e), "kty": "RSA", "n": _int_b64(numbers.n)}
        alg = "RS256"
    return {**members, "kid": kid or _thumbprint(members), "alg": alg, "use": "sig"}


def algorithm_of(key: SigningKey) -> str:
    return "EdDSA" if isinstance(key, Ed25519PrivateKey) else "RS256"


# -- the JWT proof -------------------------------------------------------------------
def sign(badge: dict[str, Any], key: SigningKey, kid: str) -> str:
    """The credential as a JWT (compact JWS), signed with ``key`` (RS256 or EdDSA).

    The payload is the credential plus the registered claims Open Badges 3.0 maps to it:
    ``iss`` (issuer.id), ``jti`` (id), ``sub`` (credentialSubject.id), ``nbf`` (validFrom),
    ``exp`` (validUntil). ``kid`` is the URL where the public key is published as a JWK.
    """
    alg = algorithm_of(key)
    header = {"alg": alg, "typ": "JWT", "kid": kid}
    payload = dict(badge)
    payload["iss"] = badge["issuer"]["id"]
    payload["jti"] = badge["id"]
    payload["sub"] = badge["credentialSubject"]["id"]
    payload["nbf"] = int(_from_iso(badge["validFrom"]).timestamp())
    if "validUntil" in badge:
        payload["exp"] = int(_from_iso(badge["validUntil"]).timestamp())
    signing_input = (b64(json.dumps(header, separators=(",", ":")).encode()) + "."
                     + b64(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()))
    data = signing_input.encode()
    if isinstance(key, Ed25519PrivateKey):
        signature = key.sign(data)
    else:
        signature = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64(signature)


def verify_jws(token: str, jwk: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a compact JWS against a JWK (Ed25519 or RSA); return (header, payload) or raise ValueError."""
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(unb64(header_b64))
        data, signature = f"{header_b64}.{payload_b64}".encode(), unb64(signature_b64)
        if header.get("alg") == "EdDSA" and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            Ed25519PublicKey.from_public_bytes(unb64(jwk["x"])).verify(signature, data)
        elif header.get("alg") == "RS256" and jwk.get("kty") == "RSA":
            numbers = RSAPublicNumbers(int.from_bytes(unb64(jwk["e"]), "big"), int.from_bytes(unb64(jwk["n"]), "big"))
            numbers.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise ValueError("the algorithm does not match the key")
        return header, json.loads(unb64(payload_b64))
    except (ValueError, KeyError, TypeError, InvalidSignature) as exc:
        raise ValueError("the signature does not verify with this key") from exc


# -- verification ----------------------------------------------------------------------
@dataclass
class Verification:
    """The outcome of the verification steps: ``ok`` when every step passed; ``problems`` name the others."""

    payload: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    revoked: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(token: str, fetch: Callable[[str], Any], now: dt.datetime) -> Verification:
    """Open Badges 3.0's verification of a JWT credential, with ``fetch(url)`` giving the parsed
    JSON at a URL (the key named by ``kid``, the revocation list)."""
    result = Verification()
    try:
        header = json.loads(unb64(token.split(".")[0]))
        jwk = fetch(header["kid"])
        header, payload = verify_jws(token, jwk)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        result.problems.append(f"signature: {exc}")
        return result
    result.payload = payload
    subject = payload.get("credentialSubject") or {}
    checks = {
        "iss": (payload.get("issuer") or {}).get("id"),
        "jti": payload.get("id"),
        "sub": subject.get("id"),
    }
    for claim, expected in checks.items():
        if not payload.get(claim) or payload.get(claim) != expected:
            result.problems.append(f"claim {claim} does not match the credential")
    try:
        valid_from = _from_iso(payload["validFrom"])
        if payload.get("nbf") != int(valid_from.timestamp()):
            result.problems.append("claim nbf does not match validFrom")
        if valid_from > now:
            result.problems.append("not valid yet")
        if "validUntil" in payload:
            valid_until = _from_iso(payload["validUntil"])
            if payload.get("exp") != int(valid_until.timestamp()):
                result.problems.append("claim exp does not match validUntil")
            if valid_until <= now:
                result.problems.append("expired")
    except (KeyError, ValueError):
        result.problems.append("validFrom is missing or not a date")
    status = payload.get("credentialStatus")
    if isinstance(status, dict) and status.get("type") == STATUS_TYPE:
        try:
            listing = fetch(status["id"])
            revoked = {entry.get("id") for entry in listing.get("revokedCredentials", []) if entry.get("revoked")}
        except (KeyError, ValueError, TypeError, AttributeError):
            result.problems.append("the status list cannot be read")
        else:
            if payload.get("id") in revoked:
                result.revoked = True
                result.problems.append("revoked")
    return result
