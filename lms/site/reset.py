"""Forgotten passwords on the standalone site: a signed, single-use, time-limited link by e-mail.

The link carries the account's id and a fingerprint of its password hash and session token,
signed with ``SECRET_KEY`` (``itsdangerous``, a salt of its own). Nothing is stored: setting a
password changes both, so a used link stops working, and so does every other link sent before;
after ``LMS_PASSWORD_RESET_MINUTES`` the signature's age refuses it. The e-mail is a
``password_reset`` notification in the outbox, sent by ``flask lms notify send`` (never inside the
web request: the answer must not take longer, or fail, for an address that has an account).
Links are made only when ``LMS_PUBLIC_URL`` is set: one built from the request would point wherever
the asker's ``Host`` header says.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any, cast

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from ..i18n import current_language
from ..links import absolute_url, public_base
from ..models import User
from ..notify.outbox import Planned, queue
from ..state import state
from .accounts import identity_of
from .models import SiteUser, new_session_token

SALT = "lms-password-reset"
#: how many links one address may be sent an hour, whoever asks (the address's mailbox is not a target)
PER_ADDRESS_LIMIT = "5 per hour"
#: the least time the answer to "send me a link" takes, in seconds: queuing a link (an insert and a
#: commit) takes a few milliseconds more than finding no account, and the time must not tell which
ANSWER_FLOOR = 0.2


class _ClockSigner(TimestampSigner):
    """itsdangerous's timestamp signer with the clock handed in (tests sign and check at other moments)."""

    def __init__(self, *args: Any, clock: Callable[[], float] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = clock

    def get_timestamp(self) -> int:
        return int(self.clock()) if self.clock is not None else super().get_timestamp()


def _serializer(now: float | None = None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_ClockSigner,
                                  signer_kwargs={"clock": (lambda: now) if now is not None else None})


def max_age() -> int:
    """How long a link works, in seconds."""
    return int(current_app.config["LMS_PASSWORD_RESET_MINUTES"]) * 60


def fingerprint(account: SiteUser) -> str:
    """A digest of the account's password hash and session token: it changes when either does.

    Keyed with ``SECRET_KEY``: the token's payload is readable (only signed), and must tell
    nothing about the hash.
    """
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    material = f"{account.password_hash}\0{account.session_token}".encode()
    return hmac.new(key, material, hashlib.sha256).hexdigest()[:32]


def make_token(account: SiteUser, now: float | None = None) -> str:
    """A reset token for ``account`` (``now``: the moment it is signed, in seconds since the epoch)."""
    # a nonce: two links asked for in the same second differ too (each e-mail has its own)
    return _serializer(now).dumps([account.id, fingerprint(account), secrets.token_urlsafe(6)])


def reset_url(token: str) -> str:
    """The link in the e-mail: always from ``LMS_PUBLIC_URL`` (see :func:`request_reset`)."""
    return absolute_url("site.reset_password", token=token)


def account_for(session: Session, token: str, now: float | None = None) -> SiteUser | None:
    """The active account ``token`` was made for, if it is genuine, younger than
    ``LMS_PASSWORD_RESET_MINUTES`` and unused (the account's password and sessions unchanged)."""
    if len(token) > 500:
        return None
    try:
        account_id, signed_fingerprint, _nonce = _serializer(now).loads(token, max_age=max_age())
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(account_id, int) or not isinstance(signed_fingerprint, str) or not 0 < account_id < 2**31:
        return None
    account = session.get(SiteUser, account_id)
    if account is None or not account.is_active or not hmac.compare_digest(fingerprint(account), signed_fingerprint):
        return None
    return account


def use_token(session: Session, account: SiteUser) -> bool:
    """Claim the link for this request: False when another request changed the account since it was read
    (a second click on the same link, sent at the same moment). The caller then sets the password."""
    done = cast(CursorResult[Any], session.execute(
        update(SiteUser).where(SiteUser.id == account.id, SiteUser.password_hash == account.password_hash,
                               SiteUser.session_token == account.session_token)
        .values(session_token=new_session_token()).execution_options(synchronize_session=False)))
    return done.rowcount == 1


def request_reset(session: Session, email: str, now: float | None = None) -> bool:
    """Someone asked for a link for ``email``: queue it when an active account uses the address
    (and the address has not been sent too many links). Returns whether one was queued; the page
    must not tell. The work is the same either way, as far as it can be (a look-up of the account and
    of its person, a signed token, a count against the address's limit); only the outbox row differs,
    and nothing is sent inside the request."""
    email = email.strip().lower()
    account = session.scalar(select(SiteUser).where(SiteUser.email == email))
    external_id = identity_of(account).id if account is not None else "site:0"
    person = session.scalar(select(User).where(User.external_id == external_id))
    token = make_token(account if account is not None else SiteUser(id=0, password_hash="", session_token=""), now)
    allowed = state().hit_rate_limit(PER_ADDRESS_LIMIT, "password-reset", hashlib.sha256(email.encode()).hexdigest())
    if account is None or not account.is_active or not allowed:
        return False
    if person is not None and (not person.is_active or person.anonymized_at is not None):
        return False  # deleted from the LMS: its account was closed too, or is about to be
    if public_base() is None:
        # Built from the request, the link would point wherever the asker's Host header says, with a
        # genuine token in it (password-reset poisoning): no link without the configured address.
        current_app.logger.warning("LMS: LMS_PUBLIC_URL is not set, so no password-reset link is sent")
        return False
    language = (person.locale if person is not None and person.locale else None) or current_language()
    params = {"name": person.name if person is not None else account.name, "url": reset_url(token),
              "minutes": int(current_app.config["LMS_PASSWORD_RESET_MINUTES"])}
    queue(session, [Planned(f"reset:{account.id}:{secrets.token_hex(8)}", "password_reset",
                            person.id if person is not None else None, params,
                            to_address=account.email, language=language)])
    return True
