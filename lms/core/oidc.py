"""Signing in through an OpenID provider: which roles a person's claims give, and which account they are.

Pure: the site (``lms/site/oidc.py``) hands in claims it has already validated (the ID token's signature,
issuer, audience, expiry and nonce; the user-info answer's subject) and what its database holds; nothing
here talks to the provider or to a database.

Roles come from one claim (``LMS_OIDC_ROLE_CLAIM``: ``groups``, ``roles``, or a dotted path into an
object such as Keycloak's ``realm_access.roles``) through a map from the provider's values to LMS roles
(``LMS_OIDC_ROLE_MAP``: ``{"lms-trainers": "trainer"}``; a value may give several roles as a list). A
value that is itself an LMS role name counts as that role. Nobody gets more than the map gives, and
everyone gets at least ``learner``.

An account is found by the provider's subject first; then, only when the provider says the address is
verified, by e-mail (a local account is linked to the provider); otherwise a new one is made.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .privileges import ROLE_ORDER

#: the most values read from the role claim, and the longest one (a claim is the provider's input)
MAX_CLAIM_VALUES = 500
MAX_VALUE_LENGTH = 500


def parse_role_map(value: str | Mapping[str, Any] | None) -> dict[str, frozenset[str]]:
    """``LMS_OIDC_ROLE_MAP`` (JSON text or a mapping) as ``{provider value: LMS roles}``.

    Raises ``ValueError`` with a readable message for anything but an object of role names or lists of them.
    """
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError('LMS_OIDC_ROLE_MAP must be a JSON object such as {"lms-trainers": "trainer"}') from None
    if not isinstance(value, Mapping):
        raise ValueError('LMS_OIDC_ROLE_MAP must be a JSON object such as {"lms-trainers": "trainer"}')
    mapping: dict[str, frozenset[str]] = {}
    for key, roles in value.items():
        names = [roles] if isinstance(roles, str) else roles
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ValueError(f"LMS_OIDC_ROLE_MAP[{key!r}] must be a role name or a list of role names")
        unknown = sorted(set(names) - set(ROLE_ORDER))
        if unknown:
            raise ValueError(f"LMS_OIDC_ROLE_MAP[{key!r}] names unknown roles {unknown}: "
                             f"use {', '.join(ROLE_ORDER)}")
        mapping[str(key)] = frozenset(names)
    return mapping


def claim_values(claims: Mapping[str, Any], path: str) -> list[str]:
    """The text values at ``path`` in ``claims``: a list of strings, one string, or nothing.

    A dotted path reaches into objects (``realm_access.roles``); a claim whose own name has a dot
    (``https://example.com/roles``, Auth0's namespaced claims) is found whole first.
    """
    value: Any = claims.get(path) if path in claims else _walk(claims, path.split("."))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [item for item in value[:MAX_CLAIM_VALUES] if isinstance(item, str) and len(item) <= MAX_VALUE_LENGTH]


def _walk(claims: Mapping[str, Any], parts: list[str]) -> Any:
    value: Any = claims
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def roles_from_claims(claims: Mapping[str, Any], claim: str, role_map: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """The LMS roles the claim ``claim`` gives: mapped values, and values that are role names; at least learner."""
    roles: set[str] = set()
    for value in claim_values(claims, claim):
        if value in role_map:
            roles |= role_map[value]
        elif value in ROLE_ORDER:
            roles.add(value)
    return frozenset(roles) or frozenset({"learner"})


def email_verified(claims: Mapping[str, Any], *, trust_provider: bool = False) -> bool:
    """Whether the provider vouches for the claims' e-mail address (``email_verified``, true or "true"),
    or the site trusts every address this provider gives (``LMS_OIDC_TRUST_EMAIL``: a company directory
    such as Entra ID, which sends no ``email_verified``)."""
    if not claims.get("email"):
        return False
    return trust_provider or claims.get("email_verified") in (True, "true")


def display_name(claims: Mapping[str, Any]) -> str:
    """A person's name from the claims: ``name``, else given and family names, else the user name or address."""
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get(key) for key in ("given_name", "family_name")]
        name = " ".join(part for part in parts if isinstance(part, str) and part.strip())
    if not name.strip():
        fallback = claims.get("preferred_username") or claims.get("email") or ""
        name = fallback if isinstance(fallback, str) else ""
    return " ".join(name.split())[:200]


@dataclass(frozen=True)
class Account:
    """What the decision needs to know of a local account."""

    id: int
    active: bool
    issuer: str | None = None
    subject: str | None = None


Refusal = Literal["closed", "no_email", "unverified_email", "linked_elsewhere"]


@dataclass(frozen=True)
class Match:
    """Which account a sign-in is: ``sign_in`` (linked before), ``link`` (a local account, by verified
    e-mail), ``create`` (a new one), or ``refuse`` with the reason."""

    action: Literal["sign_in", "link", "create", "refuse"]
    account_id: int | None = None
    reason: Refusal | None = None


def match_account(by_subject: Account | None, by_email: Account | None, *, issuer: str,
                  email: str | None, verified: bool) -> Match:
    """Decide which account the provider's person is.

    ``by_subject`` is the account linked to this issuer's subject, ``by_email`` the account with the
    claims' e-mail address. An address the provider has not verified never reaches an existing account
    (anyone could type it at some providers); an account linked to another subject of the same provider
    is someone else. An account linked to another issuer (the site moved to a new provider) is taken
    over by a verified address.
    """
    if by_subject is not None:
        if not by_subject.active:
            return Match("refuse", by_subject.id, "closed")
        return Match("sign_in", by_subject.id)
    if not email:
        return Match("refuse", reason="no_email")
    if by_email is None:
        return Match("create")
    if not verified:
        return Match("refuse", by_email.id, "unverified_email")
    if by_email.subject is not None and by_email.issuer == issuer:
        return Match("refuse", by_email.id, "linked_elsewhere")
    if not by_email.active:
        return Match("refuse", by_email.id, "closed")
    return Match("link", by_email.id)


def allow_form_action(policy: str, origins: list[str]) -> str:
    """``policy`` (a Content-Security-Policy) whose ``form-action`` also lets a form's redirect reach
    ``origins``: the site's sign-out form ends at the provider's end-session endpoint, and browsers hold
    a form's redirects to ``form-action`` too. A policy without the directive, or with ``'none'``, is kept."""
    directives = [directive.strip() for directive in policy.split(";") if directive.strip()]
    for index, directive in enumerate(directives):
        name, *sources = directive.split()
        if name.lower() == "form-action" and "'none'" not in sources:
            directives[index] = " ".join([name, *sources, *(origin for origin in origins if origin not in sources)])
    return "; ".join(directives)
