"""The review queue: free-text answers from quizzes and scenarios, marked by trainers."""
from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

from . import views  # noqa: E402,F401  (registers the routes)
