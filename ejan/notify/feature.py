"""Notifications: the in-app list and the mail that other features' events cause."""
from flask_babel import lazy_gettext as _l

from ..features import Feature
from ..navigation import NavLink
from . import wording
from .views import bp

feature = Feature(
    name="notify",
    blueprints=(bp,),
    tasks=("ejan.notify.tasks",),
    receivers=("ejan.notify.receivers",),
    nav=(NavLink("notify.index", _l("お知らせ"), order=60, key="1"),),
    setup=wording.init_app,
)
