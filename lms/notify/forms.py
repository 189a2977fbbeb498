"""The forms of the notification pages: a person's e-mail choices and time zone, the organisation's switches."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.validators import ValidationError

from ..core.notify import valid_zone
from ..i18n import current_language
from ..i18n import lazy_gettext as _l

#: the time zones offered on the preferences page (a person's current one is added when it is not here)
COMMON_ZONES = (
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk", "Asia/Novosibirsk",
    "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka",
    "Europe/Minsk", "Europe/Kyiv", "Europe/Istanbul", "Asia/Tbilisi", "Asia/Yerevan", "Asia/Baku", "Asia/Almaty",
    "Asia/Tashkent", "Asia/Bishkek", "Europe/London", "Europe/Berlin", "Europe/Paris", "Africa/Cairo",
    "Africa/Casablanca", "Africa/Algiers", "Africa/Tunis", "Asia/Amman", "Asia/Beirut", "Asia/Baghdad",
    "Asia/Riyadh", "Asia/Kuwait", "Asia/Qatar", "Asia/Dubai", "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo",
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "UTC",
)


def zone_choices(current: str | None, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """``(IANA name, "(UTC+03:00) Moscow")`` for the common zones (and ``current``), in the reader's
    language, ordered by their offset now; the first choice, ``""``, is the organisation's zone."""
    now = now or dt.datetime.now(dt.UTC)
    names = list(COMMON_ZONES)
    if current and current not in names and valid_zone(current):
        names.append(current)
    language = current_language()
    rows = []
    for name in names:
        offset = now.astimezone(ZoneInfo(name)).utcoffset() or dt.timedelta()
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "−"
        label = "UTC" if name == "UTC" else get_timezone_location(name, locale=language, return_city=True)
        rows.append((minutes, label, name, f"(UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}) {label}"))
    rows.sort(key=lambda row: (row[0], row[1]))
    return [(name, text) for _m, _l2, name, text in rows]


class PreferencesForm(FlaskForm):
    """A person's time zone; the e-mail switches are added per kind by :func:`preferences_form`."""

    timezone = SelectField(_l("Your time zone"), choices=[], validate_choice=False)

    def validate_timezone(self, field: SelectField) -> None:
        if field.data and (not valid_zone(field.data) or field.data not in dict(field.choices)):
            raise ValidationError(_l("Choose a time zone from the list."))


def switch_name(kind: str) -> str:
    return f"email_{kind}"


def preferences_form(kinds: Iterable[str], zones: list[tuple[str, str]], default_zone_label: str,
                     **values: object) -> PreferencesForm:
    """The preferences form with one e-mail switch per kind in ``kinds``."""
    form_class = type("KindPreferencesForm", (PreferencesForm,),
                      {switch_name(kind): BooleanField() for kind in kinds})
    form = form_class(**values)
    form.timezone.choices = [("", default_zone_label), *zones]
    return form


class OrganisationForm(FlaskForm):
    """The organisation's switch per kind (added by :func:`organisation_form`)."""


def organisation_form(kinds: Iterable[str], **values: object) -> OrganisationForm:
    form_class = type("KindOrganisationForm", (OrganisationForm,),
                      {switch_name(kind): BooleanField() for kind in kinds})
    return form_class(**values)


class MarkReadForm(FlaskForm):
    """"Mark all as read": a button and its CSRF token."""
