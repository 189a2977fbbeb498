"""Translations of the plugin's own strings (gettext domain ``lms``).

Every user-visible string in the plugin goes through these functions. The
locale comes from the user's choice, then the browser's Accept-Language, then
``LMS_DEFAULT_LOCALE``.
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app, g, has_request_context, request, session
from flask_babel import Domain, get_locale

TRANSLATIONS = Path(__file__).parent / "translations"
LANGUAGES = {"ru": "Русский", "en": "English", "ar": "العربية"}
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})

domain = Domain(translation_directories=str(TRANSLATIONS), domain="lms")
gettext = domain.gettext
ngettext = domain.ngettext
lazy_gettext = domain.lazy_gettext
_ = gettext


def select_locale() -> str:
    """The user's choice, then Accept-Language, then ``LMS_DEFAULT_LOCALE``."""
    default = current_app.config.get("LMS_DEFAULT_LOCALE", "ru")
    if not has_request_context():
        return default
    user = getattr(g, "lms_user", None)
    if user is not None and user.locale in LANGUAGES:
        return user.locale
    chosen = session.get("lms_locale")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or default


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "ru"


def text_direction(language: str | None = None) -> str:
    return "rtl" if (language or current_language()) in RTL_LANGUAGES else "ltr"
