"""The learner's side: my training, course pages, and the route that opens an activity."""
from .views import bp

__all__ = ["bp"]
