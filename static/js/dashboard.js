/* Dashboards of Forkopimda and the Tim Terpadu: the risk map (Leaflet, no internet tiles),
   the score trend with the election stages shaded and the ATHG chart (Chart.js), image
   downloads and printing. The page's figures are in its HTML; this only draws them. */
(function () {
  "use strict";

  // Colour-blind-safe levels (blue / orange / dark red, as in app.css), always with words.
  var COLOURS = { tinggi: "#8b0000", sedang: "#e08214", rendah: "#2166ac", "": "#c4c9cf" };
  var STAGE_FILLS = ["rgba(15, 94, 168, 0.07)", "rgba(154, 103, 0, 0.08)"];

  function readData() {
    var node = document.getElementById("dashboard-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function dashboardUrl(data, code) {
    var url = data.urls.dashboard.replace("CODE", encodeURIComponent(code));
    return data.query ? url + "?" + data.query : url;
  }

  function openDashboard(data, code) {
    window.location.href = dashboardUrl(data, code);
  }

  function noMapNote(box, text) {
    var note = document.createElement("p");
    note.className = "map-empty";
    note.textContent = text;
    box.appendChild(note);
  }

  // --- Map ------------------------------------------------------------------------------

  function drawMap(data) {
    var box = document.getElementById("risk-map");
    if (!box || typeof L === "undefined") return;
    var counts = box.getAttribute("data-mode") === "counts";
    var map = L.map(box, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false,
                           preferCanvas: false });
    fetch(data.urls.map, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("map " + response.status);
        return response.json();
      })
      .then(function (geo) {
        var regions = data.regions;
        var labels = data.labels;
        var maxCount = 1;
        Object.keys(regions).forEach(function (code) {
          maxCount = Math.max(maxCount, regions[code].incidents || 0);
        });
        var layer = L.geoJSON(geo, {
          filter: function (feature) {
            var p = feature.properties;
            return p.outline || !counts || (regions[p.code] && regions[p.code].incidents);
          },
          style: function (feature) {
            var p = feature.properties;
            if (p.outline) return { color: "#5b6672", weight: 2, fill: false, interactive: false };
            var r = regions[p.code] || {};
            if (counts) return { color: "#1d232b", weight: 1, fillColor: "#0f5ea8", fillOpacity: 0.75 };
            var point = feature.geometry && feature.geometry.type === "Point";
            return { color: point ? "#1d232b" : "#ffffff", weight: 1,
                     fillColor: COLOURS[r.level || ""], fillOpacity: 0.85 };
          },
          pointToLayer: function (feature, latlng) {
            var r = regions[feature.properties.code] || {};
            var radius = counts ? 6 + 14 * Math.sqrt((r.incidents || 0) / maxCount) : 8;
            return L.circleMarker(latlng, { radius: radius, color: "#1d232b", weight: 1,
              fillColor: counts ? "#0f5ea8" : COLOURS[r.level || ""], fillOpacity: 0.85 });
          },
          onEachFeature: function (feature, item) {
            var p = feature.properties;
            if (p.outline) return;
            var r = regions[p.code] || {};
            var text = p.name + " — ";
            if (counts) {
              text += (r.incidents || 0) + " " + labels.incidents;
            } else {
              text += labels.levels[r.level || ""] + (r.total != null ? " (" + r.total + ")" : "");
            }
            item.bindTooltip(text, { sticky: true });
            if (r.drill) {
              item.on("click", function () { openDashboard(data, p.code); });
              item.on("keypress", function () { openDashboard(data, p.code); });
            }
            item.on("add", function () {
              var el = item.getElement && item.getElement();
              if (!el) return;
              el.setAttribute("data-code", p.code);
              el.setAttribute("aria-label", text);
              if (r.drill) { el.setAttribute("role", "link"); el.classList.add("drill"); }
            });
          }
        });
        // The view is set before the layer is added, without animation, so the small-shape
        // check below measures the shapes at the zoom the official sees.
        var bounds = layer.getBounds();
        if (bounds.isValid()) {
          map.fitBounds(bounds, { padding: [8, 8], maxZoom: counts ? 11 : 9, animate: false });
          layer.addTo(map);
          markSmallShapes(map, layer, data);
        } else {
          map.setView([-2.5, 118], 4, { animate: false });
          noMapNote(box, labels.no_map);
        }
        box.setAttribute("data-drawn", String(layer.getLayers().length));
      })
      .catch(function (error) {
        if (!map._loaded) map.setView([-2.5, 118], 4, { animate: false });
        box.setAttribute("data-drawn", "error");
        noMapNote(box, data.labels.no_map);
        if (window.console) console.warn(error);
      });
    window.addEventListener("beforeprint", function () { map.invalidateSize(); });
  }

  // Shapes smaller than a fingertip at the opening zoom (a kota on a province's map) also
  // get a marker at their centroid, in the same colour, that opens the same dashboard.
  function markSmallShapes(map, layer, data) {
    layer.eachLayer(function (item) {
      var p = item.feature && item.feature.properties;
      if (!p || p.outline || !p.centroid || !item.getBounds) return;
      var b = item.getBounds();
      var a = map.latLngToContainerPoint(b.getNorthWest());
      var z = map.latLngToContainerPoint(b.getSouthEast());
      if (Math.abs(z.x - a.x) * Math.abs(z.y - a.y) > 144) return;
      var r = data.regions[p.code] || {};
      var marker = L.circleMarker(p.centroid, { radius: 6, color: "#1d232b", weight: 1,
        fillColor: COLOURS[r.level || ""], fillOpacity: 0.9 }).addTo(map);
      marker.bindTooltip(item.getTooltip() ? item.getTooltip().getContent() : p.name);
      if (r.drill) {
        marker.on("click", function () { openDashboard(data, p.code); });
      }
      var el = marker.getElement();
      if (el) { el.setAttribute("data-marker-for", p.code); if (r.drill) el.classList.add("drill"); }
    });
  }

  // --- Charts ---------------------------------------------------------------------------

  // Shades each stage's span behind the trend (labels are days, one per snapshot).
  var stageBands = {
    id: "stageBands",
    beforeDatasetsDraw: function (chart, _args, options) {
      var stages = options.stages || [];
      var days = chart.data.labels;
      if (!days.length) return;
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      stages.forEach(function (stage, i) {
        var first = -1, last = -1;
        days.forEach(function (day, j) {
          if (day >= stage.start && day <= stage.end) { if (first < 0) first = j; last = j; }
        });
        if (first < 0) return;
        var half = days.length > 1 ? (x.getPixelForValue(1) - x.getPixelForValue(0)) / 2 : 10;
        var left = Math.max(area.left, x.getPixelForValue(first) - half);
        var right = Math.min(area.right, x.getPixelForValue(last) + half);
        ctx.fillStyle = STAGE_FILLS[i % 2];
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        ctx.fillStyle = "#5b6672";
        ctx.font = "10px system-ui, sans-serif";
        if (right - left > 40) ctx.fillText(stage.name.slice(0, Math.floor((right - left) / 6)), left + 3, area.top + 10 + (i % 2) * 11);
      });
      ctx.restore();
    }
  };

  // Canvas backgrounds are transparent: a saved image gets the page's white.
  var whiteBackground = {
    id: "whiteBackground",
    beforeDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.globalCompositeOperation = "destination-over";
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    }
  };

  function drawCharts(data) {
    if (typeof Chart === "undefined") return;
    Chart.defaults.animation = false;
    Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    var trend = document.getElementById("trend-chart");
    if (trend) {
      new Chart(trend, {
        type: "line",
        data: {
          labels: data.trend.map(function (p) { return p.day; }),
          datasets: [{
            label: data.labels.score, data: data.trend.map(function (p) { return p.total; }),
            borderColor: "#1d232b", borderWidth: 2, tension: 0.2,
            pointBackgroundColor: data.trend.map(function (p) { return COLOURS[p.level] || COLOURS[""]; }),
            pointRadius: 3
          }]
        },
        options: {
          maintainAspectRatio: false,
          // A point opens the dashboard as it stood that day.
          onClick: function (_event, elements) {
            if (!elements.length) return;
            var day = data.trend[elements[0].index].day;
            var params = new URLSearchParams(data.query);
            params.set("day", day);
            window.location.search = params.toString();
          },
          onHover: function (event, elements) {
            event.native.target.style.cursor = elements.length ? "pointer" : "default";
          },
          scales: { y: { min: 0, max: 100, title: { display: true, text: data.labels.score } } },
          plugins: { legend: { display: false }, stageBands: { stages: data.stages } }
        },
        plugins: [stageBands, whiteBackground]
      });
    }
    var athg = document.getElementById("athg-chart");
    if (athg && data.athg) {
      var keys = ["ancaman", "tantangan", "hambatan", "gangguan"];
      new Chart(athg, {
        type: "bar",
        data: {
          labels: keys.map(function (k) { return data.labels.athg[k]; }),
          datasets: [{ label: data.labels.score, data: keys.map(function (k) { return data.athg[k]; }),
                       backgroundColor: ["#8b0000", "#e08214", "#2166ac", "#5e3c99"] }]
        },
        options: { maintainAspectRatio: false, indexAxis: "y",
                   scales: { x: { min: 0, suggestedMax: 25 } },
                   plugins: { legend: { display: false } } },
        plugins: [whiteBackground]
      });
    }
  }

  function wireButtons() {
    document.querySelectorAll("[data-save-chart]").forEach(function (button) {
      button.addEventListener("click", function () {
        var canvas = document.getElementById(button.getAttribute("data-save-chart"));
        if (!canvas) return;
        var link = document.createElement("a");
        link.href = canvas.toDataURL("image/png");
        link.download = button.getAttribute("data-filename") || "grafik.png";
        document.body.appendChild(link);
        link.click();
        link.remove();
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = readData();
    wireButtons();
    if (!data) return;
    drawMap(data);
    drawCharts(data);
  });
})();
