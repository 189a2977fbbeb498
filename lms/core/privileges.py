"""Who may act on whose account: the one rule behind every people-administration action.

Roles are ordered ``learner < trainer < hr < admin``. Nobody may act on an account
with more privileges than their own, and HR's equals are out of reach too: HR
manages learners and trainers, administrators manage anyone, nobody else manages
accounts. "Acting" is inviting someone to set a password, changing who they are
(a staff import), deleting them, or ending their sessions.
"""
from __future__ import annotations

from collections.abc import Iterable

#: The roles from the least to the most privileged.
ROLE_ORDER: tuple[str, ...] = ("learner", "trainer", "hr", "admin")
#: The accounts HR may manage hold only these roles.
HR_MANAGES: frozenset[str] = frozenset({"learner", "trainer"})


def may_manage(actor_roles: Iterable[str], target_roles: Iterable[str]) -> bool:
    """Whether someone with ``actor_roles`` may act on an account with ``target_roles``.

    Unknown role names count as privileged (an account holding one is not HR's to manage).
    """
    actor = frozenset(actor_roles)
    if "admin" in actor:
        return True
    if "hr" in actor:
        return frozenset(target_roles) <= HR_MANAGES
    return False
