"""/healthz, /readyz and /metrics: for load balancers and Prometheus, not for residents."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from . import health, metrics

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up and answers; touches nothing else."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz():
    ready, report = health.readiness(current_app.config, current_app.extensions["ejan.facts"])
    return _no_store(jsonify(report)), 200 if ready else 503


@bp.get("/metrics")
def prometheus():
    if not metrics.allowed(current_app.config, request.remote_addr, request.headers):
        abort(404)  # not 403: the endpoint need not be known to exist
    body = metrics.exposition(current_app.config, current_app.extensions["ejan.facts"])
    return _no_store(current_app.response_class(body, mimetype="text/plain; version=0.0.4; charset=utf-8"))


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
