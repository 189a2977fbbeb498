"""Open Badges 3.0 as a third-party verifier sees them: every credential the tests issue passes the
official JSON schema, and 1EdTech's verification steps (signature from the published key, ``sub`` =
``credentialSubject.id``, dates, status) pass, until HR revokes it: then the credential alone says so."""
from __future__ import annotations

import datetime as dt
import io
import json
import os

from pypdf import PdfReader
from sqlalchemy import select

from lms.core import open_badges
from lms.models import Certificate, User
from lms.state import db_session

from support.certificates import CERT_COURSES, complete
from support.ob3 import assert_valid, schema_errors, verify

PUBLIC = "https://lms.example.com"


def earn(app, auth, client, runner, email="learner@example.com", name="Мария Кузнецова"):
    app.config["LMS_PUBLIC_URL"] = PUBLIC
    result = runner.invoke(args=["lms", "courses", "import", str(CERT_COURSES)])
    assert result.exit_code == 0, result.output
    auth.create(email, name)
    auth.login(email)
    complete(client)
    with app.app_context():
        return db_session().scalar(select(Certificate).where(Certificate.holder_name == name))


def revoke(app, auth, client, certificate):
    auth.logout()
    auth.as_role("hr", email="hr@example.com", name="HR")
    with app.app_context():
        learner_id = db_session().scalar(select(User.id).where(User.id == certificate.user_id))
    token = auth.csrf(f"/training/certificates/people/{learner_id}")
    response = client.post(f"/training/certificates/{certificate.serial}/revoke",
                           data={"csrf_token": token, "reason": "Сдал за другого сотрудника"})
    assert response.status_code == 302


def test_a_credential_passes_the_schema_and_every_verification_step_in_both_algorithms(app, client, auth, runner):
    certificate = earn(app, auth, client, runner)
    badge = client.get(f"/training/certificates/{certificate.serial}/badge.json").get_json(force=True)
    assert_valid(badge)
    subject = badge["credentialSubject"]
    assert subject["id"].startswith("urn:uuid:") and "learner" not in subject["id"]
    assert badge["credentialSchema"] == [{"id": open_badges.SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}]
    assert badge["credentialStatus"] == {"id": f"{PUBLIC}/training/verify/{certificate.serial}/status.json",
                                         "type": "1EdTechRevocationList"}
    verifier = app.test_client()  # signed out, as anyone who was handed the badge
    for query, alg, key in (("", "RS256", "issuer-rsa.jwk"), ("?alg=EdDSA", "EdDSA", "issuer.jwk")):
        token = client.get(f"/training/certificates/{certificate.serial}/badge.jwt{query}").get_data(as_text=True)
        header = json.loads(open_badges.unb64(token.split(".")[0]))
        assert header == {"alg": alg, "typ": "JWT", "kid": f"{PUBLIC}/training/certificates/{key}"}
        result = verify(token, verifier)
        assert result.ok, result.problems
        assert result.payload["sub"] == subject["id"] and result.payload["jti"] == badge["id"]
        assert result.payload["iss"] == badge["issuer"]["id"]
    # the same person keeps one subject id across credentials and downloads
    again = client.get(f"/training/certificates/{certificate.serial}/badge.json").get_json(force=True)
    assert again["credentialSubject"]["id"] == subject["id"]
    keys = verifier.get("/training/certificates/jwks.json").get_json(force=True)["keys"]
    assert {k["alg"] for k in keys} == {"RS256", "EdDSA"} and not any("d" in k or "p" in k for k in keys)
    for name in ("lms_issuer_ed25519.pem", "lms_issuer_rsa.pem"):
        assert oct(os.stat(os.path.join(app.instance_path, name)).st_mode & 0o777) == "0o600"


def test_verification_fails_on_a_forged_or_expired_credential(app, client, auth, runner):
    certificate = earn(app, auth, client, runner)
    token = client.get(f"/training/certificates/{certificate.serial}/badge.jwt").get_data(as_text=True)
    verifier = app.test_client()
    head, body, signature = token.split(".")
    payload = json.loads(open_badges.unb64(body))
    payload["credentialSubject"]["achievement"]["name"] = "Другой курс"
    forged = f"{head}.{open_badges.b64(json.dumps(payload).encode())}.{signature}"
    assert not verify(forged, verifier).ok
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3 * 366)  # the course's certificate lasts 12 months
    assert "expired" in verify(token, verifier, now=later).problems


def test_a_revoked_credential_is_recognised_from_the_credential_alone(app, client, auth, runner):
    certificate = earn(app, auth, client, runner)
    token = client.get(f"/training/certificates/{certificate.serial}/badge.jwt").get_data(as_text=True)
    verifier = app.test_client()
    assert verify(token, verifier).ok
    revoke(app, auth, client, certificate)
    result = verify(token, verifier)  # the token issued before: its credentialStatus now lists it
    assert result.revoked and "revoked" in result.problems
    status = verifier.get(f"/training/verify/{certificate.serial}/status.json").get_json()
    assert status["revokedCredentials"] == [{"id": f"{PUBLIC}/training/verify/{certificate.serial}",
                                             "revoked": True}]
    assert "Сдал" not in json.dumps(status, ensure_ascii=False)  # HR's reason stays inside
    # no fresh credential for a revoked certificate: the revoked status instead
    auth.logout()
    auth.login("learner@example.com")
    for path in ("badge.jwt", "badge.jwt?alg=EdDSA", "badge.json"):
        response = client.get(f"/training/certificates/{certificate.serial}/{path}")
        assert response.status_code == 410 and response.get_json(force=True) == status
    page = client.get("/training/certificates/").get_data(as_text=True)
    assert "badge.jwt" not in page
    pdf = client.get(f"/training/certificates/{certificate.serial}.pdf")
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Отозван" in text or "Revoked" in text


def test_without_a_public_address_no_credential_is_issued(app, client, auth, runner):
    certificate = earn(app, auth, client, runner)
    app.config["LMS_PUBLIC_URL"] = None
    response = client.get(f"/training/certificates/{certificate.serial}/badge.jwt")
    assert response.status_code == 503 and "LMS_PUBLIC_URL" in response.get_data(as_text=True)


def test_the_schema_refuses_what_it_should():
    """The vendored schema is the real one: a credential without its required parts fails it."""
    assert schema_errors({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]})
