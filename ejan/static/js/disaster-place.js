// The damage report form: "use my location" fills the hidden lat/lon fields from the phone or PC.
// Without JavaScript the form still works with district and address.
(function () {
  var button = document.getElementById("use-location");
  var state = document.getElementById("location-state");
  var script = document.currentScript;
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("report-lat").value = position.coords.latitude.toFixed(6);
      document.getElementById("report-lon").value = position.coords.longitude.toFixed(6);
      state.textContent = script.dataset.done;
    }, function () {
      state.textContent = script.dataset.failed;
    }, {enableHighAccuracy: true, timeout: 15000});
  });
})();
