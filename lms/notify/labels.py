"""The names people read for notification kinds and e-mail states (worded at the edge, in the reader's language)."""
from __future__ import annotations

from ..i18n import _


def kind_names() -> dict[str, str]:
    """A short name for each kind a person or the organisation may turn off."""
    return {
        "assigned": _("New course assigned"),
        "due_soon": _("Due date coming up"),
        "overdue": _("Course overdue"),
        "review_released": _("Your work was reviewed"),
        "certificate_issued": _("Certificate issued"),
        "certificate_expiring": _("Certificate about to expire"),
        "reassigned": _("Course assigned again after a certificate expired"),
        "trainer_digest": _("Trainer's weekly summary"),
        "hr_summary": _("Monthly training compliance summary"),
        "refresher": _("Daily practice reminder"),
        "invitation": _("Invitation"),
        "password_reset": _("Password reset"),
        "digest": _("Daily digest"),
    }


def kind_explanations() -> dict[str, str]:
    """One plain sentence on when each choosable kind is sent."""
    return {
        "assigned": _("When a course is assigned to you, with its due date."),
        "due_soon": _("A few days before a course is due, if you have not finished it."),
        "overdue": _("The day after a course was due, then once a week, at most four times."),
        "review_released": _("When a trainer has reviewed your answer and you can see the marks."),
        "certificate_issued": _("When you complete a course and earn a certificate."),
        "certificate_expiring": _("30 days before one of your certificates expires."),
        "reassigned": _("When a certificate has expired and the course is assigned to you again to renew it."),
        "trainer_digest": _("Once a week: who in your groups is behind and which answers wait for your review."),
        "hr_summary": _("Once a month: assigned, completed and overdue courses, and certificates about to expire."),
        "refresher": _("At most one short e-mail a day with the questions you missed, when they are due for "
                       "practice. Off unless you turn it on."),
    }


#: the kinds only some people receive: shown on their preferences page only to those roles
KIND_ROLES: dict[str, tuple[str, ...]] = {"trainer_digest": ("trainer",), "hr_summary": ("hr",)}


def state_names() -> dict[str, str]:
    """What each e-mail state of the outbox means, for the administrator."""
    return {
        "pending": _("Waiting to be sent"),
        "sending": _("Being sent now"),
        "sent": _("Sent"),
        "digested": _("Sent in a daily digest"),
        "folded": _("Waiting for the daily digest"),
        "failed": _("Could not be delivered"),
        "off": _("Not e-mailed (turned off or no address)"),
    }
