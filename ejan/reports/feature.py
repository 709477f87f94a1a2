"""通報: residents report a diary entry, comment, topic, event or profile to the city's moderators."""
from ..features import Feature
from .targets import kind_label
from .views import bp

feature = Feature(name="reports", blueprints=(bp,), setup=lambda app: app.add_template_global(kind_label, "tsuho_kind_label"))
