"""The city map: pins by category, shelters, GeoJSON."""
from ..features import Feature
from .views import bp

feature = Feature(name="maps", blueprints=(bp,))
