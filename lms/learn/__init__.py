"""The learner's side: my training, course pages, and the route that opens an activity."""
from . import aids  # noqa: F401  (the job aids' route, on the same blueprint)
from .views import bp

__all__ = ["bp"]
