/**
 * Flume's HTTP monitoring (core/instrumentation/http/HTTPMetricsServer.java), enabled as in Flume with
 * `-Dflume.monitoring.type=http -Dflume.monitoring.port=41414`: `GET /metrics` returns
 * `{"SOURCE.r1": {...}, "CHANNEL.c1": {...}, "SINK.k1": {...}}` with string values. The same path serves the
 * Prometheus text format to scrapers that ask for it (Accept: text/plain or openmetrics), and `/prometheus` always does.
 */
import http from 'node:http';
import type { CounterGroup } from './counters.js';

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

export function startMetricsServer(port: number, host: string, source: CounterSource): Promise<http.Server> {
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
