/**
 * The status page at `/` of the monitoring port: one self-contained HTML document (no external scripts, styles,
 * fonts or images) with the flow graph as inline SVG and a small script that polls `/metrics` (Flume's JSON) and
 * writes rates (events/s between two polls), channel fill levels and failures into the graph and a table, in place.
 * When the agent stops answering it says so and keeps polling.
 */
import type { FlowGraph } from './graph/model.js';
import { toSvg, xml } from './graph/svg.js';

/** Runs in the browser: kept small and dependency-free (ES2017). */
const SCRIPT = `
(function () {
  var every = Math.max(250, Number(new URLSearchParams(location.search).get('refresh') || 2000));
  var prev = null, prevAt = 0;
  var n = function (m, k) { var v = Number(m && m[k]); return isFinite(v) ? v : 0; };
  var rate = function (key, attr, m, dt) {
    if (!prev || !prev[key] || dt <= 0) return 0;
    return Math.max(0, (n(m, attr) - n(prev[key], attr)) / dt);
  };
  var esc = function (s) { return String(s).replace(/[&<>"]/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); };
  var fmt = function (r) { return r >= 100 ? Math.round(r).toLocaleString('en') : r.toFixed(1); };
  function describe(key, m, dt) {
    var t = m.Type;
    if (t === 'SOURCE') {
      var s = { kind: 'source', in: rate(key, 'EventAcceptedCount', m, dt), total: n(m, 'EventAcceptedCount'),
        fail: n(m, 'EventReadFail') + n(m, 'ChannelWriteFail') + n(m, 'GenericProcessingFail'), conn: n(m, 'OpenConnectionCount') };
      s.text = fmt(s.in) + ' ev/s in · ' + s.conn + ' conn' + (s.fail ? ' · ' + s.fail + ' fail' : '');
      return s;
    }
    if (t === 'CHANNEL') {
      var cap = n(m, 'ChannelCapacity'), size = n(m, 'ChannelSize');
      var fill = m.ChannelFillPercentage !== undefined ? n(m, 'ChannelFillPercentage') : (cap ? (100 * size) / cap : 0);
      var c = { kind: 'channel', in: rate(key, 'EventPutSuccessCount', m, dt), out: rate(key, 'EventTakeSuccessCount', m, dt),
        fill: fill, size: size, total: n(m, 'EventPutSuccessCount'), fail: 0 };
      c.text = fmt(c.in) + '/s in · ' + fmt(c.out) + '/s out · ' + fill.toFixed(1) + '% full';
      return c;
    }
    if (t === 'SINK') {
      var k = { kind: 'sink', out: rate(key, 'EventDrainSuccessCount', m, dt), total: n(m, 'EventDrainSuccessCount'),
        fail: n(m, 'EventWriteFail') + n(m, 'ChannelReadFail') + n(m, 'ConnectionFailedCount') };
      k.text = fmt(k.out) + ' ev/s out' + (k.fail ? ' · ' + k.fail + ' fail' : '');
      return k;
    }
    return null;
  }
  function fillBar(g, pct) {
    var rect = g.querySelector('rect');
    var bar = g.querySelector('rect.fillbar');
    if (!bar) {
      bar = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
      bar.setAttribute('class', 'fillbar');
      bar.setAttribute('height', '4');
      bar.setAttribute('x', rect.getAttribute('x'));
      bar.setAttribute('y', Number(rect.getAttribute('y')) + Number(rect.getAttribute('height')) - 5);
      g.appendChild(bar);
    }
    bar.setAttribute('width', String((Number(rect.getAttribute('width')) * Math.min(100, pct)) / 100));
    bar.setAttribute('fill', pct >= 90 ? '#d00' : pct >= 60 ? '#e69500' : '#2e7d32');
  }
  function render(metrics, dt) {
    var rows = [];
    Object.keys(metrics).sort().forEach(function (key) {
      var d = describe(key, metrics[key], dt);
      if (!d) return;
      var sel = JSON.stringify(key);
      var label = document.querySelector('text.live[data-metric=' + sel + ']');
      if (label) label.textContent = d.text;
      var g = document.querySelector('g.node[data-metric=' + sel + ']');
      if (g && d.kind === 'channel') fillBar(g, d.fill);
      var cell = function (v) { return '<td class="num">' + v + '</td>'; };
      rows.push('<tr data-metric="' + esc(key) + '"><td>' + esc(key) + '</td>' + cell(d.in !== undefined ? fmt(d.in) : '') +
        cell(d.out !== undefined ? fmt(d.out) : '') + cell(d.fill !== undefined ? d.fill.toFixed(1) + '%' : '') +
        cell(d.total) + cell(d.fail) + '</tr>');
    });
    document.getElementById('rows').innerHTML = rows.join('');
  }
  function poll() {
    fetch('metrics', { headers: { accept: 'application/json' }, cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw { message: 'HTTP ' + r.status }; return r.json(); })
      .then(function (m) {
        var now = Date.now();
        render(m, prev ? (now - prevAt) / 1000 : 0);
        prev = m; prevAt = now;
        var st = document.getElementById('state');
        st.textContent = 'live · updated ' + new Date(now).toLocaleTimeString('en-GB') + ' · every ' + every / 1000 + ' s';
        st.className = 'up';
      })
      .catch(function (e) {
        var st = document.getElementById('state');
        st.textContent = 'agent not answering (' + e.message + ') · retrying every ' + every / 1000 + ' s';
        st.className = 'down';
      })
      .then(function () { setTimeout(poll, every); });
  }
  poll();
})();
`;

const STYLE = `body{font-family:Helvetica,Arial,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 4px}#state{font-size:12px;margin-bottom:10px}#state.up{color:#2e7d32}#state.down{color:#d00;font-weight:bold}
.graph{overflow:auto;border:1px solid #ddd;display:inline-block}table{border-collapse:collapse;margin-top:12px;font-size:12px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.legend{font-size:11px;color:#666;margin-top:6px}`;

export function statusPage(g: FlowGraph): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>flume-ts agent ${xml(g.agent)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><h1>flume-ts agent ${xml(g.agent)}</h1><div id="state">loading…</div>
<div class="graph">${toSvg(g, { live: true })}</div>
<div class="legend">Red dashed: configured but dropped (as Flume would). Rates are events per second between two polls of
<a href="metrics">/metrics</a>. Also: <a href="graph.svg">graph.svg</a> · <a href="graph.dot">graph.dot</a> ·
<a href="graph.mmd">graph.mmd</a> · <a href="health">health</a> · <a href="ready">ready</a> · <a href="prometheus">prometheus</a></div>
<table><thead><tr><th>component</th><th>in ev/s</th><th>out ev/s</th><th>fill</th><th>total</th><th>failures</th></tr></thead>
<tbody id="rows"></tbody></table>
<script>${SCRIPT}</script></body></html>
`;
}
