"""People administration: staff import, invitations, API tokens, anonymisation."""
from .views import bp

__all__ = ["bp"]
