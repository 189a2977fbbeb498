"""Authoring in the browser (the studio): the course outline, the editor, versions, publishing."""
from . import versions  # noqa: F401  (its routes are on bp)
from .views import bp

__all__ = ["bp"]
