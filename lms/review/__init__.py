"""The review queue: free-text answers from quizzes and scenarios, marked by trainers."""
from .views import bp

__all__ = ["bp"]
