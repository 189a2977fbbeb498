"""Authoring in the browser: edit course files as drafts, preview, publish, roll back."""
from .views import bp

__all__ = ["bp"]
