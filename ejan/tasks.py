"""Celery bound to the Flask app: every task runs inside an app context."""
from __future__ import annotations

from importlib import import_module

from celery import Task
from flask import Flask, has_app_context

from .extensions import celery

# Every module that defines tasks; a worker must know them all before its first message arrives.
TASK_MODULES = ("ejan.notify.tasks",)


class AppContextTask(Task):
    def __call__(self, *args, **kwargs):
        # Eager tasks already run inside the request's app context; worker tasks need one.
        if has_app_context():
            return self.run(*args, **kwargs)
        with self.app.flask_app.app_context():
            return self.run(*args, **kwargs)


def init_celery(app: Flask) -> None:
    celery.conf.update(app.config["CELERY"], imports=TASK_MODULES)
    celery.flask_app = app
    celery.set_default()
    app.extensions["celery"] = celery
    for module in TASK_MODULES:
        import_module(module)
