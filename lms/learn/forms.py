from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from ..i18n import lazy_gettext as _l


class CompleteForm(FlaskForm):
    """The "mark as done" button of a lesson."""


class EditionForm(FlaskForm):
    language = SelectField(_l("Course language"), choices=[])


class LocaleForm(FlaskForm):
    language = HiddenField()
    next = HiddenField()
