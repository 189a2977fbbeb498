"""Authoring in the browser: edit course files as drafts, preview, publish, roll back."""
from flask import Blueprint

bp = Blueprint("author", __name__, url_prefix="/author")

from . import views  # noqa: E402,F401  (registers the routes)
