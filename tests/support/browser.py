"""Helpers for the browser tests."""
from babel.support import Translations

from lms.i18n import TRANSLATIONS


def sign_in(page, base, email="learner@example.com", password="password123"):
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(lambda url: "/login" not in url)  # each role lands on its own work


class Interface:
    """The interface's own words in a language, looked up in the plugin's catalogue: ``t("Start")``."""

    def __init__(self, language: str):
        self.catalogue = Translations.load(str(TRANSLATIONS), [language], domain="lms")

    def __call__(self, msgid: str, **values) -> str:
        text = self.catalogue.gettext(msgid)
        return text % values if values else text

    def plural(self, singular: str, plural: str, num: int) -> str:
        return self.catalogue.ngettext(singular, plural, num) % {"num": num}


def open_menu(page):
    """Unfold the bar's menu (lms/_body.html) where it is folded, on a phone-sized page, so its links show."""
    toggle = page.locator(".lms-menu-toggle")
    if toggle.is_visible() and not page.locator("details.lms-menu").evaluate("menu => menu.open"):
        toggle.click()
