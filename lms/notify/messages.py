"""What each kind of notification says, in the recipient's language.

A notification's ``params`` are plain values stored when it was planned; :func:`compose`
words them as a :class:`Message` (subject, lines, one action) under ``force_locale``, and
:func:`render` lays the message out as plain text and as HTML (one template pair for every
kind, ``lms/email/message.txt`` and ``.html``, right-to-left for Arabic).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_date

from ..i18n import _, ngettext, text_direction


@dataclass(frozen=True)
class Message:
    subject: str
    lines: tuple[str, ...] = ()
    #: the button: (label, absolute address)
    action: tuple[str, str] | None = None
    #: a short list (the digest's entries, who is behind)
    items: tuple[str, ...] = ()
    #: the bell's one-line summary (defaults to the subject)
    summary: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _date(value: str | None) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value[:10])
    text = format_date(day, format="long")
    # Russian's long date ends with "г.", and the sentences put their own full stop after a date
    return format_date(day, format="d MMMM y") if text.endswith(".") else text


def _assigned(p: dict[str, Any], link: str) -> Message:
    lines = [_("You have a new course to take: %(course)s.", course=p["course"])]
    if p.get("due"):
        lines.append(_("Please complete it by %(date)s.", date=_date(p["due"])))
    return Message(_("New course: %(course)s", course=p["course"]), tuple(lines), (_("Open the course"), link))


def _due_soon(p: dict[str, Any], link: str) -> Message:
    left = int(p.get("days_left", 0))
    if left == 0:
        subject = _("%(course)s is due today", course=p["course"])
    else:
        subject = ngettext("%(course)s is due in %(num)s day", "%(course)s is due in %(num)s days", left,
                           course=p["course"])
    return Message(subject, (_("The due date is %(date)s. Continue where you stopped.", date=_date(p["due"])),),
                   (_("Continue the course"), link))


def _overdue(p: dict[str, Any], link: str) -> Message:
    late = int(p.get("days_late", 1))
    return Message(_("%(course)s is overdue", course=p["course"]),
                   (ngettext("It was due on %(date)s, %(num)s day ago.", "It was due on %(date)s, %(num)s days ago.",
                             late, date=_date(p["due"])),
                    _("Your trainer can see that it is not finished yet. A few minutes a day is enough.")),
                   (_("Continue the course"), link))


def _review_released(p: dict[str, Any], link: str) -> Message:
    return Message(_("Your work was reviewed: %(activity)s", activity=p["activity"]),
                   (_("Your trainer reviewed your answer in %(course)s. See the marks and the comment.",
                      course=p["course"]),),
                   (_("See the review"), link))


def _certificate_issued(p: dict[str, Any], link: str) -> Message:
    lines = [_("Congratulations! You completed %(course)s and earned a certificate.", course=p["course"])]
    if p.get("verify_url"):
        lines.append(_("Anyone can check it at %(url)s", url=p["verify_url"]))
    return Message(_("Your certificate: %(course)s", course=p["course"]), tuple(lines),
                   (_("Download the certificate"), link))


def _certificate_expiring(p: dict[str, Any], link: str) -> Message:
    return Message(_("Your certificate for %(course)s expires on %(date)s", course=p["course"], date=_date(p["expires"])),
                   (_("When it expires, the course is assigned to you again so you can renew it."),),
                   (_("See your certificates"), link))


def _reassigned(p: dict[str, Any], link: str) -> Message:
    lines = [_("Your certificate for %(course)s has expired, so the course is assigned to you again.",
               course=p["course"])]
    if p.get("due"):
        lines.append(_("Please complete it by %(date)s.", date=_date(p["due"])))
    return Message(_("Renew your certificate: %(course)s", course=p["course"]), tuple(lines),
                   (_("Open the course"), link))


def _trainer_digest(p: dict[str, Any], link: str) -> Message:
    behind = [_("%(name)s: %(course)s, due %(date)s", name=row["name"], course=row["course"], date=_date(row["due"]))
              for row in p.get("behind", [])]
    lines = [ngettext("%(num)s person is behind.", "%(num)s people are behind.", int(p.get("behind_count", 0))),
             ngettext("%(num)s answer is waiting for your review.", "%(num)s answers are waiting for your review.",
                      int(p.get("reviews", 0)))]
    return Message(_("Your week: who is behind and what waits for review"), tuple(lines),
                   (_("Open your groups"), link), tuple(behind))


def _hr_summary(p: dict[str, Any], link: str) -> Message:
    lines = (_("Assigned courses: %(total)s; completed: %(done)s; overdue: %(overdue)s.",
               total=p.get("total", 0), done=p.get("completed", 0), overdue=p.get("overdue", 0)),
             ngettext("%(num)s certificate expires in the next 30 days.",
                      "%(num)s certificates expire in the next 30 days.", int(p.get("expiring", 0))))
    return Message(_("Training compliance, %(month)s", month=p.get("month", "")), lines,
                   (_("Open the reports"), link))


def _refresher(p: dict[str, Any], link: str) -> Message:
    count = int(p.get("count", 0))
    return Message(ngettext("2 minutes: %(num)s question you missed", "2 minutes: %(num)s questions you missed", count),
                   (_("Answering them again a few days apart is how they stay with you."),),
                   (_("Practise now"), link))


def _invitation(p: dict[str, Any], link: str) -> Message:
    return Message(_("Your training account is ready"),
                   (_("Hello, %(name)s!", name=p.get("name", "")),
                    ngettext("Choose your password to start your training. The link works once and for %(num)s day.",
                             "Choose your password to start your training. The link works once and for %(num)s days.",
                             int(p.get("days", 7)))),
                   (_("Choose your password"), p.get("url", link)))


def _password_reset(p: dict[str, Any], link: str) -> Message:
    return Message(_("Choose a new password"),
                   (_("Someone (we hope you) asked to reset the password of this account."),
                    _("The link works once, for %(minutes)s minutes. If you did not ask, ignore this e-mail: "
                      "your password stays as it is.", minutes=p.get("minutes", 60))),
                   (_("Choose a new password"), p.get("url", link)))


def _digest(p: dict[str, Any], link: str) -> Message:
    items = tuple(p.get("items", []))
    return Message(ngettext("%(num)s more notification today", "%(num)s more notifications today", len(items)),
                   (_("You already had an e-mail of each of these kinds today, so they come together:"),),
                   (_("See all notifications"), link), items)


COMPOSERS: dict[str, Callable[[dict[str, Any], str], Message]] = {
    "assigned": _assigned, "due_soon": _due_soon, "overdue": _overdue, "review_released": _review_released,
    "certificate_issued": _certificate_issued, "certificate_expiring": _certificate_expiring,
    "reassigned": _reassigned, "trainer_digest": _trainer_digest, "hr_summary": _hr_summary,
    "refresher": _refresher, "invitation": _invitation, "password_reset": _password_reset, "digest": _digest,
}


#: the values that are names and titles (written in any script): isolated in a right-to-left message
ISOLATED = ("course", "activity", "name")


def isolate(params: dict[str, Any]) -> dict[str, Any]:
    """Titles and names wrapped in Unicode isolates (FSI…PDI), so a Latin or Cyrillic course title
    keeps its place and its own direction inside an Arabic sentence."""
    def wrap(key: str, value: Any) -> Any:
        if isinstance(value, str) and key in ISOLATED and value:
            return "\u2068" + value + "\u2069"
        if isinstance(value, dict):
            return {k: wrap(k, v) for k, v in value.items()}
        if isinstance(value, list):
            return [wrap(key, v) for v in value]
        return value

    return {key: wrap(key, value) for key, value in params.items()}


def compose(kind: str, params: dict[str, Any], link: str, language: str) -> Message:
    """The message of a notification of ``kind``, worded in ``language``."""
    if text_direction(language) == "rtl":
        params = isolate(params)
    with force_locale(language):
        return COMPOSERS[kind](params, link)


def subject_of(kind: str, params: dict[str, Any], language: str) -> str:
    """A notification's one line (the bell's entry, the digest's list)."""
    return compose(kind, params, "", language).subject


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(message: Message, language: str, name: str, unsubscribe_url: str | None,
           preferences_url: str | None) -> Rendered:
    """The message as plain text and HTML in ``language`` (the layout's own words too)."""
    organisation = current_app.config.get("LMS_ORGANISATION") or ""
    with force_locale(language):
        context = dict(message=message, language=language, direction=text_direction(language), name=name,
                       unsubscribe_url=unsubscribe_url, preferences_url=preferences_url, organisation=organisation)
        # straight from the environment: an e-mail has no request, and the pages' context
        # processors (the signed-in person, the menu) have no place in it
        environment = current_app.jinja_env
        text = environment.get_template("lms/email/message.txt").render(**context, _=_, ngettext=ngettext)
        html = environment.get_template("lms/email/message.html").render(**context, _=_, ngettext=ngettext)
    return Rendered(message.subject, text, html)
