/**
 * Flume's HTTP monitoring (core/instrumentation/http/HTTPMetricsServer.java), enabled as in Flume with
 * `-Dflume.monitoring.type=http -Dflume.monitoring.port=41414`: `GET /metrics` returns
 * `{"SOURCE.r1": {...}, "CHANNEL.c1": {...}, "SINK.k1": {...}}` with string values. The same path serves the
 * Prometheus text format to scrapers that ask for it (Accept: text/plain or openmetrics), and `/prometheus` always does.
 * With views (a running agent): `/health` (liveness), `/ready` (readiness), `/graph.svg|dot|mmd|json` (the flow) and
 * the status page at `/` (docs/operations.md).
 */
import http from 'node:http';
import type { CounterGroup } from './counters.js';
import type { FlowGraph } from './graph/model.js';
import { toSvg } from './graph/svg.js';
import { toDot, toMermaid } from './graph/text.js';
import { statusPage } from './status-page.js';

/** A status code with its JSON body (health and readiness). */
export interface Probe {
  status: number;
  body: Record<string, unknown>;
}

/** What a running agent adds to the metrics endpoint. */
export interface MonitoringViews {
  health(): Probe;
  ready(): Probe;
  graph(): FlowGraph | undefined;
}

export type CounterSource = () => readonly CounterGroup[];

export function metricsJson(groups: readonly CounterGroup[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const g of groups) out[`${g.type}.${g.name}`] = g.snapshot();
  return out;
}

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Prometheus text exposition: flume_<type>_<attribute>{component="name"} value. */
export function metricsPrometheus(groups: readonly CounterGroup[]): string {
  const series = new Map<string, string[]>();
  for (const g of groups) {
    const snap = g.snapshot();
    for (const [k, v] of Object.entries(snap)) {
      if (k === 'Type') continue;
      const n = Number(v);
      if (!Number.isFinite(n)) continue;
      const name = `flume_${g.type.toLowerCase()}_${snake(k)}`;
      const lines = series.get(name) ?? [];
      lines.push(`${name}{component="${g.name.replace(/["\\\n]/g, '_')}"} ${n}`);
      series.set(name, lines);
    }
  }
  let text = '';
  for (const [name, lines] of series) {
    const kind = /count|fail/.test(name) && !/size|capacity|percentage/.test(name) ? 'counter' : 'gauge';
    text += `# TYPE ${name} ${kind}\n${lines.join('\n')}\n`;
  }
  return text;
}

const GRAPH_TYPES: Record<string, [string, (g: FlowGraph) => string]> = {
  '/graph.svg': ['image/svg+xml', (g) => toSvg(g)],
  '/graph.dot': ['text/vnd.graphviz; charset=utf-8', toDot],
  '/graph.mmd': ['text/plain; charset=utf-8', toMermaid],
  '/graph.json': ['application/json;charset=utf-8', (g) => JSON.stringify(g)],
};

/** The views' routes; false when the path is not one of them. */
function serveViews(pathname: string, res: http.ServerResponse, views: MonitoringViews): boolean {
  const json = (p: Probe) =>
    res.writeHead(p.status, { 'content-type': 'application/json;charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(p.body));
  if (pathname === '/health') json(views.health());
  else if (pathname === '/ready') json(views.ready());
  else if (GRAPH_TYPES[pathname] || pathname === '/') {
    const g = views.graph();
    if (!g) res.writeHead(503, { 'content-type': 'text/plain' }).end('no agent running\n');
    else if (pathname === '/') res.writeHead(200, { 'content-type': 'text/html;charset=utf-8' }).end(statusPage(g));
    else {
      const [type, render] = GRAPH_TYPES[pathname]!;
      res.writeHead(200, { 'content-type': type }).end(render(g));
    }
  } else return false;
  return true;
}

export function startMetricsServer(port: number, host: string, source: CounterSource, views?: MonitoringViews): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method === 'TRACE' || req.method === 'OPTIONS') {
      res.writeHead(403).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const accept = req.headers.accept ?? '';
    if (
      url.pathname === '/prometheus' ||
      (url.pathname === '/metrics' && /openmetrics|text\/plain/.test(accept) && !/application\/json/.test(accept))
    ) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metricsPrometheus(source()));
      return;
    }
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify(metricsJson(source())));
      return;
    }
    if (views && serveViews(url.pathname, res, views)) return;
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html;charset=utf-8' }).end('<html><body><a href="/metrics">Metrics</a></body></html>');
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
