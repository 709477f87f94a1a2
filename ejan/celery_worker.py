"""Entry point for workers: `celery -A ejan.celery_worker worker`.

Celery looks for an attribute named `app` first, then `celery`: the Flask app must not be called
`app` here, or the command finds Flask instead of Celery and stops.
"""
from ejan import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
