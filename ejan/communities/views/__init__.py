"""The communities views: one module per part of the feature, all on the one blueprint.

Endpoint names stay `communities.<function>` whichever module a view lives in: templates and tests use them.
"""
from . import directory, events, membership, topics  # noqa: F401  (importing each registers its routes)
from .blueprint import bp  # noqa: F401  (what feature.py installs)
