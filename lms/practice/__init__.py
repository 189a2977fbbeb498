"""Daily practice: a few questions the learner got wrong, brought back each day, with a streak."""
from .views import bp

__all__ = ["bp"]
