from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class LogoutForm(FlaskForm):
    pass


class InvitationForm(FlaskForm):
    """A new employee chooses their password (typed twice)."""

    password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=8, max=200, message=_l("Use at least 8 characters."))])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ. Type the same password twice."))])


class ForgotPasswordForm(FlaskForm):
    """Someone who forgot their password asks for a link by e-mail."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])


class ResetPasswordForm(InvitationForm):
    """A new password from a reset link: the same rules as the first one."""
