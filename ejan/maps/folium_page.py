"""The PC/smartphone map document, built with Folium, that stays the same size whatever the pin count.

Folium's usual page inlines every marker (20,000 pins in a MarkerCluster: 15 MB of HTML). Here the
document holds only the map, one marker cluster per category (each a layer the layer control
toggles) and a small loader (static/maps/pins.js) that fetches the pins of the visible bounding box
from /api/pins.geojson whenever the map moves.

Every script and stylesheet Folium would take from public CDNs is served from ejan/static/vendor
(a kiosk in a city office may reach nothing else; the licences are in vendor/README.md). The
document is shown in an <iframe> on our own page, so Bootstrap, which Folium brings, styles only
the map and never our pages. Folium writes inline <script> and <style> blocks; `with_nonce` gives
each the response's CSP nonce.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster
from folium.template import Template

from ..geo.boundary import CITY_HALL
from .categories import CATEGORIES

VENDOR = "vendor"
# Folium 0.20's own asset list, name for name, from our static folder. Left out: Bootstrap 3
# glyphicons and folium's icon-rotation sheet, which only icons we never draw would use.
MAP_JS = [
    ("leaflet", "leaflet-1.9.3/leaflet.js"),
    ("jquery", "jquery-3.7.1/jquery.min.js"),
    ("bootstrap", "bootstrap-5.2.2/bootstrap.bundle.min.js"),
    ("awesome_markers", "leaflet.awesome-markers-2.0.2/leaflet.awesome-markers.js"),
]
MAP_CSS = [
    ("leaflet_css", "leaflet-1.9.3/leaflet.css"),
    ("bootstrap_css", "bootstrap-5.2.2/bootstrap.min.css"),
    ("awesome_markers_font_css", "fontawesome-free-6.2.0/css/all.min.css"),
    ("awesome_markers_css", "leaflet.awesome-markers-2.0.2/leaflet.awesome-markers.css"),
]
CLUSTER_JS = [("markerclusterjs", "leaflet.markercluster-1.1.0/leaflet.markercluster.js")]
CLUSTER_CSS = [("markerclustercss", "leaflet.markercluster-1.1.0/MarkerCluster.css"),
               ("markerclusterdefaultcss", "leaflet.markercluster-1.1.0/MarkerCluster.Default.css")]

@dataclass(frozen=True)
class MapOptions:
    geojson_url: str  # where the loader asks for pins
    tiles_url: str
    attribution: str  # HTML, from settings
    categories: tuple[str, ...] = ()  # the layers to draw; empty: all
    period: str = "current"
    place: bool = False  # click-to-place: the adding form's map
    marker: tuple[float, float] | None = None  # where the form's pin stands now
    per_page: int = 500
    max_pages: int = 20  # at most this many pages per view; zoom in to see the rest
    zoom: int = 13
    # Layers other features add (ejan.features.MapLayer), already resolved for this document:
    # (name, label, GeoJSON URL, colour, icon, muted colour) each.
    layers: tuple[tuple[str, str, str, str, str, str], ...] = ()


class PinLoader(JSCSSMixin, MacroElement):
    """The map's one script of our own: fetch the visible pins into each category's cluster."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            EjanPins.attach({{ this._parent.get_name() }}, {
                {%- for code, cluster in this.clusters.items() %}
                {{ code|tojson }}: {{ cluster.get_name() }},
                {%- endfor %}
            }, {{ this.config|tojson }}, {
                {%- for name, group in this.layers.items() %}
                {{ name|tojson }}: {{ group.get_name() }},
                {%- endfor %}
            });
        {% endmacro %}
    """)

    def __init__(self, clusters: dict, config: dict, script_url: str, css_url: str, layers: dict | None = None):
        super().__init__()
        self._name = "EjanPins"
        self.clusters = clusters
        self.layers = layers or {}
        self.config = config
        self.default_js = [("ejan_pins", script_url)]
        self.default_css = [("ejan_pins_css", css_url)]


def _cluster(name: str, radius: int, static_url) -> MarkerCluster:
    """One layer of the layer control: a marker cluster, its assets from our static folder."""
    cluster = MarkerCluster(name=name, show=True, options={"chunkedLoading": True, "maxClusterRadius": radius})
    cluster.default_js = [(n, static_url(f"{VENDOR}/{path}")) for n, path in CLUSTER_JS]
    cluster.default_css = [(n, static_url(f"{VENDOR}/{path}")) for n, path in CLUSTER_CSS]
    return cluster


def build(options: MapOptions, static_url, labels: dict) -> str:
    """The whole document; `with_nonce` makes it one response's.

    static_url(path) gives the (versioned) URL of a file under ejan/static."""
    lat, lon = options.marker or CITY_HALL
    fmap = folium.Map(location=(lat, lon), zoom_start=16 if options.marker else options.zoom, tiles=None,
                      control_scale=True)
    fmap.default_js = [(name, static_url(f"{VENDOR}/{path}")) for name, path in MAP_JS]
    fmap.default_css = [(name, static_url(f"{VENDOR}/{path}")) for name, path in MAP_CSS]
    folium.TileLayer(tiles=options.tiles_url, attr=options.attribution, name=labels["base"],
                     max_zoom=18, max_native_zoom=18).add_to(fmap)
    clusters = {}
    for code in options.categories or tuple(CATEGORIES):
        clusters[code] = _cluster(str(CATEGORIES[code].label), 60, static_url).add_to(fmap)
    # Each feature's layer after the pin categories, a cluster of its own the layer control toggles.
    layers = {}
    for name, label, _url, _colour, _icon, _muted in options.layers:
        layers[name] = _cluster(label, 40, static_url).add_to(fmap)
    config = {
        "url": options.geojson_url,
        "period": options.period,
        "perPage": options.per_page,
        "maxPages": options.max_pages,
        "place": options.place,
        "marker": list(options.marker) if options.marker else None,
        "categories": {code: {"label": str(CATEGORIES[code].label), "colour": CATEGORIES[code].colour,
                              "icon": CATEGORIES[code].icon} for code in clusters},
        "layers": {name: {"label": label, "url": url, "colour": colour, "icon": icon, "mutedColour": muted}
                   for name, label, url, colour, icon, muted in options.layers},
        "labels": {key: str(value) for key, value in labels.items()},
    }
    PinLoader(clusters, config, static_url("maps/pins.js"), static_url("maps/frame.css"), layers).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap.get_root().render()


_INLINE = re.compile(r"<(script|style)>")


def with_nonce(document: str, nonce: str) -> str:
    """Every inline <script> and <style> Folium wrote, marked as this response's own."""
    return _INLINE.sub(lambda m: f'<{m.group(1)} nonce="{nonce}">', document)
