"""The WSGI entry point: `gunicorn wsgi:app`. Settings come from SEARCHSVC_* variables."""

from searchsvc import create_app

app = create_app()
