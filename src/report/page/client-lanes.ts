/**
 * The batch lanes (plain browser JavaScript, inlined before client.ts): one row per slot, each
 * batch's segments coloured by state on a canvas at the width of its box, a time axis, and a hover
 * card with the batch's key, status and time per state. Defines `window.sluiceLanes`.
 */
export const LANES_JS = String.raw`
(function () {
  'use strict';
  var lanesSpec = null;
  function dur(s) {
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
    // above the pointer in the lower half, so the card never hangs below the lanes
    tip.style.top = (py > r.height / 2 ? Math.max(0, py - tip.offsetHeight - 10) : py + 14) + 'px';
  }

  window.sluiceLanes = {
    draw: drawLanes,
    hover: laneHover,
    redraw: function () { if (lanesSpec) drawLanes(lanesSpec); }
  };
})();
`;
