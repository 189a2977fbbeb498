"""Open Badges 3.0 conformance for the tests: the official JSON schema and the verification steps."""
from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft201909Validator

from lms.core import open_badges

SCHEMA = Path(__file__).resolve().parents[1] / "standards" / "ob3" / "ob_v3p0_achievementcredential_schema.json"


@cache
def validator() -> Draft201909Validator:
    schema = json.loads(SCHEMA.read_text())
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema)


def schema_errors(credential: dict) -> list[str]:
    """What the official schema says is wrong with ``credential`` (empty: valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(credential)]


def assert_valid(credential: dict) -> None:
    errors = schema_errors(credential)
    assert not errors, errors


def fetcher(client, public_url: str = "https://lms.example.com"):
    """``fetch(url)`` for :func:`lms.core.open_badges.verify`: an address of the site, fetched through
    ``client`` signed out (as any verifier), parsed as JSON."""
    base = urlsplit(public_url)

    def fetch(url: str):
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == (base.scheme, base.netloc), url  # only LMS_PUBLIC_URL addresses
        response = client.get(parts.path)
        assert response.status_code == 200, (url, response.status_code)
        return json.loads(response.get_data(as_text=True))

    return fetch


def verify(token: str, client, now: dt.datetime | None = None) -> open_badges.Verification:
    """The verification steps on ``token`` (after checking its payload against the schema)."""
    result = open_badges.verify(token, fetcher(client), now or dt.datetime.now(dt.UTC))
    if result.payload:
        credential = {k: v for k, v in result.payload.items() if k not in ("iss", "jti", "sub", "nbf", "exp")}
        assert_valid(credential)
    return result
