from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..i18n import lazy_gettext as _l


class GroupForm(FlaskForm):
    """A new group."""

    name = StringField(_l("Group name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("team", _l("Team")), SelectChoice("store", _l("Store")),
                                            SelectChoice("department", _l("Department"))], default="team")


class MembersForm(FlaskForm):
    """One e-mail, or a pasted list, to add to a group."""

    emails = TextAreaField(_l("E-mails"), validators=[DataRequired(), Length(max=100_000)],
                           description=_l("One e-mail, or a list: one a line, or separated by commas."))
    role = SelectField(_l("Add as"), choices=[SelectChoice("member", _l("Learner")),
                                              SelectChoice("trainer", _l("Trainer"))], default="member")


class AssignForm(FlaskForm):
    """A course for a group or a person, with an optional due date."""

    course = SelectField(_l("Course"), coerce=int, choices=[], validators=[DataRequired()])
    due_date = DateField(_l("Due date (optional)"), validators=[Optional()])


class ActionForm(FlaskForm):
    """A button that changes something (remove a member, end an assignment): CSRF only."""
