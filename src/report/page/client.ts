/**
 * The page's own script (plain browser JavaScript, inlined after uPlot): draws the chart specs of
 * charts.ts with uPlot at the width of their box (redrawn when it changes), values on hover; draws
 * the lane timeline on a canvas with a hover card; `window.sluicePage.update(charts, lanes)` lets
 * the live page feed new data without rebuilding the charts. Parsed by a test (syntax).
 */
export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var charts = {};
  var specs = {};
  var lanesSpec = null;

  function fmt(v) {
    if (v == null || !isFinite(v)) return '–';
    var a = Math.abs(v);
    if (a >= 1e7) return (v / 1e6).toFixed(0) + 'M';
    if (a >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(0) + 'k';
    if (a >= 1e3) return (v / 1e3).toFixed(1) + 'k';
    if (Number.isInteger(v)) return String(v);
    return v.toFixed(a < 1 ? 2 : a < 10 ? 1 : 0);
  }
  function dur(s) {
    if (s == null || !isFinite(s)) return '';
    var t = Math.round(s);
    if (Math.abs(s) < 10 && !Number.isInteger(s)) return s.toFixed(1) + 's';
    if (t < 60) return t + 's';
    var m = Math.floor(t / 60);
    if (m < 60) return m + 'm' + (t % 60 ? String(t % 60).padStart(2, '0') + 's' : '');
    return Math.floor(m / 60) + 'h' + String(m % 60).padStart(2, '0') + 'm';
  }
  function ms(v) {
    return v >= 1000 ? dur(v / 1000) : Math.round(v) + ' ms';
  }

  function dataOf(spec) {
    return [spec.x.slice()].concat(spec.series.map(function (s) { return s.values.slice(); }));
  }
  function zeroRange(u, min, max) {
    return [0, max > 0 ? max * 1.08 : 1];
  }

  function options(spec, width) {
    var bars = spec.kind === 'bars';
    var stacked = spec.kind === 'stacked';
    var right = spec.series.some(function (s) { return s.axis === 'right'; });
    var id = spec.id;
    var series = [{
      label: bars ? 'bucket' : 'time',
      value: function (u, v) {
        if (v == null) return '–';
        return bars ? (specs[id].xLabels[v] || '') : dur(v);
      }
    }];
    spec.series.forEach(function (s, i) {
      var o = {
        label: s.label,
        stroke: s.color,
        width: s.dash ? 1.5 : 2,
        scale: s.axis === 'right' ? 'y2' : 'y',
        points: { show: false },
        spanGaps: true,
        value: function (u, v, si, idx) {
          var cur = specs[id].series[i];
          var raw = cur && cur.raw ? cur.raw[idx] : v;
          return raw == null ? '–' : fmt(raw) + (cur && cur.unit ? cur.unit : '');
        }
      };
      if (s.dash) o.dash = [6, 4];
      if (bars) {
        o.paths = uPlot.paths.bars({ size: [0.78, 56] });
        o.fill = s.color + 'cc';
        o.width = 0;
      } else if (stacked) {
        o.fill = s.color + 'e6';
        o.width = 1;
      }
      series.push(o);
    });
    var axisFont = '11px system-ui, -apple-system, Segoe UI, sans-serif';
    var xAxis = {
      stroke: '#64748b',
      font: axisFont,
      grid: { show: false },
      ticks: { stroke: '#e2e8f0', size: 4 },
      space: bars ? 36 : 64
    };
    if (bars) {
      xAxis.splits = function (u) {
        var n = specs[id].x.length;
        var every = Math.max(1, Math.ceil((n * 44) / Math.max(1, u.bbox.width / (window.devicePixelRatio || 1))));
        var out = [];
        for (var k = 0; k < n; k += every) out.push(k);
        return out;
      };
      xAxis.values = function (u, sp) { return sp.map(function (k) { return specs[id].xLabels[k] || ''; }); };
    } else {
      xAxis.values = function (u, sp) { return sp.map(dur); };
    }
    var axes = [xAxis, {
      stroke: '#64748b',
      font: axisFont,
      grid: { stroke: '#eef1f6', width: 1 },
      ticks: { show: false },
      size: 46,
      values: function (u, sp) { return sp.map(fmt); }
    }];
    if (right) axes.push({
      scale: 'y2',
      side: 1,
      stroke: '#64748b',
      font: axisFont,
      grid: { show: false },
      ticks: { show: false },
      size: 50,
      values: function (u, sp) { return sp.map(fmt); }
    });
    var n = spec.x.length;
    return {
      width: width,
      height: width < 480 ? 190 : 230,
      series: series,
      axes: axes,
      scales: {
        x: bars ? { time: false, range: function () { return [-0.5, Math.max(0.5, specs[id].x.length - 0.5)]; } } : { time: false },
        y: { range: zeroRange },
        y2: { range: zeroRange }
      },
      legend: { live: true },
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      padding: [8, right ? 4 : 12, 0, 0]
    };
  }

  function boxWidth(el) {
    return Math.max(200, Math.floor(el.getBoundingClientRect().width));
  }

  function draw(spec) {
    var box = document.getElementById(spec.id);
    if (!box) return;
    var plot = box.querySelector('.plot');
    specs[spec.id] = spec;
    var old = charts[spec.id];
    if (old && old.series.length === spec.series.length + 1) {
      old.setData(dataOf(spec));
      return;
    }
    if (old) old.destroy();
    plot.textContent = '';
    charts[spec.id] = new uPlot(options(spec, boxWidth(plot)), dataOf(spec), plot);
    box.classList.toggle('empty', !hasData(spec));
  }
  function hasData(spec) {
    return spec.x.length > 0 && spec.series.some(function (s) {
      return s.values.some(function (v) { return v != null && v !== 0; });
    });
  }

  // ---- lanes: one row per slot, coloured by state ----
  var STATE = {
    rows: ['#a78bfa', 'waiting for the row budget'],
    quota: ['#f59e0b', 'waiting for quota'],
    fetch: ['#3b82f6', 'fetching'],
    queued: ['#94a3b8', 'queued for the writer'],
    write: ['#10b981', 'writing']
  };
  var laneGeom = null;

  function drawLanes(spec) {
    lanesSpec = spec;
    var box = document.getElementById('lanes');
    if (!box) return;
    var canvas = box.querySelector('canvas');
    var batches = spec && spec.batches ? spec.batches : [];
    box.classList.toggle('empty', batches.length === 0);
    if (batches.length === 0) return;
    var lanes = Math.max(1, spec.lanes || 1);
    var row = lanes <= 12 ? 18 : lanes <= 40 ? 9 : Math.max(3, Math.floor(360 / lanes));
    var gap = row >= 9 ? 2 : 1;
    var axisH = 20;
    var width = Math.max(200, Math.floor(box.getBoundingClientRect().width));
    var height = lanes * row + axisH;
    var dpr = window.devicePixelRatio || 1;
    canvas.width = width * dpr;
    canvas.height = height * dpr;
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    var ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    var t0 = Infinity, t1 = -Infinity;
    batches.forEach(function (b) {
      t0 = Math.min(t0, b.startMs);
      var end = b.endMs == null ? b.segments.length ? b.segments[b.segments.length - 1][2] : b.startMs : b.endMs;
      t1 = Math.max(t1, end);
    });
    if (!(t1 > t0)) t1 = t0 + 1;
    var sx = function (t) { return ((t - t0) / (t1 - t0)) * (width - 2) + 1; };
    ctx.fillStyle = '#f8fafc';
    for (var l = 0; l < lanes; l += 2) ctx.fillRect(0, l * row, width, row);
    batches.forEach(function (b) {
      var y = b.lane * row + gap / 2;
      var h = row - gap;
      b.segments.forEach(function (s) {
        var st = STATE[s[0]] || STATE.fetch;
        ctx.fillStyle = st[0];
        var x = sx(s[1]);
        ctx.fillRect(x, y, Math.max(1, sx(s[2]) - x), h);
      });
      if (b.status === 'failed' || b.status === 'split') {
        var xe = sx(b.endMs == null ? t1 : b.endMs);
        ctx.fillStyle = b.status === 'failed' ? '#dc2626' : '#7c3aed';
        ctx.fillRect(Math.max(0, xe - 3), y, 3, h);
      }
    });
    ctx.fillStyle = '#64748b';
    ctx.font = '11px system-ui, -apple-system, Segoe UI, sans-serif';
    ctx.textBaseline = 'top';
    var ticks = Math.max(2, Math.floor(width / 110));
    for (var k = 0; k <= ticks; k++) {
      var t = t0 + ((t1 - t0) * k) / ticks;
      var label = dur(t / 1000);
      var tw = ctx.measureText(label).width;
      var tx = Math.min(width - tw, Math.max(0, sx(t) - tw / 2));
      ctx.fillText(label, tx, lanes * row + 5);
    }
    laneGeom = { row: row, lanes: lanes, sx: sx, t0: t0, t1: t1, width: width };
  }

  function laneHover(ev) {
    var box = document.getElementById('lanes');
    var tip = box.querySelector('.tip');
    if (!laneGeom || !lanesSpec) return;
    var r = box.querySelector('canvas').getBoundingClientRect();
    var px = ev.clientX - r.left, py = ev.clientY - r.top;
    var lane = Math.floor(py / laneGeom.row);
    var t = laneGeom.t0 + ((px - 1) / (laneGeom.width - 2)) * (laneGeom.t1 - laneGeom.t0);
    var hit = null;
    lanesSpec.batches.forEach(function (b) {
      var end = b.endMs == null ? laneGeom.t1 : b.endMs;
      if (b.lane === lane && t >= b.startMs && t <= end) hit = b;
    });
    if (!hit) { tip.hidden = true; return; }
    var sums = {};
    hit.segments.forEach(function (s) { sums[s[0]] = (sums[s[0]] || 0) + (s[2] - s[1]); });
    var html = '<b></b><div class="st"></div>';
    tip.innerHTML = html;
    tip.querySelector('b').textContent = hit.key;
    var st = tip.querySelector('.st');
    var head = document.createElement('div');
    head.textContent = hit.status + ' · ' + ms((hit.endMs == null ? laneGeom.t1 : hit.endMs) - hit.startMs);
    st.appendChild(head);
    Object.keys(STATE).forEach(function (k) {
      if (!sums[k]) return;
      var d = document.createElement('div');
      var sw = document.createElement('i');
      sw.style.background = STATE[k][0];
      d.appendChild(sw);
      d.appendChild(document.createTextNode(STATE[k][1] + ' ' + ms(sums[k])));
      st.appendChild(d);
    });
    tip.hidden = false;
    var bw = box.getBoundingClientRect().width;
    tip.style.left = Math.min(Math.max(0, px + 12), Math.max(0, bw - tip.offsetWidth)) + 'px';
    tip.style.top = (py + 14) + 'px';
  }

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function update(chartSpecs, lanes) {
    (chartSpecs || []).forEach(draw);
    if (lanes !== undefined) drawLanes(lanes);
  }

  function resize() {
    Object.keys(charts).forEach(function (id) {
      var plot = document.getElementById(id).querySelector('.plot');
      var w = boxWidth(plot);
      var u = charts[id];
      if (Math.abs(u.width - w) > 1) u.setSize({ width: w, height: w < 480 ? 190 : 230 });
    });
    if (lanesSpec) drawLanes(lanesSpec);
  }

  /** What each chart drew: non-empty values over its series, and its size (for tests and people). */
  function drawn() {
    return Object.keys(charts).map(function (id) {
      var points = 0;
      specs[id].series.forEach(function (s) { s.values.forEach(function (v) { if (v != null && v !== 0) points++; }); });
      return { id: id, points: points, width: charts[id].width, height: charts[id].height };
    });
  }

  window.sluicePage = { update: update, drawn: drawn, fmt: fmt, dur: dur };
  function start() {
    update(readJson('chart-data'), readJson('lane-data'));
    var lanesBox = document.getElementById('lanes');
    if (lanesBox) {
      lanesBox.addEventListener('mousemove', laneHover);
      lanesBox.addEventListener('mouseleave', function () { lanesBox.querySelector('.tip').hidden = true; });
    }
    var pending = false;
    var onResize = function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; resize(); });
    };
    if (window.ResizeObserver) new ResizeObserver(onResize).observe(document.querySelector('main'));
    else window.addEventListener('resize', onResize);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
