/**
 * The page's own script (plain browser JavaScript, inlined after uPlot): draws the chart specs of
 * charts.ts with uPlot at the width of their box (redrawn when it changes), values on hover; draws
 * the lane timeline through client-lanes.ts; `window.sluicePage.update(charts, lanes)` lets
 * the live page feed new data without rebuilding the charts. Parsed by a test (syntax).
 */
export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var charts = {};
  var specs = {};
  var lanes = window.sluiceLanes;

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

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function update(chartSpecs, lanesData) {
    (chartSpecs || []).forEach(draw);
    if (lanesData !== undefined) lanes.draw(lanesData);
  }

  function resize() {
    Object.keys(charts).forEach(function (id) {
      var plot = document.getElementById(id).querySelector('.plot');
      var w = boxWidth(plot);
      var u = charts[id];
      if (Math.abs(u.width - w) > 1) u.setSize({ width: w, height: w < 480 ? 190 : 230 });
    });
    lanes.redraw();
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
      lanesBox.addEventListener('mousemove', lanes.hover);
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
