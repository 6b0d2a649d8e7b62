"""Entry point for gunicorn: `gunicorn wsgi:app` (GALLERY_ENV chooses the configuration)."""
from gallery import create_app

app = create_app()
