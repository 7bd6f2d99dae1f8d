/**
 * The dashboard's single page: two uPlot charts (iteration curves, epoch curves) and three slice views
 * (axial, coronal, sagittal) of the latest validation volume with the label (green) and the prediction
 * (red) blended over the image. The page keeps `window.__dashboard` (points received, volume version) for
 * tests and scripts. No template literals in the client code, so it can live in this TS string as is.
 */

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 16px; background: #fafafa; color: #222; }
h1 { font-size: 18px; margin: 0 0 4px; }
#status { color: #555; margin-bottom: 12px; min-height: 1.2em; }
.row { display: flex; flex-wrap: wrap; gap: 16px; }
.panel { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px; }
.view canvas { image-rendering: pixelated; background: #000; display: block; cursor: ns-resize; }
.view label { display: block; font-size: 12px; color: #444; margin-top: 4px; }
.view input[type=range] { width: 100%; }
#controls { margin: 8px 0; font-size: 13px; }
#voltitle { font-size: 13px; color: #555; }
`;

const SCRIPT = `
(function () {
  var D = window.__dashboard = { points: 0, volumeVersion: 0, ready: false, charts: {} };
  var series = {};
  var statusEl = document.getElementById('status');

  function chartFor(axis) {
    var names = Object.keys(series).filter(function (n) { return series[n].axis === axis; });
    if (!names.length) return;
    var tables = names.map(function (n) { return [series[n].x, series[n].y]; });
    var data = names.length === 1 ? tables[0] : uPlot.join(tables);
    var c = D.charts[axis];
    var same = c && c.names.join('|') === names.join('|');
    if (same) { c.plot.setData(data); return; }
    var el = document.getElementById(axis === 'iteration' ? 'loss' : 'metrics');
    el.innerHTML = '';
    var colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
    var opts = {
      title: axis === 'iteration' ? 'Loss by iteration' : 'By epoch',
      width: 520, height: 260,
      scales: { x: { time: false } },
      axes: [{ label: axis }, {}],
      series: [{ label: axis }].concat(names.map(function (n, i) { return { label: n, stroke: colors[i % colors.length], spanGaps: true, points: { show: axis === 'epoch' } }; })),
    };
    D.charts[axis] = { names: names, plot: new uPlot(opts, data, el) };
  }

  function addPoint(m) {
    var s = series[m.name] || (series[m.name] = { axis: m.axis, x: [], y: [] });
    s.x.push(m.x); s.y.push(m.y);
    D.points++;
  }

  function showStatus(st) {
    statusEl.textContent = Object.keys(st).map(function (k) {
      var v = st[k];
      return k + ': ' + (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : v);
    }).join('   ');
  }

  // ---- slice viewer ----
  var vol = null;
  var views = [
    { id: 'axial', fixed: 2, slice: 0 },
    { id: 'coronal', fixed: 1, slice: 0 },
    { id: 'sagittal', fixed: 0, slice: 0 },
  ];
  var showLabel = document.getElementById('showLabel');
  var showPred = document.getElementById('showPred');
  var alpha = document.getElementById('alpha');

  function idx(i, j, k) { return (i * vol.shape[1] + j) * vol.shape[2] + k; }

  function draw(v) {
    if (!vol) return;
    var X = vol.shape[0], Y = vol.shape[1], Z = vol.shape[2];
    // (columns, rows) of each view; rows run downward, so the second screen axis is flipped
    var w, h, at;
    if (v.fixed === 2) { w = X; h = Y; at = function (c, r) { return idx(c, Y - 1 - r, v.slice); }; }
    else if (v.fixed === 1) { w = X; h = Z; at = function (c, r) { return idx(c, v.slice, Z - 1 - r); }; }
    else { w = Y; h = Z; at = function (c, r) { return idx(v.slice, c, Z - 1 - r); }; }
    var canvas = document.getElementById(v.id);
    canvas.width = w; canvas.height = h;
    var sx = v.fixed === 0 ? vol.spacing[1] : vol.spacing[0];
    var sy = v.fixed === 2 ? vol.spacing[1] : vol.spacing[2];
    var scale = 300 / Math.max(w * sx, h * sy);
    canvas.style.width = Math.round(w * sx * scale) + 'px';
    canvas.style.height = Math.round(h * sy * scale) + 'px';
    var ctx = canvas.getContext('2d');
    var img = ctx.createImageData(w, h);
    var a = Number(alpha.value) / 100;
    var lab = showLabel.checked ? vol.label : null;
    var pred = showPred.checked ? vol.pred : null;
    for (var r = 0; r < h; r++) {
      for (var c = 0; c < w; c++) {
        var n = at(c, r);
        var g = vol.image[n], R = g, G = g, B = g;
        if (lab && lab[n]) { R = R * (1 - a); G = G * (1 - a) + 255 * a; B = B * (1 - a); }
        if (pred && pred[n]) { R = R * (1 - a) + 255 * a; G = G * (1 - a); B = B * (1 - a); }
        var o = (r * w + c) * 4;
        img.data[o] = R; img.data[o + 1] = G; img.data[o + 2] = B; img.data[o + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    document.getElementById(v.id + 'Label').textContent = v.id + ' ' + (v.slice + 1) + '/' + vol.shape[v.fixed];
    document.getElementById(v.id + 'Slider').value = v.slice;
  }

  function drawAll() { views.forEach(draw); }

  views.forEach(function (v) {
    var slider = document.getElementById(v.id + 'Slider');
    slider.addEventListener('input', function () { v.slice = Number(slider.value); draw(v); });
    document.getElementById(v.id).addEventListener('wheel', function (e) {
      if (!vol) return;
      e.preventDefault();
      v.slice = Math.max(0, Math.min(vol.shape[v.fixed] - 1, v.slice + (e.deltaY > 0 ? 1 : -1)));
      draw(v);
    }, { passive: false });
  });
  [showLabel, showPred, alpha].forEach(function (el) { el.addEventListener('input', drawAll); });

  // the slices through the labelled region's centre, or the middle
  function centre(labels, axis) {
    var X = vol.shape[0], Y = vol.shape[1], Z = vol.shape[2], sum = 0, n = 0;
    if (labels) {
      for (var i = 0; i < X; i++) for (var j = 0; j < Y; j++) for (var k = 0; k < Z; k++) {
        if (labels[(i * Y + j) * Z + k]) { sum += axis === 0 ? i : axis === 1 ? j : k; n++; }
      }
    }
    return n ? Math.round(sum / n) : Math.floor(vol.shape[axis] / 2);
  }

  function loadVolume(version) {
    fetch('api/volume').then(function (r) { return r.arrayBuffer(); }).then(function (buf) {
      var dv = new DataView(buf);
      var hl = dv.getUint32(0, true);
      var head = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, hl)));
      var n = head.shape[0] * head.shape[1] * head.shape[2];
      var off = 4 + hl;
      var image = new Uint8Array(buf, off, n); off += n;
      var label = head.label ? new Uint8Array(buf, off, n) : null; if (head.label) off += n;
      var pred = head.pred ? new Uint8Array(buf, off, n) : null;
      var first = vol === null;
      vol = { shape: head.shape, spacing: head.spacing, image: image, label: label, pred: pred };
      views.forEach(function (v) {
        document.getElementById(v.id + 'Slider').max = vol.shape[v.fixed] - 1;
        if (first || v.slice >= vol.shape[v.fixed]) v.slice = centre(label || pred, v.fixed);
      });
      document.getElementById('voltitle').textContent = head.title;
      drawAll();
      D.volumeVersion = version;
    });
  }

  fetch('api/state').then(function (r) { return r.json(); }).then(function (st) {
    Object.keys(st.series).forEach(function (n) { series[n] = st.series[n]; D.points += st.series[n].x.length; });
    chartFor('iteration'); chartFor('epoch');
    showStatus(st.status);
    if (st.volume) loadVolume(st.volume.version);
    var pending = {};
    var es = new EventSource('events');
    es.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if (m.type === 'point') { addPoint(m); pending[m.axis] = true; }
      else if (m.type === 'status') showStatus(m.status);
      else if (m.type === 'volume') loadVolume(m.version);
    };
    // redraw charts at most ~5 times a second however fast points arrive
    setInterval(function () {
      Object.keys(pending).forEach(chartFor);
      pending = {};
    }, 200);
    D.ready = true;
  });
})();
`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function view(id: string): string {
  return `<div class="panel view"><canvas id="${id}" width="1" height="1"></canvas><label id="${id}Label">${id}</label><input id="${id}Slider" type="range" min="0" max="0" value="0"></div>`;
}

/** The page's HTML for a dashboard titled `title`. */
export function dashboardPage(title: string): string {
  const t = escapeHtml(title);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${t}</title>
<link rel="stylesheet" href="uplot.css"><style>${STYLE}</style></head>
<body>
<h1>${t}</h1>
<div id="status"></div>
<div class="row">
  <div class="panel" id="loss"></div>
  <div class="panel" id="metrics"></div>
</div>
<div id="controls">
  Validation volume <span id="voltitle">(none yet)</span> &mdash;
  <label><input id="showLabel" type="checkbox" checked> label (green)</label>
  <label><input id="showPred" type="checkbox" checked> prediction (red)</label>
  <label>opacity <input id="alpha" type="range" min="0" max="100" value="45"></label>
</div>
<div class="row">${view('axial')}${view('coronal')}${view('sagittal')}</div>
<script src="uplot.js"></script>
<script>${SCRIPT}</script>
</body></html>
`;
}
