"""The standalone site: ``flask --app wsgi run`` or ``gunicorn wsgi:app``."""
from lms.site import create_app

app = create_app()
