/* Store dashboard: draws the charts, listens on the store's WebSocket and refreshes the
 * figures (an HTML fragment rendered by the server) when new data or a status change arrives.
 * Plain JavaScript, no build step; Chart.js is served from node_modules (no CDN). */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("live-config").textContent);
  var lang = document.documentElement.lang || "en";
  var locale = lang === "tr" ? "tr-TR" : "en-GB";
  var panels = document.getElementById("panels");
  var indicator = document.getElementById("ai-indicator");
  var liveState = document.getElementById("live-state");
  var labels = config.labels;
  var charts = [];
  // Server clock minus browser clock, measured once at load: the AI indicator compares the
  // last heartbeat (server time) with "now", and a wrong PC clock must not turn it red.
  var skew = Date.parse(config.server_now) - Date.now();
  var lastHeartbeat = config.last_heartbeat ? Date.parse(config.last_heartbeat) : null;
  var stampFormat = new Intl.DateTimeFormat(locale, {
    timeZone: config.timezone, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23"
  });
  // English pages write dates as the server does (vislivis/formats/en): 2026-12-01 19:10, in
  // the store's zone; Turkish keeps its own day-first order.
  var timeFormat = lang === "tr" ? stampFormat : {
    format: function (date) {
      var p = {};
      stampFormat.formatToParts(date).forEach(function (part) { p[part.type] = part.value; });
      return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
    }
  };
  var COLORS = {
    sender: "#0b5cad", camera: "#d9480f", previous: "#6e7781", inside: "#137333",
    male: "#0b5cad", female: "#c2255c", age: ["#5f3dc4", "#2b8a3e", "#e67700"], wait: "#0b5cad", worst: "#b3261e"
  };

  if (window.Chart) {
    Chart.defaults.locale = locale;
    Chart.defaults.color = "#1b1f24";
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.maintainAspectRatio = false;
  }

  function chartData() {
    var node = document.getElementById("chart-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function make(id, spec) {
    var canvas = document.getElementById(id);
    if (!canvas || !window.Chart) { return; }
    charts.push(new Chart(canvas, spec));
  }

  function drawCharts(animate) {
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    var data = chartData();
    if (!data) { return; }
    var base = { animation: animate ? {} : false, plugins: { legend: { position: "bottom" } } };
    var axes = { y: { beginAtZero: true, ticks: { precision: 0 } } };
    make("chart-footfall", {
      type: "bar",
      data: {
        labels: data.footfall.labels,
        datasets: [
          { label: labels.sender, data: data.footfall.sender, backgroundColor: COLORS.sender },
          { label: labels.camera, data: data.footfall.camera, backgroundColor: COLORS.camera },
          { type: "line", label: labels.previous, data: data.footfall.previous, borderColor: COLORS.previous,
            borderDash: [6, 4], pointRadius: 0, fill: false, spanGaps: true }
        ]
      },
      options: Object.assign({}, base, { scales: axes })
    });
    make("chart-occupancy", {
      type: "line",
      data: { labels: data.occupancy.labels, datasets: [
        { label: labels.inside, data: data.occupancy.inside, borderColor: COLORS.inside,
          backgroundColor: "rgba(19,115,51,.15)", fill: true, stepped: false, tension: 0.25, pointRadius: 2 }
      ] },
      options: Object.assign({}, base, { scales: axes })
    });
    make("chart-gender", {
      type: "doughnut",
      data: { labels: [labels.male, labels.female], datasets: [
        { data: data.gender, backgroundColor: [COLORS.male, COLORS.female] }
      ] },
      options: base
    });
    make("chart-age", {
      type: "bar",
      data: { labels: labels.age, datasets: [{ label: labels.visitors, data: data.age, backgroundColor: COLORS.age }] },
      options: Object.assign({}, base, { scales: axes, plugins: { legend: { display: false } } })
    });
    make("chart-queues", {
      type: "bar",
      data: { labels: data.queues.labels, datasets: [{
        label: labels.wait, data: data.queues.wait,
        backgroundColor: data.queues.worst.map(function (worst) { return worst ? COLORS.worst : COLORS.wait; })
      }] },
      options: Object.assign({}, base, { scales: { y: { beginAtZero: true } }, plugins: { legend: { display: false } } })
    });
  }

  function setIndicator() {
    var now = Date.now() + skew;
    var online = lastHeartbeat !== null && now - lastHeartbeat <= config.timeout_seconds * 1000;
    indicator.classList.toggle("ai--on", online);
    indicator.classList.toggle("ai--off", !online);
    indicator.dataset.state = online ? "online" : "offline";
    var text = document.getElementById("ai-state-text");
    if (online) {
      text.textContent = labels.online;
    } else if (lastHeartbeat !== null) {
      text.textContent = labels.offline.replace("%(time)s", timeFormat.format(new Date(lastHeartbeat)));
    } else {
      text.textContent = labels.never;
    }
  }

  var refreshing = false;
  var pending = false;
  var timer = null;

  function refresh() {
    if (refreshing) { pending = true; return; }
    refreshing = true;
    fetch(config.panels_url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error("refresh refused: " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var open = Array.prototype.map.call(panels.querySelectorAll("details[open]"), function (node) {
          return node.closest("section").getAttribute("aria-labelledby");
        });
        panels.innerHTML = html;
        open.forEach(function (id) {
          var details = panels.querySelector('section[aria-labelledby="' + id + '"] details');
          if (details) { details.open = true; }
        });
        var snapshot = document.getElementById("ai-snapshot");
        if (snapshot && snapshot.dataset.lastHeartbeat) {
          lastHeartbeat = Math.max(lastHeartbeat || 0, Date.parse(snapshot.dataset.lastHeartbeat));
        }
        drawCharts(false);
        setIndicator();
        document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
      })
      .catch(function (error) { console.warn(error); })
      .then(function () {
        refreshing = false;
        if (pending) { pending = false; refresh(); }
      });
  }

  function scheduleRefresh() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  var retry = 1000;
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + config.ws_path);
    socket.onopen = function () {
      retry = 1000;
      document.body.dataset.live = "connected";
      liveState.textContent = labels.live;
    };
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.kind === "heartbeat" && event.payload && event.payload.received_at) {
        lastHeartbeat = Date.parse(event.payload.received_at);
        setIndicator();
      }
      scheduleRefresh();
    };
    socket.onclose = function () {
      document.body.dataset.live = "closed";
      liveState.textContent = labels.reconnecting;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  drawCharts(true);
  setIndicator();
  connect();
  setInterval(setIndicator, 5000);
  setInterval(refresh, 60000);
})();
