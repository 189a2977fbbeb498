"""The tool as pylti1p3 sees it: its key, the platforms (from the database), where the OIDC
login keeps its state, and the cookies of that login.

- **The key**: RSA, generated on first use into ``<instance>/lms_lti_rsa.pem`` (mode 0600), published
  as a JSON Web Key Set. Back it up with the database: platforms check the tool's messages (deep
  linking responses, service token requests) against it.
- **The platforms**: :class:`DatabaseToolConf`, one registration per (issuer, client id), with
  its deployment ids.
- **The login's state**: pylti1p3 keeps the login's nonce and the validated launch in a launch
  data storage; here a small table (:class:`DatabaseCache`) so every worker sees it, and the
  browser carries only a random session id and the ``state`` in cookies (:class:`LtiCookieService`)
  sent with ``SameSite=None; Secure; Partitioned``, scoped to the LTI routes: the launch is a
  cross-site POST from the platform, inside its iframe. No other cookie of the host is changed.
"""
from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)
from flask import current_app, url_for
from pylti1p3.contrib.flask import FlaskCacheDataStorage, FlaskCookieService, FlaskRequest
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import delete, select

from ..keys import instance_key_pem
from ..models import aware, utcnow
from ..state import db_session
from .models import LtiLoginState, LtiPlatform

KEY_FILE = "lms_lti_rsa.pem"
RSA_BITS = 2048
#: seconds a service call (key set, token, scores, roster) may take
HTTP_TIMEOUT = 10


# -- the tool's key ---------------------------------------------------------------------------
def key_path() -> Path:
    return Path(current_app.instance_path) / KEY_FILE


def private_key_pem() -> str:
    """The tool's private key (PEM), made on first use; two workers racing keep the first."""
    return instance_key_pem(KEY_FILE, lambda: rsa.generate_private_key(public_exponent=65537,
                                                                       key_size=RSA_BITS)).decode()


@lru_cache(maxsize=8)
def _public_pem(private_pem: str) -> str:
    key = load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise RuntimeError(f"{key_path()} does not hold an RSA private key")
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def public_key_pem() -> str:
    return _public_pem(private_key_pem())


def jwks() -> dict[str, Any]:
    """The tool's public key set (``kid`` is the key's RFC 7638 thumbprint)."""
    return {"keys": [dict(Registration.get_jwk(public_key_pem()))]}


# -- platforms ----------------------------------------------------------------------------------
def registration_of(platform: LtiPlatform) -> Registration:
    """pylti1p3's registration for ``platform``, with the tool's key."""
    return (Registration().set_issuer(platform.issuer).set_client_id(platform.client_id)
            .set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
            .set_auth_audience(platform.auth_audience or "").set_key_set_url(platform.key_set_url)
            .set_tool_private_key(private_key_pem()).set_tool_public_key(public_key_pem()))


def find_platform(issuer: str | None, client_id: str | None) -> LtiPlatform | None:
    """The platform registered for ``issuer`` and ``client_id``; without a client id, the issuer's
    only registration (a platform that sends none at login has one)."""
    if not issuer:
        return None
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        return db_session().scalar(query.where(LtiPlatform.client_id == client_id))
    found = db_session().scalars(query.limit(2)).all()
    return found[0] if len(found) == 1 else None


class DatabaseToolConf(ToolConfAbstract[FlaskRequest]):
    """The registered platforms, read from ``lms_lti_platforms`` (an issuer may have several client ids)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    # pylti1p3 types these as always finding one, and checks for None ("Registration not found")
    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss: str, client_id: str | None, *args: Any,
                                    **kwargs: Any) -> Registration:
        platform = find_platform(iss, client_id)
        return cast(Registration, registration_of(platform) if platform else None)

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str | None,
                                  *args: Any, **kwargs: Any) -> Deployment | None:
        platform = find_platform(iss, client_id)
        if platform is None or deployment_id not in (platform.deployment_ids or []):
            return None
        return Deployment().set_deployment_id(deployment_id)


# -- the login's state ---------------------------------------------------------------------------
class DatabaseCache:
    """A cache (``get``/``set`` with an expiry in seconds) in ``lms_lti_login_states``, for
    pylti1p3's :class:`~pylti1p3.launch_data_storage.cache.CacheDataStorage`. Values are JSON.
    The caller commits."""

    #: how long an entry lives when pylti1p3 gives no expiry
    DEFAULT_SECONDS = 24 * 3600

    def get(self, key: str) -> Any:
        row = db_session().get(LtiLoginState, key[:255])
        if row is None or aware(row.expires_at) <= utcnow():
            return None
        return json.loads(row.value)

    def set(self, key: str, value: Any, exp: int | None = None) -> None:
        session = db_session()
        expires = utcnow() + dt.timedelta(seconds=exp or self.DEFAULT_SECONDS)
        row = session.get(LtiLoginState, key[:255])
        if row is None:
            session.add(LtiLoginState(key=key[:255], value=json.dumps(value), expires_at=expires))
        else:
            row.value, row.expires_at = json.dumps(value), expires
        session.flush()


def purge_expired() -> int:
    """Delete login states past their expiry (done at each login initiation)."""
    result = db_session().execute(delete(LtiLoginState).where(LtiLoginState.expires_at < utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def launch_data_storage() -> FlaskCacheDataStorage:
    return FlaskCacheDataStorage(DatabaseCache())


def lti_cookie_path() -> str:
    """The LTI cookies go only to the LTI routes."""
    return url_for("lms.lti.jwks").rsplit("/", 1)[0] + "/"


class LtiCookieService(FlaskCookieService):
    """pylti1p3's cookies (the login's ``state`` and storage session id) as a cross-site iframe
    needs them: ``SameSite=None; Secure; Partitioned; HttpOnly``, on the LTI routes only."""

    def update_response(self, response: Any) -> None:
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(key, str(data["value"]), max_age=data["exp"], path=lti_cookie_path(),
                                secure=True, httponly=True, samesite="None", partitioned=True)


class LtiRequest(FlaskRequest):
    """A request that pylti1p3 treats as secure (its cache storage then uses a per-browser session
    id): the tool always sends its cookies with ``Secure``, which browsers accept from HTTPS sites
    and from ``localhost``."""

    def __init__(self) -> None:
        super().__init__(request_is_secure=True)


class TimeoutSession(requests.Session):
    """A requests session whose calls give up after :data:`HTTP_TIMEOUT` seconds."""

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(method, url, *args, **kwargs)
