"""What an OpenID provider's claims mean: roles from a claim through the role map, which account a
sign-in is (lms/core/oidc.py)."""
from __future__ import annotations

import pytest

from lms.core.oidc import (
    Account,
    Match,
    allow_form_action,
    claim_values,
    display_name,
    email_verified,
    match_account,
    parse_role_map,
    roles_from_claims,
)

ISSUER = "https://id.example.com"
MAP = parse_role_map('{"lms-trainers": "trainer", "hr-team": ["hr", "trainer"], "it-admins": "admin"}')


def test_the_role_map_is_read_from_json_or_a_mapping():
    assert MAP == {"lms-trainers": frozenset({"trainer"}), "hr-team": frozenset({"hr", "trainer"}),
                   "it-admins": frozenset({"admin"})}
    assert parse_role_map({"x": "learner"}) == {"x": frozenset({"learner"})}
    assert parse_role_map(None) == {} and parse_role_map("") == {}


@pytest.mark.parametrize("bad", ['["trainer"]', "{not json", '{"x": "boss"}', '{"x": 3}', '{"x": ["hr", 1]}'])
def test_a_role_map_that_is_not_one_is_refused(bad):
    with pytest.raises(ValueError, match="LMS_OIDC_ROLE_MAP"):
        parse_role_map(bad)


def test_roles_come_from_the_mapped_values_of_the_claim():
    assert roles_from_claims({"groups": ["lms-trainers", "staff"]}, "groups", MAP) == {"trainer"}
    assert roles_from_claims({"groups": ["hr-team", "it-admins"]}, "groups", MAP) == {"hr", "trainer", "admin"}
    assert roles_from_claims({"groups": "lms-trainers"}, "groups", MAP) == {"trainer"}  # one value as a string


def test_a_value_that_names_a_role_is_that_role_and_nothing_else_gives_more_than_learner():
    assert roles_from_claims({"roles": ["trainer"]}, "roles", {}) == {"trainer"}
    assert roles_from_claims({"roles": ["superuser", "root"]}, "roles", {}) == {"learner"}
    assert roles_from_claims({}, "groups", MAP) == {"learner"}
    assert roles_from_claims({"groups": {"lms-trainers": True}}, "groups", MAP) == {"learner"}
    assert roles_from_claims({"groups": [1, None, "lms-trainers"]}, "groups", MAP) == {"trainer"}


def test_a_dotted_path_reaches_into_keycloak_s_realm_roles_and_a_namespaced_claim_is_found_whole():
    claims = {"realm_access": {"roles": ["lms-trainers", "offline_access"]},
              "https://example.com/roles": ["it-admins"]}
    assert roles_from_claims(claims, "realm_access.roles", MAP) == {"trainer"}
    assert claim_values(claims, "https://example.com/roles") == ["it-admins"]
    assert claim_values(claims, "realm_access.missing") == []


def test_only_a_verified_address_is_verified():
    assert email_verified({"email": "a@example.com", "email_verified": True})
    assert email_verified({"email": "a@example.com", "email_verified": "true"})  # some providers send text
    assert not email_verified({"email": "a@example.com", "email_verified": False})
    assert not email_verified({"email": "a@example.com"})
    assert email_verified({"email": "a@example.com"}, trust_provider=True)
    assert not email_verified({"email_verified": True}, trust_provider=True)


def test_a_name_is_made_from_what_the_claims_have():
    assert display_name({"name": "  Анна   Петрова "}) == "Анна Петрова"
    assert display_name({"given_name": "Anna", "family_name": "Petrova"}) == "Anna Petrova"
    assert display_name({"preferred_username": "apetrova"}) == "apetrova"
    assert display_name({"email": "a@example.com", "name": 3}) == "a@example.com"
    assert len(display_name({"name": "x" * 500})) == 200


LINKED = Account(7, active=True, issuer=ISSUER, subject="abc")
LOCAL = Account(8, active=True)


@pytest.mark.parametrize(("by_subject", "by_email", "email", "verified", "expected"), [
    (LINKED, None, "a@example.com", True, Match("sign_in", 7)),
    (LINKED, LOCAL, "other@example.com", False, Match("sign_in", 7)),  # the subject wins
    (Account(7, active=False, issuer=ISSUER, subject="abc"), None, "a@example.com", True, Match("refuse", 7, "closed")),
    (None, None, "new@example.com", False, Match("create")),
    (None, None, None, True, Match("refuse", reason="no_email")),
    (None, LOCAL, "a@example.com", True, Match("link", 8)),
    (None, LOCAL, "a@example.com", False, Match("refuse", 8, "unverified_email")),
    (None, Account(8, active=False), "a@example.com", True, Match("refuse", 8, "closed")),
    (None, Account(8, active=True, issuer=ISSUER, subject="other"), "a@example.com", True,
     Match("refuse", 8, "linked_elsewhere")),
    # linked to the provider the site used before: a verified address moves it to the new one
    (None, Account(8, active=True, issuer="https://old.example.com", subject="z"), "a@example.com", True,
     Match("link", 8)),
])
def test_which_account_a_sign_in_is(by_subject, by_email, email, verified, expected):
    assert match_account(by_subject, by_email, issuer=ISSUER, email=email, verified=verified) == expected


def test_the_sign_out_form_may_be_redirected_to_the_provider():
    policy = "default-src 'self'; form-action 'self'; frame-ancestors 'self'"
    assert allow_form_action(policy, ["https://id.example.com"]) == \
        "default-src 'self'; form-action 'self' https://id.example.com; frame-ancestors 'self'"
    assert allow_form_action("form-action 'self' https://id.example.com;", ["https://id.example.com"]) == \
        "form-action 'self' https://id.example.com"
    assert allow_form_action("form-action 'none'", ["https://id.example.com"]) == "form-action 'none'"
    assert allow_form_action("default-src 'self'", ["https://id.example.com"]) == "default-src 'self'"
