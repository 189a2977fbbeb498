from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectMultipleField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from ..core.quiz import parse_number
from ..i18n import _
from ..i18n import lazy_gettext as _l


class PointsField(DecimalField):
    """Points as people type them: ``2,5`` as well as ``2.5``, Arabic-Indic digits too.

    A text input (the template asks for the decimal keyboard): browsers turn ``2,5``
    typed into a number input into ``25`` and refuse Arabic-Indic digits.
    """

    widget = TextInput()

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_number(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(_("Enter the points as a number, for example 2.5.")) from None


class ReviewForm(FlaskForm):
    """A trainer's marks for one answer; empty points mean "the sum of the ticked items"."""

    marks = SelectMultipleField(_l("Rubric"), coerce=int, widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput())
    points = PointsField(_l("Points"), places=2, validators=[Optional()])
    comment = TextAreaField(_l("Comment for the learner"), validators=[Length(max=5000)])

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_points = Decimal(str(review.max_points))
        self.needs_points = not review.rubric
        self.marks.choices = [(index, item["label"]) for index, item in enumerate(review.rubric or [])]

    def validate_points(self, field):
        if field.data is None:
            if self.needs_points:
                raise ValidationError(_("Enter the points: this answer has no checklist to add them up."))
            return
        if not field.data.is_finite() or field.data < 0 or field.data > self.max_points:
            raise ValidationError(_("Give between 0 and %(max)s points.", max=f"{self.max_points:g}"))
