"""Certificates: issued on completion, verifiable by anyone, with expiry and revocation."""
from flask import Blueprint

bp = Blueprint("certificates", __name__)

from . import views  # noqa: E402,F401  (registers the routes)
