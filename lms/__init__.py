"""A Flask plugin LMS that trains salespeople to give service that exceeds expectations."""
from .extension import LMS
from .identity import Identity, UserStore
from .state import db_session

__version__ = "0.1.0"
__all__ = ["LMS", "Identity", "UserStore", "db_session", "__version__"]
