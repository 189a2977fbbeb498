"""HR reports: the completion report, the compliance matrix and their exports."""
from .views import bp

__all__ = ["bp"]
