#!/usr/bin/env node
// Elasticsearch sink throughput against the harness's real Elasticsearch 8.19 (started or reused), in-process on dist/:
//   sink    memory channel (N events, ~100-byte bodies, timestamp + host headers) → ElasticSearchSink (LogStash
//           documents, daily index), one bulk request per transaction, every item of the response read
//   plain   the ceiling: the same documents, serialized beforehand (not timed), POSTed as the same bulk bodies one
//           request at a time by a minimal node:http keep-alive client that only reads the `errors` flag
//   client  the same pre-built bodies through @elastic/elasticsearch 8.19 `client.bulk` (to choose the transport)
// For each batch size (100, 1000) the variants alternate, --replicates times each, every run into a fresh index
// (1 shard, 0 replicas). Reports median (min–max) events/s, the sink/plain ratio and this process's CPU µs/event.
// Usage: npm run build && node bench/es.mjs [--events 100000] [--replicates 3] [--batches 100,1000]
//        [--variants plain,sink,client] [--json FILE]
// --json FILE: one row per measured run { variant, batch, replicate, eps, cpuUs, lost } (bench/all.mjs reads it). A
// run whose index does not end with all N documents is recorded with `lost` = N − count (the table says so).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startServices, stopServices } from '../scripts/services/index.mjs';
import { MemoryChannel } from '../dist/components/channels/memory.js';
import { elasticsearchSink } from '../dist/components/sinks/elasticsearch/index.js';
import { logstashDocument } from '../dist/components/sinks/elasticsearch/document.js';
import { parseComponent } from '../dist/config/component-props.js';
import { builtinRegistry } from '../dist/components/registry.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    replicates: { type: 'string', default: '3' },
    batches: { type: 'string', default: '100,1000' },
    variants: { type: 'string', default: 'plain,sink,client' },
    json: { type: 'string' },
  },
});
const N = Number(values.events);
const R = Number(values.replicates);
const BATCHES = values.batches.split(',').map(Number);
const VARIANTS = values.variants.split(',');
const { services, started } = await startServices(['es']);
const node = services.es.urls.node;
const logger = pino({ level: 'silent' });
const at = { file: 'bench', line: 1, col: 1 };
const make = (spec, raw, ctx) => {
  const m = new Map(Object.entries(raw).map(([k, v]) => [k, { key: k, fullKey: k, value: v, keyAt: at, valueAt: at }]));
  const r = parseComponent(spec, m, { label: spec.type });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return spec.create(r.config, { name: 'k1', agent: 'a1', logger, raw, registry: builtinRegistry(), ...ctx });
};
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function req(method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = body ? { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body) } : {};
    const r = http.request(`${node}${path}`, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(body);
  });
}
const jsonReq = (method, path, obj) =>
  new Promise((resolve, reject) => {
    const body = obj === undefined ? undefined : JSON.stringify(obj);
    const r = http.request(`${node}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    r.on('error', reject);
    r.end(body);
  });

const line = 'x'.repeat(80);
const events = () => {
  const now = Date.now();
  return Array.from({ length: N }, (_, i) => ({
    headers: { timestamp: String(now + (i % 1000)), host: '10.0.0.1' },
    body: Buffer.from(`${String(i).padStart(12, '0')} ${line}`),
  }));
};
const day = () => new Date().toISOString().slice(0, 10);
let run = 0;
async function freshIndex() {
  const prefix = `bench-es-${process.pid}-${run++}`;
  const index = `${prefix}-${day()}`;
  await jsonReq('PUT', `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } });
  return { prefix, index };
}
async function checkCount(index) {
  await jsonReq('POST', `/${index}/_refresh`);
  const r = await req('GET', `/${index}/_count`);
  const n = JSON.parse(r.body).count;
  await jsonReq('DELETE', `/${index}`);
  if (n !== N) console.error(`${index}: ${n} documents, expected ${N}`);
  return N - n;
}

async function runSink(batch) {
  const { prefix, index } = await freshIndex();
  const ch = new MemoryChannel('c1', {
    capacity: N + 1,
    transactionCapacity: batch,
    keepAliveSeconds: 3,
    byteCapacity: Infinity,
    byteCapacityBufferPercentage: 20,
  });
  await ch.start();
  const evs = events();
  for (let i = 0; i < N; i += batch) {
    const tx = ch.begin();
    tx.putAll(evs.slice(i, i + batch));
    await tx.commit();
  }
  const sink = make(elasticsearchSink, { hostNames: node, indexName: prefix, batchSize: String(batch) }, { channel: ch });
  await sink.start();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  while (ch.size() > 0) await sink.process();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  await sink.stop();
  const lost = await checkCount(index);
  return { eps: N / s, cpuUs: (cpu.user + cpu.system) / N, lost };
}

function bodies(batch, index) {
  const evs = events();
  const action = `{"index":{"_index":"${index}"}}\n`;
  const out = [];
  for (let i = 0; i < N; i += batch)
    out.push(
      evs
        .slice(i, i + batch)
        .map((e) => action + logstashDocument(e) + '\n')
        .join(''),
    );
  return out;
}

async function runPlain(batch) {
  const { index } = await freshIndex();
  const bs = bodies(batch, index);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const b of bs) {
    const r = await req('POST', '/_bulk', b);
    if (r.status !== 200 || JSON.parse(r.body).errors) throw new Error(`bulk failed: ${r.body.slice(0, 300)}`);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const lost = await checkCount(index);
  return { eps: N / s, cpuUs: (cpu.user + cpu.system) / N, lost };
}

let esClient;
async function runClient(batch) {
  esClient ??= new (await import('@elastic/elasticsearch')).Client({ node });
  const { index } = await freshIndex();
  const bs = bodies(batch, index);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const b of bs) {
    const r = await esClient.bulk({ body: b });
    if (r.errors) throw new Error('bulk failed');
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const lost = await checkCount(index);
  return { eps: N / s, cpuUs: (cpu.user + cpu.system) / N, lost };
}

const RUN = { plain: runPlain, sink: runSink, client: runClient };
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const fmt = (a) => `${Math.round(med(a))} (${Math.round(Math.min(...a))}–${Math.round(Math.max(...a))})`;
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const rows = [];
console.log(`# Elasticsearch sink bench: ${N} events, ${R} replicates, ES ${node}; load ${load()}, ${os.cpus().length} cores`);
for (const batch of BATCHES) {
  const res = Object.fromEntries(VARIANTS.map((v) => [v, { eps: [], cpu: [] }]));
  // warm-up: one small pass of each (JIT, index creation paths, keep-alive)
  for (const v of VARIANTS) await RUN[v](batch);
  for (let r = 0; r < R; r++) {
    for (const v of VARIANTS) {
      const x = await RUN[v](batch);
      rows.push({ variant: v, batch, replicate: r + 1, ...x });
      res[v].eps.push(x.eps);
      res[v].cpu.push(x.cpuUs);
    }
  }
  console.log(`\nbatch ${batch}`);
  console.log('| variant | events/s median (min–max) | client CPU µs/event |\n|---|---|---|');
  for (const v of VARIANTS) console.log(`| ${v} | ${fmt(res[v].eps)} | ${med(res[v].cpu).toFixed(1)} |`);
  if (res.sink && res.plain) console.log(`sink / plain (ceiling): ${((med(res.sink.eps) / med(res.plain.eps)) * 100).toFixed(0)} %`);
}
console.log(`\nload after: ${load()}`);
if (values.json) fs.writeFileSync(values.json, JSON.stringify({ options: values, runs: rows }, null, 2));
await esClient?.close();
agent.destroy();
if (started.length) await stopServices(started);
