from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..i18n import lazy_gettext as _l


class RevokeForm(FlaskForm):
    """HR or an admin withdraws a certificate; the reason goes to the audit log."""

    reason = TextAreaField(_l("Reason for revoking"), validators=[
        DataRequired(_l("Say why the certificate is revoked.")), Length(max=500)])
