"""The trainer's workspace: groups, assignments, dashboards and learner pages."""
from flask import Blueprint

bp = Blueprint("trainer", __name__, url_prefix="/trainer")

from . import views  # noqa: E402,F401  (registers the routes)
