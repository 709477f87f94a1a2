/* The pin form's map: a click in the map frame (static/maps/pins.js) fills latitude and longitude.
   Loaded before the frame, not deferred: the frame can answer a click before deferred scripts run. */
(function () {
  "use strict";
  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin || !event.data || event.data.type !== "ejan-map-place") { return; }
    var lat = document.getElementById("lat");
    var lon = document.getElementById("lon");
    if (lat && lon) {
      lat.value = event.data.lat;
      lon.value = event.data.lon;
    }
  });
})();
