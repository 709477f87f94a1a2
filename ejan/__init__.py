"""e-じゃん掛川: the app factory, as a short list of named steps."""
from __future__ import annotations

import logging

from flask import Flask

from . import config as config_module


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(config_module.load(app.instance_path))
    if config:
        app.config.update(config)
    _configure_logging(app)
    _configure_proxies(app)
    features = _load_features(app)
    _configure_extensions(app, features)
    _configure_routing(app)
    _install_features(app, features)
    _register_template_filters(app)
    _register_cli(app)
    return app


def _configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _configure_proxies(app: Flask) -> None:
    """Behind nginx the client's address arrives in X-Forwarded-For; trust only as many hops as configured,
    or anyone could pick a fresh address (and a fresh login allowance) per request."""
    hops = app.config["EJAN_PROXY_COUNT"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _load_features(app: Flask):
    from . import features

    return features.load(app)


def _configure_extensions(app: Flask, features) -> None:
    from . import dbutil, i18n, mobile, request_size, security, sessions, static_files
    from .extensions import cache, csrf, db, limiter, login_manager, migrate
    from .features import task_modules
    from .tasks import init_celery

    request_size.init_app(app)
    db.init_app(app)
    dbutil.tune_engine(app)
    cache.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    _configure_login()
    sessions.init_app(app)
    mobile.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    init_celery(app, task_modules(features))


def _configure_routing(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    from .dbutil import ID_MAX

    class IdConverter(IntegerConverter):
        """Ids fit the database's integer: /diary/99999999999999999999 is a plain 404, not an overflow."""

        def __init__(self, map, *args, **kwargs):
            kwargs.setdefault("max", ID_MAX)
            super().__init__(map, *args, **kwargs)

    app.url_map.converters["int"] = IdConverter


def _configure_login() -> None:
    from flask_babel import lazy_gettext

    from .extensions import login_manager
    from .members.services import load_member

    login_manager.user_loader(load_member)
    login_manager.login_view = "members.login"
    login_manager.login_message = lazy_gettext("ログインしてください。")
    login_manager.localize_callback = str  # flash a plain string: the session is stored as JSON


def _install_features(app: Flask, features) -> None:
    from .features import install

    install(app, features)


def _register_template_filters(app: Flask) -> None:
    from . import text, urls

    text.init_app(app)
    urls.init_app(app)


def _register_cli(app: Flask) -> None:
    from .cli import ejan_cli

    app.cli.add_command(ejan_cli)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"
