"""The read-only JSON API for HR systems, authenticated by API tokens."""
from .views import bp

__all__ = ["bp"]
