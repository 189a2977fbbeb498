"""People administration: staff import, invitations, API tokens, anonymisation."""
from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/people")

from . import views  # noqa: E402,F401  (registers the routes)
