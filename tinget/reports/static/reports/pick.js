/* The place picker on the report form (templates/reports/new/where_what.html). Progressive enhancement: without
   it, the address field finds the place on the server; with it, a Leaflet map shows the municipality's outline,
   a click (or Enter, for a keyboard) puts a marker, "Use my position" asks the browser, and the point is written
   into the form's latitude and longitude inputs.

   <div data-pick hidden data-msg-…="texts in the page's language">
     <div data-map='{tiles, attribution, center, zoom, boundary}' data-latitude="id" data-longitude="id">
     <button data-locate hidden>  <button data-clear hidden>  <p data-status role="status">

   No inline script or style (CSP): settings come from data- attributes and every look from new.css. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // Even-odd rule on a ring of [latitude, longitude] pairs (the map_config tag's order).
  function inside(latlng, ring) {
    if (!ring || ring.length < 3) return true;
    var result = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var yi = ring[i][0], xi = ring[i][1], yj = ring[j][0], xj = ring[j][1];
      if ((yi > latlng.lat) !== (yj > latlng.lat) &&
          latlng.lng < xi + ((latlng.lat - yi) * (xj - xi)) / (yj - yi)) {
        result = !result;
      }
    }
    return result;
  }

  function number(text) {
    var value = parseFloat(text);
    return isFinite(value) ? value : null;
  }

  function setUp(wrap) {
    var element = wrap.querySelector("[data-map]");
    if (!element || !window.L) return;
    var config;
    try {
      config = JSON.parse(element.getAttribute("data-map"));
    } catch (e) {
      return;
    }
    var latInput = document.getElementById(element.getAttribute("data-latitude"));
    var lonInput = document.getElementById(element.getAttribute("data-longitude"));
    if (!latInput || !lonInput) return;
    var status = wrap.querySelector("[data-status]");
    var locate = wrap.querySelector("[data-locate]");
    var clear = wrap.querySelector("[data-clear]");
    var text = function (name) { return wrap.getAttribute("data-msg-" + name) || ""; };
    var say = function (message) { if (status) status.textContent = message; };

    wrap.hidden = false;
    // With the map, the address is one of two ways to say where: no longer required.
    var address = wrap.parentNode.querySelector("input[name=address]");
    if (address) address.removeAttribute("required");
    var map = L.map(element, { scrollWheelZoom: false, keyboard: true });
    if (config.tiles) {
      L.tileLayer(config.tiles, { attribution: config.attribution || "", maxZoom: 19 }).addTo(map);
    }
    var outline = null;
    if (config.boundary && config.boundary.length > 2) {
      outline = L.polygon(config.boundary, { fill: false, weight: 2, interactive: false }).addTo(map);
    }
    if (config.center) map.setView(config.center, config.zoom || 11);
    else if (outline) map.fitBounds(outline.getBounds());
    else map.setView([59.91, 10.75], 10);

    var marker = null;

    function write(latlng, message) {
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
      if (clear) clear.hidden = false;
      if (message !== null) {
        say(inside(latlng, config.boundary) ? message || text("placed") : text("outside"));
      }
    }

    function place(latlng, message) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, keyboard: true, title: text("marker"), alt: text("marker") });
        marker.addTo(map);
        marker.on("dragend", function () { write(marker.getLatLng()); });
      } else {
        marker.setLatLng(latlng);
      }
      write(latlng, message);
    }

    map.on("click", function (event) { place(event.latlng); });
    // Keyboard users move the map with the arrow keys (Leaflet) and put the marker in the middle with Enter.
    element.addEventListener("keydown", function (event) {
      if (event.target !== element) return;
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        place(map.getCenter());
      }
    });

    if (clear) {
      clear.addEventListener("click", function () {
        if (marker) map.removeLayer(marker);
        marker = null;
        latInput.value = "";
        lonInput.value = "";
        clear.hidden = true;
        say(text("removed"));
        element.focus();
      });
    }

    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        say(text("locating"));
        locate.disabled = true;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            locate.disabled = false;
            var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
            map.setView(latlng, Math.max(map.getZoom(), 16));
            place(latlng, text("located"));
          },
          function () {
            locate.disabled = false;
            say(text("no-position"));
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }

    // Back on the page with a point already chosen (an error elsewhere in the form): show it, without a message.
    var lat = number(latInput.value), lon = number(lonInput.value);
    if (lat !== null && lon !== null && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      var latlng = L.latLng(lat, lon);
      place(latlng, null);
      map.setView(latlng, Math.max(map.getZoom(), 15));
    }
  }

  ready(function () {
    var wraps = document.querySelectorAll("[data-pick]");
    for (var i = 0; i < wraps.length; i++) setUp(wraps[i]);
  });
})();
