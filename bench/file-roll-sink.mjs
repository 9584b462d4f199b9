#!/usr/bin/env node
// Micro-benchmark of the file_roll sink path as netcat feeds it: memory channel → RollingFileSink (batch 1000,
// rollInterval 0) with text / header_and_text, events are SliceEvents over 64 KiB "received" buffers (as netcat makes).
// Measures CPU (user+sys of this process, which includes the libuv write threads) and wall time per event of the sink
// side only (take + serialize + write(2) + commit): the channel is filled before each timed drain.
// Usage: npx tsc -p tsconfig.json && node bench/file-roll-sink.mjs [--events N] [--rounds R] [--body B] [--batch N] [--serializer text|header_and_text|avro_event] [--per-event]
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '5' },
    serializer: { type: 'string', multiple: true },
    body: { type: 'string', default: '100' },
    // events per transaction (and sink.batchSize): small batches are what the sink sees when the source is starved
    batch: { type: 'string', default: '1000' },
    // avro_event only: without its writeBatch (write() per event, through avsc), to compare
    'per-event': { type: 'boolean', default: false },
  },
});
const N = Number(values.events);
const ROUNDS = Number(values.rounds);
const BODY = Number(values.body);
const BATCH = Number(values.batch);
const serializers = values.serializer ?? ['text', 'header_and_text'];
const dist = process.env.FLUME_TS_DIST ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '../dist');
const { builtinRegistry } = await import(path.join(dist, 'components/registry.js'));
const { parseComponent } = await import(path.join(dist, 'config/component-props.js'));
const { parseDeclaredParts, serializerFactory } = await import(path.join(dist, 'config/parts.js'));
const { MemoryChannel } = await import(path.join(dist, 'components/channels/memory.js'));
const { SliceEvent } = await import(path.join(dist, 'core/event.js'));
const registry = builtinRegistry();
if (values['per-event']) {
  const { AvroContainerWriter } = await import(path.join(dist, 'components/serializers/avro_event.js'));
  delete AvroContainerWriter.prototype.writeBatch;
}
const logger = pino({ level: 'silent' });

function make(kind, type, raw, extra = {}) {
  const spec = registry.resolve(kind, type);
  const at = { file: 'bench', line: 1, col: 1 };
  const m = new Map(Object.entries(raw).map(([key, value]) => [key, { key, fullKey: key, value, keyAt: at, valueAt: at }]));
  const r = parseComponent(spec, m, { label: type });
  const diagnostics = [...r.diagnostics];
  const p = r.ok && parseDeclaredParts(registry, diagnostics, spec, r.config, m, { owner: type, keyPrefix: 'a1.sinks.k1.' });
  if (!p || !p.ok) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const base = { name: 'k1', agent: 'a1', logger, raw, registry };
  const serializer = p.parts.serializer && serializerFactory(p.parts.serializer, base);
  return spec.create(r.config, { ...base, serializer, ...extra });
}

/** netcat-like input: 64 KiB chunks of "seq body\n" lines; events are slices of them (without the newline). */
function makeEvents(n) {
  const out = [];
  let chunk = Buffer.alloc(0);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const line = `${String(i).padStart(10, '0')} ${'x'.repeat(Math.max(0, BODY - 11))}`;
    if (pos + line.length + 1 > chunk.length) {
      chunk = Buffer.allocUnsafe(65536);
      pos = 0;
    }
    chunk.write(line, pos, 'latin1');
    chunk[pos + line.length] = 0x0a;
    out.push(new SliceEvent(chunk, pos, pos + line.length));
    pos += line.length + 1;
  }
  return out;
}

async function run(ser) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flume-ts-bench-frs-'));
  const ch = new MemoryChannel('c1', {
    capacity: N + 1000,
    transactionCapacity: Math.max(1000, BATCH),
    keepAliveSeconds: 0,
    byteCapacity: Infinity,
    byteCapacityBufferPercentage: 20,
  });
  await ch.start?.();
  const sink = make(
    'sink',
    'file_roll',
    { 'sink.directory': dir, 'sink.rollInterval': '0', 'sink.batchSize': String(BATCH), 'sink.serializer': ser },
    { channel: ch },
  );
  await sink.start();
  const results = [];
  for (let r = 0; r < ROUNDS; r++) {
    const events = makeEvents(N);
    for (let k = 0; k < N; k += BATCH) {
      const tx = ch.begin();
      for (let j = k; j < Math.min(N, k + BATCH); j++) tx.put(events[j]);
      await tx.commit();
    }
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    while ((await sink.process()) === 'READY');
    const wall = Number(process.hrtime.bigint() - t0) / 1e3;
    const c = process.cpuUsage(c0);
    results.push({ cpu: (c.user + c.system) / N, wall: wall / N });
  }
  await sink.stop();
  const bytes = readdirSync(dir).reduce((s, f) => s + statSync(path.join(dir, f)).size, 0);
  rmSync(dir, { recursive: true, force: true });
  const cpus = results.map((x) => x.cpu).sort((a, b) => a - b);
  const walls = results.map((x) => x.wall).sort((a, b) => a - b);
  const med = (a) => a[Math.floor(a.length / 2)];
  console.log(
    `${`file_roll ${ser}${values['per-event'] ? ' (per event)' : ''}`.padEnd(40)} CPU µs/event median ${med(cpus).toFixed(3)} (min ${cpus[0].toFixed(3)})  ` +
      `wall µs/event median ${med(walls).toFixed(3)} (min ${walls[0].toFixed(3)})  ${(bytes / 1e6).toFixed(0)} MB written`,
  );
}

console.log(
  `node ${process.version}, ${os.cpus()[0]?.model}, ${N} events × ${ROUNDS} rounds, body ${BODY} B, batch ${BATCH}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const s of serializers) await run(s);
