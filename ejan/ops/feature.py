"""Operations: health and readiness probes, metrics, one scrubbed log line per request and task."""
from flask import Flask

from .. import security
from ..features import Feature
from . import hooks
from .views import bp


def setup(app: Flask) -> None:
    hooks.init_app(app)
    # Load balancers and Prometheus probe over plain HTTP on the private network, whatever EJAN_HTTPS says.
    security.allow_plain_http(app, "ops.healthz", "ops.readyz", "ops.prometheus")


feature = Feature(
    name="ops",
    blueprints=(bp,),
    setup=setup,
)
