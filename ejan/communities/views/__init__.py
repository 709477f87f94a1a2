"""The communities blueprint: one module of views per part of the feature, all on the one blueprint.

Endpoint names stay `communities.<function>` whichever module a view lives in: templates and tests use them.
"""
from flask import Blueprint

bp = Blueprint("communities", __name__)

from . import directory, events, membership, topics  # noqa: E402,F401  (each registers its routes on bp)
