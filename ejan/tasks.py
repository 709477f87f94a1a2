"""Celery bound to the Flask app: every task runs inside an app context."""
from __future__ import annotations

from importlib import import_module

from celery import Task
from flask import Flask, has_app_context

from .extensions import celery

class AppContextTask(Task):
    def __call__(self, *args, **kwargs):
        # Eager tasks already run inside the request's app context; worker tasks need one.
        if has_app_context():
            return self.run(*args, **kwargs)
        with self.app.flask_app.app_context():
            return self.run(*args, **kwargs)


def init_celery(app: Flask, task_modules: tuple[str, ...]) -> None:
    """Bind Celery to the app; `task_modules` are every feature's, as a worker must know them all
    before its first message arrives."""
    celery.conf.update(app.config["CELERY"], imports=task_modules)
    celery.flask_app = app
    celery.set_default()
    app.extensions["celery"] = celery
    for module in task_modules:
        import_module(module)


def on_beat(name: str, task: str, schedule) -> None:
    """Run `task` on Celery beat's schedule (`celery -A ejan.celery_worker:celery beat`, exactly one per
    site): a feature calls this from its setup; `schedule` is seconds or a celery.schedules.crontab."""
    celery.conf.beat_schedule = {**(celery.conf.beat_schedule or {}), name: {"task": task, "schedule": schedule}}
