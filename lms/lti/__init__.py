"""An LTI 1.3 tool (LTI Advantage): platforms such as Moodle and Canvas launch our courses and
modules in their pages, place them by deep linking, receive scores and share rosters.

Built on pylti1p3 (its Flask support) over the database: the platforms registered by an
administrator (``/lti/platforms`` or ``flask lms lti add-platform``), the launch's short-lived
state, used nonces, launches and the scores waiting to be sent. See the README, "LTI 1.3".
"""
from .views import bp

__all__ = ["bp"]
