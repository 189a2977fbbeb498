"""Open Badges 3.0, pure: the credential's required parts, the JWT proof in RS256 and EdDSA, the keys,
the revocation list and the verification steps."""
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.core import open_badges as ob

from support.ob3 import assert_valid

UTC = dt.UTC
BASE = "https://lms.example/training"
STATUS = f"{BASE}/verify/ABCD-EFGH-IJKL-MNOP/status.json"
KEYS = {"EdDSA": Ed25519PrivateKey.generate(), "RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048)}


def credential(valid_until=dt.datetime(2027, 11, 23, tzinfo=UTC)):
    return ob.credential(
        credential_id=f"{BASE}/verify/ABCD-EFGH-IJKL-MNOP", issuer_id=f"{BASE}/certificates/issuer.json",
        issuer_name="Сервис", issuer_url=f"{BASE}/", achievement_id=f"{BASE}/courses/c/", achievement_name="Курс",
        achievement_description="Описание", criteria="Пройти курс",
        subject_id="urn:uuid:6a1f1f0e-2f4c-4b8e-9d1e-2b7f3c4d5e6f", holder_email="Anna@example.com",
        serial="ABCD-EFGH-IJKL-MNOP", valid_from=dt.datetime(2026, 11, 23, 10, 30, tzinfo=UTC),
        valid_until=valid_until, name="Сертификат", status_url=STATUS,
    )


def test_the_credential_has_the_required_parts_and_passes_the_official_schema():
    badge = credential()
    assert_valid(badge)
    assert badge["@context"] == [ob.CREDENTIALS_CONTEXT, ob.OB_CONTEXT]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["validFrom"] == "2026-11-23T10:30:00Z" and badge["validUntil"] == "2027-11-23T00:00:00Z"
    subject = badge["credentialSubject"]
    assert subject["id"].startswith("urn:uuid:")
    assert subject["identifier"][0]["hashed"] is True and "anna" not in str(subject).lower()
    assert badge["credentialStatus"] == {"id": STATUS, "type": "1EdTechRevocationList"}
    assert "validUntil" not in credential(valid_until=None)
    assert_valid(credential(valid_until=None))


def fetcher(revoked=()):
    keys = {f"{BASE}/{alg}.jwk": ob.public_jwk(key.public_key(), kid=f"{BASE}/{alg}.jwk") for alg, key in KEYS.items()}
    lists = {STATUS: ob.revocation_list(STATUS, f"{BASE}/certificates/issuer.json", list(revoked))}
    return lambda url: {**keys, **lists}[url]


@pytest.mark.parametrize("alg", ["RS256", "EdDSA"])
def test_a_signed_credential_passes_every_verification_step(alg):
    token = ob.sign(credential(), KEYS[alg], kid=f"{BASE}/{alg}.jwk")
    header = json.loads(ob.unb64(token.split(".")[0]))
    assert header == {"alg": alg, "typ": "JWT", "kid": f"{BASE}/{alg}.jwk"}
    result = ob.verify(token, fetcher(), dt.datetime(2027, 1, 1, tzinfo=UTC))
    assert result.ok, result.problems
    payload = result.payload
    assert payload["sub"] == payload["credentialSubject"]["id"] and payload["jti"] == payload["id"]
    assert payload["iss"] == payload["issuer"]["id"] and payload["exp"] > payload["nbf"]


def test_verification_names_what_fails():
    token = ob.sign(credential(), KEYS["RS256"], kid=f"{BASE}/RS256.jwk")
    assert ob.verify(token, fetcher(), dt.datetime(2026, 1, 1, tzinfo=UTC)).problems == ["not valid yet"]
    assert ob.verify(token, fetcher(), dt.datetime(2028, 1, 1, tzinfo=UTC)).problems == ["expired"]
    revoked = ob.verify(token, fetcher([f"{BASE}/verify/ABCD-EFGH-IJKL-MNOP"]), dt.datetime(2027, 1, 1, tzinfo=UTC))
    assert revoked.revoked and revoked.problems == ["revoked"]
    wrong_key = ob.sign(credential(), rsa.generate_private_key(public_exponent=65537, key_size=2048),
                        kid=f"{BASE}/RS256.jwk")
    assert not ob.verify(wrong_key, fetcher(), dt.datetime(2027, 1, 1, tzinfo=UTC)).ok
    head, body, signature = token.split(".")
    payload = json.loads(ob.unb64(body))
    payload["sub"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    tampered = f"{head}.{ob.b64(json.dumps(payload).encode())}.{signature}"
    assert not ob.verify(tampered, fetcher(), dt.datetime(2027, 1, 1, tzinfo=UTC)).ok


def test_an_eddsa_header_cannot_be_checked_with_an_rsa_key():
    token = ob.sign(credential(), KEYS["EdDSA"], kid="x")
    with pytest.raises(ValueError):
        ob.verify_jws(token, ob.public_jwk(KEYS["RS256"].public_key()))
    jwk = ob.public_jwk(KEYS["RS256"].public_key())
    assert jwk["kty"] == "RSA" and jwk["alg"] == "RS256" and "d" not in jwk and len(jwk["kid"]) == 43
