"""The learner's side: my training, course pages and the activity reader."""
from flask import Blueprint

bp = Blueprint("learn", __name__)

from . import quiz, scenario, views  # noqa: E402,F401  (registers the routes)
