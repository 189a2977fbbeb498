"""The LTI pages' forms: registering a platform, placing a course or module, importing a roster."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional

from ..i18n import lazy_gettext as _l


class PlatformForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    issuer = StringField(_l("Issuer (platform ID)"), validators=[DataRequired(), Length(max=500)])
    client_id = StringField(_l("Client ID"), validators=[DataRequired(), Length(max=255)])
    deployment_ids = TextAreaField(_l("Deployment IDs (one per line)"), validators=[DataRequired(), Length(max=5000)])
    auth_login_url = StringField(_l("Authentication request URL"),
                                 validators=[DataRequired(), URL(require_tld=False), Length(max=500)])
    auth_token_url = StringField(_l("Access token URL"),
                                 validators=[DataRequired(), URL(require_tld=False), Length(max=500)])
    key_set_url = StringField(_l("Public keyset URL"),
                              validators=[DataRequired(), URL(require_tld=False), Length(max=500)])
    auth_audience = StringField(_l("Token audience (only if the platform asks for one)"),
                                validators=[Optional(), Length(max=500)])
    link_by_email = BooleanField(_l("Link people to existing accounts by e-mail address (only for a platform "
                                    "you trust to check addresses)"))


class DeepLinkForm(FlaskForm):
    #: "course" or "course/module"
    target = RadioField(_l("What to place"), validators=[DataRequired()], choices=[])


class EmptyForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
