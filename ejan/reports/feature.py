"""通報: residents report a diary entry, comment, topic, event or profile to the city's moderators."""
from ..features import Feature
from .views import bp

feature = Feature(name="reports", blueprints=(bp,))
