"""Notifications: the outbox and e-mail, the bell, people's preferences, one-click unsubscribe."""
from .views import bp

__all__ = ["bp"]
