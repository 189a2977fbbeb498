"""A trainer's day in one journey, in Russian and in Arabic (right to left).

The trainer assigns a course with a due date, reviews a learner's written reply,
fixes the wording of a quiz question in the editor and publishes it; the learner,
in a browser of their own, sees the due date, the review and the fixed question.
Interface strings come from the plugin's catalogues, so each run reads the page
the way a user of that language does.
"""
import datetime as dt
import re

import pytest
from babel.dates import format_date
from babel.support import Translations
from playwright.sync_api import expect

from lms.i18n import TRANSLATIONS

from support import make_editor
from support.browser import open_menu

pytestmark = pytest.mark.browser

COURSE = "/training/courses/sample"
OLD_QUESTION = "Сколько минут на ответ?"
FIXED_QUESTION = "За сколько минут нужно ответить на заявку?"
#: the browser's locale, the page direction, the course title and a group name in each language
LANGUAGES = {
    "ru": ("ru-RU", "ltr", "Основы сервиса", "Магазин на Арбате"),
    "ar": ("ar", "rtl", "أساسيات الخدمة", "فرع الرياض"),
}


def open_page(browser, locale: str):
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def sign_in(page, base: str, email: str, _) -> None:
    page.goto(f"{base}/login")
    page.get_by_label(_("E-mail"), exact=True).fill(email)
    page.get_by_label(_("Password"), exact=True).fill("password123")
    page.get_by_role("button", name=_("Sign in")).click()
    page.wait_for_url(lambda url: "/login" not in url)  # each role lands on its own work
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_trainer_assigns_reviews_fixes_a_question_and_the_learner_sees_it(
        language, browser, live_server, auth, sample_course):
    locale, direction, title, group = LANGUAGES[language]
    _ = Translations.load(str(TRANSLATIONS), [language], "lms").gettext
    auth.create("trainer@example.com", "Тимур Тренер", ("trainer",))
    auth.create("learner@example.com", "Анна Петрова")
    make_editor(auth.app, sample_course, "trainer@example.com")  # a trainer edits only the courses given to them
    trainer_context, trainer = open_page(browser, locale)
    learner_context, learner = open_page(browser, locale)
    try:
        sign_in(trainer, live_server, "trainer@example.com", _)
        expect(trainer.locator("html")).to_have_attribute("dir", direction)
        expect(trainer.locator("html")).to_have_attribute("lang", language)

        # 1. a group with the learner in it, and the course assigned with a due date
        expect(trainer.get_by_role("heading", name=_("Groups"), level=1)).to_be_visible()  # where a trainer lands
        open_menu(trainer)
        trainer.get_by_role("link", name=_("Groups")).click()
        trainer.get_by_label(_("Group name")).fill(group)
        trainer.get_by_role("button", name=_("Create group")).click()
        expect(trainer.get_by_role("heading", name=group, level=1)).to_be_visible()
        trainer.get_by_label(_("E-mails"), exact=True).fill("learner@example.com")
        trainer.get_by_role("button", name=_("Add"), exact=True).click()
        expect(trainer.get_by_role("row", name=re.compile("Анна Петрова"))).to_be_visible()
        trainer.get_by_role("navigation", name=_("Group")).get_by_role("link", name=_("Courses")).click()
        due = dt.date.today() + dt.timedelta(days=14)
        trainer.get_by_label(_("Course"), exact=True).select_option(label=title)
        trainer.get_by_label(_("Due date (optional)")).fill(due.isoformat())
        trainer.get_by_role("button", name=_("Assign"), exact=True).click()
        expect(trainer.locator(".flashes")).to_contain_text(_("“%(course)s” assigned.") % {"course": title})

        sign_in(learner, live_server, "learner@example.com", _)
        expect(learner.locator("html")).to_have_attribute("dir", direction)
        card = learner.get_by_role("listitem").filter(has=learner.get_by_role("heading", name=title))
        expect(card).to_contain_text(_("Due %(date)s") % {"date": format_date(due, locale=language)})

        # 2. the learner writes a reply in the role-play; the trainer marks it
        learner.goto(f"{live_server}{COURSE}/02-practice/02-call")
        learner.get_by_role("button", name=_("Start the conversation")).click()
        learner.get_by_role("button", name="Завтра к 12:00, обещаю.").click()
        learner.get_by_role("button", name="Извиниться и объяснить задержку письмом.").click()
        learner.get_by_label("Напишите письмо клиенту").fill("Простите за задержку! Заказ будет у вас сегодня в 15:00.")
        learner.get_by_label("назвали точное время").check()
        learner.get_by_role("button", name=_("Send reply")).click()
        expect(learner.locator(".scenario-ending")).to_contain_text(_(
            "Your written reply has gone to a trainer. You will see the marks and a comment here after the review."))

        trainer.reload()
        open_menu(trainer)
        reviews = trainer.get_by_role("link", name=re.compile("^" + re.escape(_("Reviews"))))
        expect(reviews).to_contain_text("1")
        reviews.click()
        expect(trainer.get_by_role("heading", name=_("Answers to review"))).to_be_visible()
        trainer.get_by_role("link", name=_("Review this answer")).click()
        expect(trainer.locator(".review-answer")).to_have_text("Простите за задержку! Заказ будет у вас сегодня в 15:00.")
        rubric = trainer.get_by_role("group", name=_("Tick what the answer does"))
        rubric.get_by_label("извинились").check()
        rubric.get_by_label("назвали точное время").check()
        trainer.get_by_label(_("Comment for the learner")).fill("Точное время — отлично.")
        trainer.get_by_role("button", name=_("Release the result")).click()
        expect(trainer.locator(".flashes")).to_contain_text(_("The result is released. The learner can see it now."))
        expect(trainer.get_by_text(_("Nothing to review. Well done!"))).to_be_visible()

        learner.reload()
        released = learner.locator(".released-review")
        expect(released.get_by_role("heading", name=_("Trainer's review"))).to_be_visible()
        expect(released).to_contain_text("Точное время — отлично.")

        # 3. the trainer rewords a quiz question in the editor and publishes
        open_menu(trainer)
        trainer.get_by_role("link", name=_("Courses"), exact=True).click()
        trainer.get_by_role("link", name="Основы сервиса").click()
        trainer.locator(".outline").get_by_role("link", name="Проверка знаний").click()  # the quiz, by its title
        editor = trainer.get_by_label(_("Source (Markdown)"))
        text = editor.input_value()
        assert f"## {OLD_QUESTION} {{#speed}}" in text
        editor.fill(text.replace(OLD_QUESTION, FIXED_QUESTION))
        trainer.get_by_role("button", name=_("Save draft")).click()
        expect(trainer.locator(".flashes")).to_contain_text(_("Draft saved. Learners see it after you publish."))
        trainer.get_by_role("navigation", name=_("Breadcrumbs")).get_by_role("link", name="sample").click()
        trainer.get_by_label(_("What changed in this version?")).fill("Вопрос о сроках переформулирован")
        trainer.get_by_role("button", name=_("Publish"), exact=True).click()
        expect(trainer.locator(".flashes")).to_contain_text(
            _("Published version %(number)s. Learners now see it.") % {"number": 2})

        # 4. the learner's quiz asks the fixed question
        learner.goto(f"{live_server}{COURSE}/02-practice/03-quiz")
        learner.get_by_role("button", name=_("Start the quiz")).click()
        first = learner.get_by_role("group").filter(has_text=FIXED_QUESTION)
        expect(first).to_be_visible()
        expect(learner.locator(".quiz-form")).not_to_contain_text(OLD_QUESTION)
    finally:
        trainer_context.close()
        learner_context.close()
