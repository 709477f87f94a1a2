"""通報: residents report a diary entry, comment, topic, event, pin, damage report or profile to the city's
moderators; admins work the whole queue (ejan/admin), a community's runners their community's part."""
from flask_babel import lazy_gettext as _l

from ..features import Feature, MonthlyCount
from .models import Tsuho
from .targets import kind_label
from .views import bp

feature = Feature(
    name="reports",
    blueprints=(bp,),
    notifications={
        "tsuho_resolved": _l("通報いただいた「%(subject)s」について、管理者が対応しました。ありがとうございました"),
        "tsuho_dismissed": _l("通報いただいた「%(subject)s」を確認しましたが、対応は不要と判断しました"),
        "tsuho_warning": _l("あなたの書き込み「%(subject)s」に通報があり、管理者から注意がありました。利用規約をご確認ください"),
    },
    monthly=(MonthlyCount("tsuho", _l("通報"), Tsuho.created_at, order=80),),
    setup=lambda app: app.add_template_global(kind_label, "tsuho_kind_label"),
)
