"""Signing in to the standalone site through the company's OpenID provider (OpenID Connect).

Authlib's Flask client does the protocol: discovery from ``LMS_OIDC_ISSUER``
(``/.well-known/openid-configuration``, whose ``issuer`` must be the configured one), the authorization
code flow with PKCE (S256), ``state`` and ``nonce`` kept in the signed session cookie until the provider
sends the person back, the code exchanged at the token endpoint with the client secret, and the ID token
checked against the provider's published keys (signature, issuer, audience, expiry, nonce). The
user-info endpoint adds what the ID token left out, when its subject is the same. What the claims mean
(roles, which account) is decided in :mod:`lms.core.oidc`; this module reads and writes the accounts.

Single logout: the site's sign-out ends the local session and then sends the browser to the provider's
``end_session_endpoint`` (RP-initiated logout) with the ID token as ``id_token_hint``, the client id and
a ``post_logout_redirect_uri`` back to the site. A provider without one (Google) signs out locally only.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import Response, current_app, request, session
from joserfc.errors import JoseError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import oidc as rules
from ..i18n import current_language
from .models import SiteUser

log = logging.getLogger(__name__)

NAME = "lms_oidc"
#: seconds to wait for the provider's discovery, key set, token and user-info answers
TIMEOUT = 10
#: the session keys: the ID token (the hint for single logout) and where to go after signing in
ID_TOKEN_KEY = "lms_oidc_id_token"
SIGNED_IN_KEY = "lms_oidc_signed_in"
NEXT_KEY = "lms_oidc_next"
#: an ID token longer than this is not kept in the session cookie (4 kB in all); logout then sends the
#: client id alone (Entra ID puts up to 200 groups in its tokens)
MAX_KEPT_ID_TOKEN = 2000


class SignInFailed(Exception):
    """A sign-in through the provider that did not work; ``reason`` says why (worded by the view)."""

    def __init__(self, reason: str, email: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.email = email


def enabled() -> bool:
    """Whether a provider is configured (``LMS_OIDC_ISSUER`` and ``LMS_OIDC_CLIENT_ID``)."""
    config = current_app.config
    return bool(config.get("LMS_OIDC_ISSUER") and config.get("LMS_OIDC_CLIENT_ID"))


def provider_name() -> str:
    """The provider's name on the sign-in button (``LMS_OIDC_NAME``); empty for the generic wording."""
    return str(current_app.config.get("LMS_OIDC_NAME") or "")


def _issuer() -> str:
    return str(current_app.config["LMS_OIDC_ISSUER"]).rstrip("/")


def client() -> FlaskOAuth2App:
    """Authlib's client for the configured provider, made once per configuration (its discovery
    document and key set are cached with it)."""
    config = current_app.config
    scopes = " ".join(dict.fromkeys(["openid", *str(config.get("LMS_OIDC_SCOPES") or "").split()]))
    key = (_issuer(), config["LMS_OIDC_CLIENT_ID"], config.get("LMS_OIDC_CLIENT_SECRET"), scopes)
    clients: dict[tuple, FlaskOAuth2App] = current_app.extensions.setdefault("lms_site_oidc", {})
    if key not in clients:
        clients.clear()
        clients[key] = FlaskOAuth2App(
            FlaskIntegration(NAME), NAME,
            client_id=key[1], client_secret=key[2],
            server_metadata_url=f"{key[0]}/.well-known/openid-configuration",
            client_kwargs={"scope": scopes, "code_challenge_method": "S256", "default_timeout": TIMEOUT},
        )
    return clients[key]


def metadata(oauth: FlaskOAuth2App) -> dict[str, Any]:
    """The provider's discovery document; it must name the configured issuer (OpenID Discovery 4.3)."""
    try:
        document = oauth.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        log.warning("LMS: the OpenID provider's discovery document could not be read: %s", exc)
        raise SignInFailed("unreachable") from exc
    if str(document.get("issuer") or "").rstrip("/") != _issuer():
        log.warning("LMS: the OpenID provider calls itself %r, not LMS_OIDC_ISSUER %r",
                    document.get("issuer"), _issuer())
        raise SignInFailed("unchecked")
    return document


def begin(redirect_uri: str) -> Response:
    """Send the browser to the provider (state, nonce and the PKCE verifier go into the session)."""
    oauth = client()
    metadata(oauth)
    return oauth.authorize_redirect(redirect_uri, ui_locales=current_language())


def finish() -> tuple[dict[str, Any], str]:
    """The validated claims of the person the provider sent back, and their ID token.

    Raises :class:`SignInFailed`: ``provider_error`` when the provider refused (the person cancelled,
    or has no access to this application), ``unchecked`` when the state, the code, the ID token or its
    nonce does not check out, ``unreachable`` when the provider does not answer.
    """
    oauth = client()
    metadata(oauth)
    if request.args.get("error"):
        log.warning("LMS: the OpenID provider refused the sign-in: %s (%s)", request.args.get("error"),
                    request.args.get("error_description"))
        raise SignInFailed("provider_error")
    try:
        token = oauth.authorize_access_token()
    except requests.RequestException as exc:
        log.warning("LMS: the OpenID provider did not answer: %s", exc)
        raise SignInFailed("unreachable") from exc
    except (AuthlibBaseError, JoseError, ValueError, KeyError, TypeError) as exc:
        log.warning("LMS: an OpenID sign-in was refused: %r", exc)
        raise SignInFailed("unchecked") from exc
    claims = token.get("userinfo")  # set only when Authlib has checked the ID token and its nonce
    if not token.get("id_token") or not claims or not isinstance(claims.get("sub"), str):
        log.warning("LMS: the OpenID provider sent no ID token")
        raise SignInFailed("unchecked")
    claims = dict(claims)
    if metadata(oauth).get("userinfo_endpoint") and token.get("access_token"):
        try:
            extra = oauth.userinfo(token=token)
        except requests.RequestException as exc:
            log.warning("LMS: the OpenID provider's user info could not be read: %s", exc)
            raise SignInFailed("unreachable") from exc
        except (AuthlibBaseError, ValueError) as exc:
            log.warning("LMS: the OpenID provider's user info was not understood: %r", exc)
            raise SignInFailed("unchecked") from exc
        if extra.get("sub") != claims["sub"]:  # OpenID Connect Core 5.3.2: the same person, or nothing
            log.warning("LMS: the OpenID provider's user info is about another subject")
            raise SignInFailed("unchecked")
        claims = {**extra, **claims}
    return claims, token["id_token"]


def _facts(user: SiteUser | None) -> rules.Account | None:
    if user is None:
        return None
    return rules.Account(id=user.id, active=user.is_active_account, issuer=user.oidc_issuer,
                         subject=user.oidc_subject)


def _email(claims: Mapping[str, Any]) -> str | None:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email.strip()) > 254:
        return None
    return email.strip().lower()


def account_for(db_session: Session, claims: Mapping[str, Any]) -> SiteUser:
    """The account the claims are (linked, found by verified e-mail, or new), brought up to date: name,
    a verified new e-mail address, and the roles from the role claim when ``LMS_OIDC_ROLE_CLAIM`` is set.
    Flushes; the view commits. Raises :class:`SignInFailed` when the account may not be signed in."""
    config = current_app.config
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    email = _email(claims)
    trust = bool(config.get("LMS_OIDC_TRUST_EMAIL"))
    verified = email is not None and rules.email_verified(claims, trust_provider=trust)
    by_subject = db_session.scalar(select(SiteUser).where(SiteUser.oidc_issuer == issuer,
                                                          SiteUser.oidc_subject == subject))
    by_email = db_session.scalar(select(SiteUser).where(SiteUser.email == email)) if email else None
    match = rules.match_account(_facts(by_subject), _facts(by_email), issuer=issuer, email=email, verified=verified)
    if match.action == "refuse":
        raise SignInFailed(match.reason or "unchecked", email)
    name = rules.display_name(claims)
    user: SiteUser | None
    if match.action == "create" and email:  # match_account creates only with an address
        user = SiteUser(email=email, name=name or email, password_hash="", roles="learner")
        db_session.add(user)
    else:
        user = by_subject if match.action == "sign_in" else by_email
    if user is None:  # not reached: a match names an account it was given
        raise SignInFailed("unchecked")
    user.oidc_issuer, user.oidc_subject = issuer, subject
    if name:
        user.name = name
    if email and verified and email != user.email and db_session.scalar(
            select(SiteUser.id).where(SiteUser.email == email)) is None:
        user.email = email
    claim = config.get("LMS_OIDC_ROLE_CLAIM")
    if claim:
        role_map = rules.parse_role_map(config.get("LMS_OIDC_ROLE_MAP"))
        user.roles = ",".join(sorted(rules.roles_from_claims(claims, claim, role_map)))
    db_session.flush()
    return user


def remember_sign_in(id_token: str) -> None:
    """Keep what single logout needs in the session (after ``login_user``)."""
    session[SIGNED_IN_KEY] = True
    if len(id_token) <= MAX_KEPT_ID_TOKEN:
        session[ID_TOKEN_KEY] = id_token


def end_session_redirect(post_logout_redirect_uri: str) -> Response | None:
    """After the local sign-out: the redirect to the provider's end-session endpoint, or None when the
    person did not sign in through the provider or it has no such endpoint."""
    signed_in = session.pop(SIGNED_IN_KEY, False)
    id_token = session.pop(ID_TOKEN_KEY, None)
    if not signed_in or not enabled():
        return None
    oauth = client()
    try:
        endpoint = metadata(oauth).get("end_session_endpoint")
    except SignInFailed:
        return None
    if not endpoint:
        return None
    return oauth.logout_redirect(post_logout_redirect_uri, id_token_hint=id_token, client_id=oauth.client_id)


def provider_origins() -> list[str]:
    """Where the provider's pages are: the issuer's origin and, once discovery has been read, the
    end-session endpoint's (read from the cache only: a page is never held up by the provider)."""
    addresses = [_issuer(), str(client().server_metadata.get("end_session_endpoint") or "")]
    origins = []
    for address in addresses:
        parts = urlsplit(address)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return list(dict.fromkeys(origins))


def allow_sign_out_redirect(response: Response) -> Response:
    """Let the sign-out form's redirect reach the provider (the pages' ``form-action``; run after the
    security headers are set)."""
    policy = response.headers.get("Content-Security-Policy")
    if policy and enabled():
        response.headers["Content-Security-Policy"] = rules.allow_form_action(policy, provider_origins())
    return response


def finish_logout() -> None:
    """The provider sent the browser back after signing out: forget the logout's ``state``."""
    if request.args.get("state") and enabled():
        try:
            client().validate_logout_response()
        except AuthlibBaseError:
            pass  # nothing hangs on it: the local session ended before the browser left
