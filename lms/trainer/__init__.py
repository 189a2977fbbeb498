"""The trainer's workspace: groups, assignments, dashboards and learner pages."""
from .views import bp

__all__ = ["bp"]
