"""The map's background: tile URL, attribution and the map-service link, all from settings."""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup

GSI_TERMS = "https://maps.gsi.go.jp/development/ichiran.html"


def tiles_url() -> str:
    return current_app.config["EJAN_MAP_TILES_URL"]


def attribution() -> str:
    """The setting, or the Geospatial Information Authority's required credit for 地理院タイル."""
    configured = current_app.config.get("EJAN_MAP_TILES_ATTRIBUTION")
    if configured:
        return configured
    return str(Markup('<a href="{}">{}</a>').format(GSI_TERMS, _("地理院タイル")))


def tile_source() -> str | None:
    """The CSP source the tiles come from ("https://*.example" for {s} subdomains), None for our own."""
    parts = urlsplit(tiles_url().replace("{s}", "subdomain"))
    if not parts.netloc:
        return None
    host = parts.netloc.replace("subdomain", "*")
    return f"{parts.scheme}://{host}"


def place_link(lat: float, lon: float) -> str:
    """The pin's place in a map service (EJAN_MAP_LINK, with {lat} and {lon})."""
    return current_app.config["EJAN_MAP_LINK"].format(lat=quote(f"{lat:.6f}"), lon=quote(f"{lon:.6f}"))



