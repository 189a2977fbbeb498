from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..i18n import lazy_gettext as _l


class ImportForm(FlaskForm):
    """HR uploads a staff CSV."""

    file = FileField(_l("Staff file (CSV)"), validators=[FileRequired(_l("Choose a CSV file to upload."))])


class DeleteForm(FlaskForm):
    """Deleting an employee erases who they were; the box makes it deliberate."""

    confirm = BooleanField(_l("I understand that this person's name and e-mail are erased for good."),
                           validators=[DataRequired(_l("Tick the box to confirm the deletion."))])


class InviteForm(FlaskForm):
    pass


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the token a name, e.g. the system using it.")),
                                               Length(max=100)])
    scope = SelectField(_l("Scope"), choices=["reports:read"], default="reports:read")


class RevokeTokenForm(FlaskForm):
    pass


class EndSessionsForm(FlaskForm):
    """An administrator signs someone out everywhere; the box makes it deliberate."""

    confirm = BooleanField(_l("I understand that they must sign in again on every device."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
