/* The fault reports' maps (Leaflet). Progressive enhancement: the page already lists every report, and a
   report's page already gives its position in text; this only draws them on a map.

   <div data-map='{...}' hidden>                     settings from the map_config template tag
        data-geojson-url="/meld-feil/kart.geojson?…"  the reports map: markers for the part in view
        data-text-error / -truncated / -open>         texts in the page's language (there is no JS catalogue)

   With `marker` in the settings (a report's page) the map shows that one point. No inline script or style
   (CSP): settings come from data- attributes and every look from reports.css. */
(function () {
  "use strict";

  var GROUPS = { open: true, fixed: true, closed: true };

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  // The part of the map to ask for: the view less a margin of MARGIN px, so that every marker drawn lies wholly
  // inside the map (a marker sticking out past the edge would make a 320 px wide page scroll sideways).
  var MARGIN = 12;

  function innerBounds(map) {
    var size = map.getSize();
    if (size.x <= 4 * MARGIN || size.y <= 4 * MARGIN) return map.getBounds();
    return L.latLngBounds(
      map.containerPointToLatLng([MARGIN, size.y - MARGIN]),
      map.containerPointToLatLng([size.x - MARGIN, MARGIN])
    );
  }

  // Leaflet's bounds run past ±180° when zoomed far out; the server accepts a box within the globe only.
  function bboxString(bounds) {
    var west = clamp(bounds.getWest(), -180, 180);
    var east = clamp(bounds.getEast(), -180, 180);
    var south = clamp(bounds.getSouth(), -90, 90);
    var north = clamp(bounds.getNorth(), -90, 90);
    return [west, south, east, north].map(function (n) { return n.toFixed(6); }).join(",");
  }

  function markerIcon(group) {
    // Leaflet places the icon with a CSS transform of its own, so the shape (reports.css) is an element inside it.
    return L.divIcon({
      className: "report-marker-icon",
      iconSize: [18, 18],
      iconAnchor: [9, 9],
      popupAnchor: [0, -10],
      html: '<span class="report-marker report-marker--' + group + '"></span>'
    });
  }

  // Built from DOM nodes with textContent: titles are what residents wrote, never parsed as HTML.
  function popupContent(props, openText) {
    var box = document.createElement("div");
    var title = document.createElement("p");
    title.className = "map-popup__title";
    title.textContent = "#" + props.id + " " + props.title;
    var meta = document.createElement("p");
    meta.className = "map-popup__meta";
    meta.textContent = props.state_label + (props.category ? " · " + props.category : "");
    var link = document.createElement("a");
    link.className = "ds-link";
    link.href = props.url;
    link.textContent = openText || props.url;
    box.appendChild(title);
    box.appendChild(meta);
    box.appendChild(link);
    return box;
  }

  function baseMap(element, config) {
    element.hidden = false;
    // No renderer padding: Leaflet otherwise draws the outline on an SVG 10 % larger than the map on every
    // side, which pushes the page wider than a phone's screen.
    var options = { scrollWheelZoom: false, zoomControl: true };
    var svg = L.svg({ padding: 0 });  // null where the browser has no SVG: Leaflet then draws on a canvas
    if (svg) options.renderer = svg;
    var map = L.map(element, options);
    if (config.tiles) {
      L.tileLayer(config.tiles, { attribution: config.attribution || "", maxZoom: 19 }).addTo(map);
    }
    if (config.boundary && config.boundary.length > 2) {
      L.polygon(config.boundary, { fill: false, weight: 2, color: "#1e2b3c", interactive: false }).addTo(map);
    }
    return map;
  }

  function showStatus(status, text) {
    if (!status) return;
    status.textContent = text || "";
    status.hidden = !text;
  }

  function reportsMap(element, config) {
    var section = element.parentNode;
    var status = section.querySelector(".reports-map__status");
    var legend = section.querySelector(".map-legend");
    var map = baseMap(element, config);
    var layer = L.layerGroup().addTo(map);
    var url = element.getAttribute("data-geojson-url");
    var openText = element.getAttribute("data-text-open");
    var latest = 0;
    var controller = null;

    if (legend) legend.hidden = false;

    function draw(collection) {
      layer.clearLayers();
      (collection.features || []).forEach(function (feature) {
        var props = feature.properties || {};
        var coords = feature.geometry && feature.geometry.coordinates;
        if (!coords) return;
        var group = GROUPS[props.group] ? props.group : "open";
        L.marker([coords[1], coords[0]], {
          icon: markerIcon(group),
          title: "#" + props.id + " " + props.title + " (" + props.state_label + ")",
          keyboard: true,
          riseOnHover: true
        })
          .bindPopup(popupContent(props, openText))
          .addTo(layer);
      });
      showStatus(status, collection.truncated ? element.getAttribute("data-text-truncated") : "");
    }

    function load() {
      var request = ++latest;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var address = url + (url.indexOf("?") === -1 ? "?" : "&") + "bbox=" + bboxString(innerBounds(map));
      fetch(address, { headers: { Accept: "application/geo+json" }, signal: controller ? controller.signal : undefined })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (collection) {
          if (request === latest) draw(collection);
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          if (request === latest) showStatus(status, element.getAttribute("data-text-error"));
        });
    }

    map.on("moveend", load);
    if (config.center) {
      map.setView(config.center, config.zoom || 11);
    } else if (config.boundary && config.boundary.length > 2) {
      map.fitBounds(config.boundary);
    } else {
      map.setView([0, 0], 2);
    }
  }

  function pointMap(element, config) {
    var map = baseMap(element, config);
    map.setView(config.marker, config.zoom || 16);
    var group = GROUPS[config.group] ? config.group : "open";
    L.marker(config.marker, { icon: markerIcon(group), keyboard: false, interactive: false }).addTo(map);
  }

  function init() {
    if (!window.L) return;
    var elements = document.querySelectorAll("[data-map]");
    Array.prototype.forEach.call(elements, function (element) {
      var config;
      try {
        config = JSON.parse(element.getAttribute("data-map"));
      } catch (error) {
        return;
      }
      if (element.hasAttribute("data-geojson-url")) {
        reportsMap(element, config);
      } else if (config.marker) {
        pointMap(element, config);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
