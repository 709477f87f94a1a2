"""Notifications: the in-app list and the mail that other features' events cause, with each member's
preferences, keitai addresses, bounces, broadcasts in batches and the workers' heartbeat."""
from flask_babel import lazy_gettext as _l

from ..features import Fact, Feature
from ..navigation import NavLink
from . import admin, heartbeat, wording
from .views import bp


def setup(app) -> None:
    from ..extensions import celery
    from . import admin, heartbeat

    wording.init_app(app)
    heartbeat.schedule(app, celery)

    @app.context_processor
    def workers_banner():
        from flask_login import current_user

        # One query, for admins only: are the Celery workers beating?
        return {"workers_silent": lambda: admin.workers_silent(current_user)}


feature = Feature(
    name="notify",
    blueprints=(bp,),
    tasks=("ejan.notify.tasks",),
    receivers=("ejan.notify.receivers", "ejan.notify.leaving"),
    nav=(NavLink("notify.index", _l("お知らせ"), order=60, key="1"),),
    facts={
        "worker_heartbeat_age_seconds": Fact(heartbeat.age_seconds, "Seconds since a Celery worker last beat",
                                             ready=True),
        "broadcast_deliveries": Fact(admin.progress_counts, "Deliveries of the last day's broadcasts, by state"),
    },
    admin_links=(NavLink("notify.admin_broadcasts", _l("一斉送信の状況"), order=30),
                 NavLink("notify.admin_bounces", _l("届かなかったアドレス"), order=31)),
    setup=setup,
)
