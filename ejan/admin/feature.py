"""Administration (/admin): the audit log, members, the 通報 queue, announcements, monthly statistics,
and a menu of every feature's admin pages."""
from flask import Flask
from flask_babel import lazy_gettext as _l

from ..features import Feature
from ..navigation import NavLink
from . import pageviews
from .views import bp


def setup(app: Flask) -> None:
    from . import announcements

    pageviews.init_app(app)
    # The top page shows the announcements in force without the site feature knowing this one.
    app.add_template_global(announcements.current, "current_announcements")


feature = Feature(
    name="admin",
    blueprints=(bp,),
    receivers=("ejan.admin.audit",),
    admin_links=(
        NavLink("admin.member_search", _l("会員"), order=1),
        NavLink("admin.tsuho_queue", _l("通報"), order=2),
        NavLink("admin.announcement_list", _l("お知らせの掲載"), order=3),
        NavLink("admin.statistics", _l("月ごとの統計"), order=4),
        NavLink("admin.audit_log", _l("操作の記録"), order=5),
    ),
    setup=setup,
)
