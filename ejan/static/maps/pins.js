/* The map's pins, loaded for the visible bounding box from /api/pins.geojson (ejan/maps/folium_page.py),
   and the layers other features add (ejan.features.MapLayer), each from its own GeoJSON URL, same bbox.
   Pin texts are residents' words: they reach the page only through textContent, never as HTML. */
(function () {
  "use strict";

  function popup(props, category, labels) {
    var box = document.createElement("div");
    box.className = "ejan-popup";
    var kind = document.createElement("div");
    kind.className = "ejan-popup-kind";
    kind.textContent = category.label + (props.shelter_status_label ? " · " + props.shelter_status_label : "");
    var link = document.createElement("a");
    link.href = props.url;
    link.target = "_top";  // the pin page replaces the whole page, not the map frame
    link.textContent = props.title;
    box.appendChild(kind);
    box.appendChild(link);
    if (props.hidden) {
      var hidden = document.createElement("div");
      hidden.textContent = labels.hidden;
      box.appendChild(hidden);
    }
    return box;
  }

  function layerPopup(props, layer) {
    var box = document.createElement("div");
    box.className = "ejan-popup";
    var kind = document.createElement("div");
    kind.className = "ejan-popup-kind";
    kind.textContent = layer.label;
    box.appendChild(kind);
    if (props.badge) {
      var badge = document.createElement("span");
      badge.className = "ejan-popup-badge" + (props.muted ? " muted" : "");
      badge.textContent = props.badge;
      box.appendChild(badge);
      box.appendChild(document.createTextNode(" "));
    }
    var link = document.createElement("a");
    link.href = props.url;
    link.target = "_top";
    link.textContent = props.title;
    box.appendChild(link);
    return box;
  }

  function attach(map, clusters, config, layers) {
    var seen = {};
    var current = null;  // the latest view's load: answers for older views are dropped
    layers = layers || {};
    var layerSeen = {};
    Object.keys(layers).forEach(function (name) { layerSeen[name] = {}; });

    function addToLayer(name, features) {
      var layer = config.layers[name];
      var markers = [];
      features.forEach(function (feature) {
        var props = feature.properties || {};
        if (layerSeen[name][props.id] || !feature.geometry) { return; }
        layerSeen[name][props.id] = true;
        var coordinates = feature.geometry.coordinates;
        var title = props.badge ? props.badge + " " + props.title : props.title;
        var marker = L.marker([coordinates[1], coordinates[0]], {
          title: title,
          alt: title,
          icon: L.AwesomeMarkers.icon({icon: layer.icon, prefix: "fa", iconColor: "white",
                                       markerColor: props.muted ? layer.mutedColour : layer.colour,
                                       extraClasses: "ejan-layer-" + name})
        });
        marker.bindPopup(function () { return layerPopup(props, layer); });
        markers.push(marker);
      });
      layers[name].addLayers(markers);
    }

    function fetchLayer(name, url, pages, load) {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/geo+json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || load !== current) { return; }
          addToLayer(name, data.features || []);
          var next = (data.links || []).filter(function (link) { return link.rel === "next"; })[0];
          if (next && pages + 1 < config.maxPages) { fetchLayer(name, next.href, pages + 1, load); }
          else { document.body.setAttribute("data-layer-" + name + "-loaded", String(Object.keys(layerSeen[name]).length)); }
        })
        .catch(function () { /* the next move asks again */ });
    }

    function add(features) {
      var batches = {};
      features.forEach(function (feature) {
        var props = feature.properties;
        var category = config.categories[props.category];
        if (seen[props.id] || !category || !clusters[props.category]) { return; }
        seen[props.id] = true;
        var coordinates = feature.geometry.coordinates;  // GeoJSON: longitude first
        var marker = L.marker([coordinates[1], coordinates[0]], {
          title: props.title,
          alt: props.title,
          icon: L.AwesomeMarkers.icon({icon: category.icon, prefix: "fa", markerColor: category.colour,
                                       iconColor: "white"})
        });
        marker.bindPopup(function () { return popup(props, category, config.labels); });
        (batches[props.category] = batches[props.category] || []).push(marker);
      });
      Object.keys(batches).forEach(function (code) { clusters[code].addLayers(batches[code]); });
    }

    function fetchPage(url, pages, load) {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/geo+json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || load !== current) { return; }
          add(data.features || []);
          var next = (data.links || []).filter(function (link) { return link.rel === "next"; })[0];
          if (next && pages + 1 < config.maxPages) { fetchPage(next.href, pages + 1, load); }
          else { document.body.setAttribute("data-pins-loaded", String(Object.keys(seen).length)); }
        })
        .catch(function () { /* offline for a moment: the next move asks again */ });
    }

    function load() {
      var bounds = map.getBounds();
      var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
        .map(function (n) { return n.toFixed(5); }).join(",");
      var url = config.url + "?bbox=" + bbox + "&period=" + encodeURIComponent(config.period) +
        "&per_page=" + config.perPage + "&category=" + Object.keys(clusters).join(",");
      current = {};
      fetchPage(url, 0, current);
      Object.keys(layers).forEach(function (name) {
        var base = config.layers[name].url;
        fetchLayer(name, base + (base.indexOf("?") < 0 ? "?" : "&") + "bbox=" + bbox, 0, current);
      });
    }

    map.on("moveend", load);
    load();

    if (config.place) {
      var placed = config.marker ? L.marker(config.marker).addTo(map) : null;
      map.on("click", function (event) {
        var lat = Number(event.latlng.lat.toFixed(6));
        var lon = Number(event.latlng.lng.toFixed(6));
        if (placed) { placed.setLatLng([lat, lon]); } else { placed = L.marker([lat, lon]).addTo(map); }
        // The form around this frame fills its latitude and longitude (static/maps/place.js).
        window.parent.postMessage({type: "ejan-map-place", lat: lat, lon: lon}, window.location.origin);
      });
    }
  }

  window.EjanPins = {attach: attach};
})();
