"""What every request and every task leaves behind: a scrubbed log line and its metrics."""
from __future__ import annotations

import logging

from celery import signals
from flask import Flask, g, request

from . import logs, metrics, scrub

_started: dict[str, float] = {}  # task id -> perf counter, for tasks running in this process


def init_app(app: Flask) -> None:
    if not app.debug and not app.testing:
        logs.install_root_handler()
    else:
        logs.scrub_handlers(logging.getLogger())

    @app.before_request
    def start_clock():
        g.ops_started = logs.clock()
        if not app.extensions.get("ejan.ops.scrub_registered"):
            register_secrets(app)  # every feature's routes are there by the first request

    @app.after_request
    def log_and_count(response):
        started = g.pop("ops_started", None)
        if started is None:  # a request stopped before our first hook (body too large): still counted
            started = logs.clock()
        seconds = logs.clock() - started
        endpoint = request.url_rule.endpoint if request.url_rule else None
        metrics.observe_request(endpoint, request.method, response.status_code, seconds)
        logs.log_request(method=request.method, path=request.path,
                         query=request.query_string.decode("latin-1"), status=response.status_code,
                         seconds=seconds, endpoint=endpoint, member_id=_member_id())
        return response

    _connect_task_signals(app)


def register_secrets(app: Flask) -> None:
    """Tell the scrubber this app's session parameter and the routes whose path holds a token."""
    scrub.register(params=(app.config["EJAN_SESSION_PARAM"],), path_prefixes=token_route_prefixes(app))
    app.extensions["ejan.ops.scrub_registered"] = True


def _member_id() -> int | None:
    # Only a member the request already loaded: logging must not cost a query.
    member = g.get("_login_user")
    return getattr(member, "id", None) if member is not None and member.is_authenticated else None


def token_route_prefixes(app: Flask) -> list[str]:
    """The fixed start of every route with a <token> in its path (what follows it is a credential)."""
    prefixes = []
    for rule in app.url_map.iter_rules():
        if any("token" in argument or argument.endswith("key") for argument in rule.arguments):
            static = rule.rule.split("<", 1)[0]
            if static.endswith("/") and static != "/":
                prefixes.append(static)
    return prefixes


def _connect_task_signals(app: Flask) -> None:
    # Signals are process-wide; a test process makes many apps: read the one Celery is bound to now.
    def bound_app(task) -> Flask:
        return getattr(task.app, "flask_app", None) or app

    def prerun(task_id=None, task=None, **_):
        _started[task_id] = logs.clock()

    def postrun(task_id=None, task=None, state=None, **_):
        started = _started.pop(task_id, None)
        seconds = None if started is None else logs.clock() - started
        req = task.request
        delivery = getattr(req, "delivery_info", None) or {}
        logs.log_task(name=task.name, task_id=task_id, state=state or "UNKNOWN", seconds=seconds,
                      retries=req.retries or 0, queue=delivery.get("routing_key"), worker=req.hostname)
        metrics.count_task(bound_app(task).config, task.name, state or "UNKNOWN")

    def worker_logging(logger=None, **_):
        # Celery set up its own handlers: one JSON line per record there too, scrubbed (the app is
        # loaded by now, its routes known).
        from ..extensions import celery

        register_secrets(getattr(celery, "flask_app", None) or app)
        logger = logger or logging.getLogger()
        for handler in logger.handlers:
            handler.setFormatter(logs.JsonLines())
        logs.scrub_handlers(logger)

    # The uid keeps one receiver however many apps a test process makes.
    signals.task_prerun.connect(prerun, weak=False, dispatch_uid="ejan.ops.prerun")
    signals.task_postrun.connect(postrun, weak=False, dispatch_uid="ejan.ops.postrun")
    signals.after_setup_logger.connect(worker_logging, weak=False, dispatch_uid="ejan.ops.logger")
    signals.after_setup_task_logger.connect(worker_logging, weak=False, dispatch_uid="ejan.ops.task_logger")
