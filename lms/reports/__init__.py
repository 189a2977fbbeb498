"""HR reports: the completion report, the compliance matrix and their exports."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from . import views  # noqa: E402,F401  (registers the routes)
