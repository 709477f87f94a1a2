"""退会: a member leaves; every feature does its own part through ejan.signals.member_leaving."""
from ..features import Feature
from .views import bp

feature = Feature(name="leaving", blueprints=(bp,))
