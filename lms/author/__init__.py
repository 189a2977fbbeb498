"""Authoring in the browser (the studio): the course outline, the editor, versions, publishing."""
from . import play, scenario_map, versions  # noqa: F401  (their routes are on bp)
from .views import bp

__all__ = ["bp"]
