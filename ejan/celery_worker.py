"""Entry point for workers: `celery -A ejan.celery_worker worker`."""
from ejan import create_app

app = create_app()
celery = app.extensions["celery"]
