"""The map document: every asset from the site itself, every inline block under the nonce, tiles and
their credit from settings, framed only by our pages; Bootstrap never on our own pages."""
from __future__ import annotations

import re

from ejan.maps.categories import CATEGORY_CODES


def test_the_frame_loads_nothing_from_elsewhere_and_marks_every_inline_block(make_member, browser):
    client = browser(make_member())
    response = client.get("/map/frame")
    page = response.get_data(as_text=True)
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f"style-src 'self' 'nonce-{nonce}'" in policy and "frame-ancestors 'self'" in policy
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert len(assets) >= 10 and all(a.startswith("/static/") for a in assets), assets
    for name in ("leaflet.js", "jquery.min.js", "bootstrap.bundle.min.js", "leaflet.awesome-markers.js",
                 "leaflet.markercluster.js", "bootstrap.min.css", "all.min.css", "maps/pins.js"):
        assert any(name in a for a in assets), name
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline and all(f'nonce="{nonce}"' in attrs for _, attrs in inline), inline
    assert page.count("L.markerClusterGroup(") == len(CATEGORY_CODES)


def test_our_pages_stay_unframeable_and_free_of_bootstrap(make_member, browser):
    response = browser(make_member()).get("/map")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    assert "bootstrap" not in page and '<iframe class="map-frame" src="/map/frame' in page


def test_tiles_and_their_credit_come_from_settings(app, make_member, browser):
    client = browser(make_member())
    page = client.get("/map/frame").get_data(as_text=True)
    assert "/static/maps/test-tile.png" in page and "maps.gsi.go.jp" in page  # the default credit
    app.config.update(EJAN_MAP_TILES_URL="https://{s}.tiles.example/{z}/{x}/{y}.png",
                      EJAN_MAP_TILES_ATTRIBUTION="© Example tiles")
    try:
        response = client.get("/map/frame")
        assert "tiles.example" in response.get_data(as_text=True)
        assert "Example tiles" in response.get_data(as_text=True)
        assert "img-src 'self' data: https://*.tiles.example" in response.headers["Content-Security-Policy"]
    finally:
        app.config["EJAN_MAP_TILES_ATTRIBUTION"] = None


def test_the_frame_and_geojson_want_a_login(browser):
    visitor = browser()
    assert visitor.get("/map/frame").status_code == 302
    assert visitor.get("/map").status_code == 302
    assert visitor.get("/api/pins.geojson").status_code == 401
