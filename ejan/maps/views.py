"""The map: Folium page for PCs and smartphones, lists for keitai, GeoJSON for the map and other systems."""
from flask import Blueprint

from . import services  # noqa: F401  (the models join the metadata with the blueprint)

bp = Blueprint("maps", __name__)
