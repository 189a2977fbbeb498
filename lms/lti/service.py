"""LTI operations on the database: platforms, the person behind a launch, launches, rosters.

Each takes a session and plain values and flushes; the view or the command commits.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..core import lti as rules
from ..models import Course, CourseVersion, Group, GroupMember, User, utcnow
from ..services import users
from ..services.groups import MEMBER, TRAINER
from .models import LtiAccount, LtiContext, LtiLaunch, LtiNonce, LtiPlatform

#: what an administrator fills in to register a platform
PLATFORM_FIELDS = ("name", "issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url")


class PlatformError(ValueError):
    """A platform registration that cannot be saved; ``code`` says why (worded at the edge)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("https", "http") and bool(parts.netloc) and len(url) <= 500


def parse_deployment_ids(text: str | Iterable[str]) -> list[str]:
    """Deployment ids from a text (one per line or comma-separated) or a list; blanks dropped."""
    items = text.replace(",", "\n").splitlines() if isinstance(text, str) else list(text)
    found: list[str] = []
    for item in items:
        value = str(item).strip()
        if value and value not in found:
            found.append(value[:255])
    return found


def save_platform(session: Session, values: Mapping[str, Any], platform: LtiPlatform | None = None) -> LtiPlatform:
    """Register a platform (or change one). Raises :class:`PlatformError` (``url``, ``duplicate``,
    ``deployment``, ``required``)."""
    cleaned = {name: str(values.get(name) or "").strip() for name in PLATFORM_FIELDS}
    if not all(cleaned[name] for name in PLATFORM_FIELDS if name != "name"):
        raise PlatformError("required")
    for name in ("auth_login_url", "auth_token_url", "key_set_url"):
        if not valid_url(cleaned[name]):
            raise PlatformError("url")
    audience = str(values.get("auth_audience") or "").strip() or None
    deployments = parse_deployment_ids(values.get("deployment_ids") or "")
    if not deployments:
        raise PlatformError("deployment")
    clash = session.scalar(select(LtiPlatform).where(LtiPlatform.issuer == cleaned["issuer"],
                                                     LtiPlatform.client_id == cleaned["client_id"]))
    if clash is not None and clash is not platform:
        raise PlatformError("duplicate")
    if platform is None:
        platform = LtiPlatform()
        session.add(platform)
    platform.name = cleaned["name"] or urlsplit(cleaned["issuer"]).netloc or cleaned["issuer"]
    platform.issuer, platform.client_id = cleaned["issuer"][:500], cleaned["client_id"][:255]
    platform.auth_login_url, platform.auth_token_url = cleaned["auth_login_url"], cleaned["auth_token_url"]
    platform.key_set_url, platform.auth_audience = cleaned["key_set_url"], audience
    platform.deployment_ids = deployments
    platform.link_by_email = bool(values.get("link_by_email"))
    session.flush()
    return platform


def platforms(session: Session) -> list[LtiPlatform]:
    return list(session.scalars(select(LtiPlatform).order_by(LtiPlatform.name, LtiPlatform.id)))


# -- replayed launches --------------------------------------------------------------------------
def use_nonce(session: Session, nonce: str, expires: dt.datetime) -> bool:
    """Remember a launch's nonce until its token expires; False when it was used already."""
    session.execute(delete(LtiNonce).where(LtiNonce.expires_at < utcnow()))
    if session.get(LtiNonce, nonce[:255]) is not None:
        return False
    session.add(LtiNonce(nonce=nonce[:255], expires_at=expires))
    session.flush()
    return True


# -- the person ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    """Who the platform says launched: its id for them, their name and e-mail, their LMS roles."""

    sub: str
    name: str
    email: str
    roles: frozenset[str]


def person_of(claims: Mapping[str, Any]) -> Person:
    sub = str(claims.get("sub") or claims.get("user_id") or "")[:255]
    email = str(claims.get("email") or "").strip().lower()[:254]
    name = " ".join(str(claims.get("name") or "").split()) or " ".join(
        f"{claims.get('given_name') or ''} {claims.get('family_name') or ''}".split())
    return Person(sub=sub, name=(name or email or sub)[:200], email=email,
                  roles=rules.lms_roles(claims.get(rules.ROLES_CLAIM) or claims.get("roles") or []))


def external_id(platform: LtiPlatform, sub: str) -> str:
    return f"lti:{platform.id}:{sub}"[:64]


def account_for(session: Session, platform: LtiPlatform, person: Person, refresh_roles: bool = True) -> User:
    """The LMS person behind ``person`` on ``platform``: found by the platform's id for them, else
    (when the platform is trusted with e-mail addresses) by e-mail, else created. An LTI-only
    person's name, e-mail and roles follow the platform; a linked account keeps its own and gains
    the roles the platform gives."""
    account = session.scalar(select(LtiAccount).where(LtiAccount.platform_id == platform.id,
                                                      LtiAccount.sub == person.sub))
    user = account.user if account is not None else None
    if user is None and platform.link_by_email and person.email:
        user = users.find_user(session, person.email)
    if user is None:
        user = session.scalar(select(User).where(User.external_id == external_id(platform, person.sub)))
    if user is None:
        user = User(external_id=external_id(platform, person.sub), email=person.email, name=person.name,
                    roles=",".join(sorted(person.roles)))
        session.add(user)
        session.flush()
    elif user.external_id.startswith("lti:") and user.anonymized_at is None:
        user.name, user.email = person.name, person.email or user.email
        if refresh_roles:
            user.roles = ",".join(sorted(person.roles))
    elif refresh_roles:
        user.roles = ",".join(sorted(user.role_set | person.roles))
    if account is None:
        session.add(LtiAccount(platform_id=platform.id, sub=person.sub, user_id=user.id))
    session.flush()
    return user


def context_for(session: Session, platform: LtiPlatform, claims: Mapping[str, Any]) -> LtiContext | None:
    """The platform's course the launch came from (its title and roster URL kept up to date)."""
    claim = claims.get(rules.CONTEXT_CLAIM) or {}
    context_id = str(claim.get("id") or "")[:255] if isinstance(claim, Mapping) else ""
    if not context_id:
        return None
    context = session.scalar(select(LtiContext).where(LtiContext.platform_id == platform.id,
                                                      LtiContext.context_id == context_id))
    if context is None:
        context = LtiContext(platform_id=platform.id, context_id=context_id)
        session.add(context)
    context.title = str(claim.get("title") or claim.get("label") or context.title or context_id)[:200]
    nrps = claims.get(rules.NRPS_CLAIM) or {}
    url = nrps.get("context_memberships_url") if isinstance(nrps, Mapping) else None
    if isinstance(url, str) and valid_url(url):
        context.memberships_url = url
    session.flush()
    return context


# -- launches -----------------------------------------------------------------------------------
def published_course(session: Session, slug: str) -> tuple[Course, CourseVersion] | None:
    row = session.execute(
        select(Course, CourseVersion).join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(Course.slug == slug, Course.archived.is_(False))).first()
    return (row[0], row[1]) if row else None


def module_exists(version: CourseVersion, module: str) -> bool:
    return any(m["slug"] == module for edition in version.manifest["editions"].values() for m in edition["modules"])


def record_launch(session: Session, platform: LtiPlatform, user: User, person: Person,
                  claims: Mapping[str, Any], context: LtiContext | None, course: Course | None,
                  module: str | None) -> LtiLaunch:
    """Keep (or refresh) the person's launch of this resource link: what it opens, where scores go."""
    link = claims.get(rules.RESOURCE_LINK_CLAIM) or {}
    resource_link_id = str(link.get("id") or "")[:255] if isinstance(link, Mapping) else ""
    in_context = LtiLaunch.context_row_id == context.id if context else LtiLaunch.context_row_id.is_(None)
    launch = session.scalar(select(LtiLaunch).where(
        LtiLaunch.platform_id == platform.id, LtiLaunch.user_id == user.id, in_context,
        LtiLaunch.resource_link_id == resource_link_id))
    if launch is None:
        launch = LtiLaunch(platform_id=platform.id, user_id=user.id, resource_link_id=resource_link_id,
                           context_row_id=context.id if context else None)
        session.add(launch)
    launch.sub = person.sub
    launch.deployment_id = str(claims.get(rules.DEPLOYMENT_CLAIM) or "")[:255]
    launch.course_id = course.id if course else None
    launch.module = module
    launch.title = str((link.get("title") if isinstance(link, Mapping) else "") or "")[:200]
    launch.roles = ",".join(sorted(person.roles))
    launch.launched_at = utcnow()
    ags = claims.get(rules.AGS_CLAIM)
    if isinstance(ags, Mapping):
        scopes = [s for s in ags.get("scope") or [] if isinstance(s, str)]
        launch.ags_scopes = scopes
        launch.lineitems_url = ags.get("lineitems") if valid_url(str(ags.get("lineitems") or "")) else None
        launch.lineitem_url = ags.get("lineitem") if valid_url(str(ags.get("lineitem") or "")) else None
    else:
        launch.ags_scopes, launch.lineitems_url, launch.lineitem_url = None, None, None
    session.flush()
    return launch


def sends_scores(launch: LtiLaunch) -> bool:
    """Whether the platform takes scores for this launch (it gave the score scope and a line item
    or the line items URL)."""
    scopes = launch.ags_scopes or []
    return launch.course_id is not None and rules.AGS_SCOPES[2] in scopes and bool(
        launch.lineitem_url or (launch.lineitems_url and rules.AGS_SCOPES[0] in scopes))


# -- rosters ------------------------------------------------------------------------------------
def contexts_of(session: Session, user: User) -> list[LtiContext]:
    """The platform courses ``user`` launched from as an instructor (all of them for an admin)."""
    query = select(LtiContext).order_by(LtiContext.title, LtiContext.id)
    if not user.has_role("admin"):
        query = query.where(LtiContext.id.in_(select(LtiLaunch.context_row_id).where(
            LtiLaunch.user_id == user.id, LtiLaunch.roles.contains("trainer") | LtiLaunch.roles.contains("admin"))))
    return list(session.scalars(query))


def may_import(session: Session, user: User, context: LtiContext) -> bool:
    return any(c.id == context.id for c in contexts_of(session, user))


@dataclass(frozen=True)
class RosterResult:
    group: Group
    added: int
    updated: int
    skipped: int


def group_name(context: LtiContext) -> str:
    return f"{context.title or context.context_id} ({context.platform.name})"[:200]


def import_roster(session: Session, context: LtiContext, members: Iterable[Mapping[str, Any]],
                  importer: User) -> RosterResult:
    """Put the platform course's active members into the context's group (made on first import):
    instructors as its trainers, learners as members. Nobody is removed; the importer trains it."""
    group = context.group
    if group is None:
        name = group_name(context)
        group = users.find_group(session, name) or Group(name=name, kind="team")
        if group.id is None:
            session.add(group)
            session.flush()
        context.group_id = group.id
    added = updated = skipped = 0
    existing = {m.user_id: m for m in session.scalars(select(GroupMember).where(GroupMember.group_id == group.id))}
    for member in members:
        sub = str(member.get("user_id") or "")[:255]
        if not sub or not rules.member_active(member):
            skipped += 1
            continue
        email = str(member.get("email") or "").strip().lower()[:254]
        person = Person(sub=sub, name=" ".join(str(member.get("name") or "").split())[:200] or email or sub,
                        email=email, roles=rules.member_roles(member))
        user = account_for(session, context.platform, person, refresh_roles=False)
        role = TRAINER if rules.is_instructor(person.roles) else MEMBER
        if role == TRAINER and "trainer" not in user.role_set and user.external_id.startswith("lti:"):
            user.roles = ",".join(sorted(user.role_set | {"trainer"}))
        if user.id in existing:
            if existing[user.id].role != role:
                existing[user.id].role = role
                updated += 1
        else:
            existing[user.id] = users.add_member(session, group, user, role)
            added += 1
    if "trainer" in importer.role_set and importer.id not in existing:
        users.add_member(session, group, importer, TRAINER)
    session.flush()
    return RosterResult(group, added, updated, skipped)
