#!/usr/bin/env node
// In-process micro-benchmarks of the interceptors, serializers and the file_roll sink (built dist/ required).
// Usage: npm run build && node bench/components.mjs [--events N]
// Interceptors: batches of 100 events with 100-byte bodies and one header, fresh events per run (headers are mutated);
//   best of 3 runs, event creation included.
// file_roll: memory channel → file_roll (batch 1000) into a temp dir, text / header_and_text / avro_event.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' } } });
const N = Number(values.events);
const dist = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../dist');
const { builtinRegistry } = await import(path.join(dist, 'components/registry.js'));
const { parseComponent } = await import(path.join(dist, 'config/component-props.js'));
const { MemoryChannel } = await import(path.join(dist, 'components/channels/memory.js'));
const registry = builtinRegistry();
const logger = pino({ level: 'silent' });

function make(kind, type, raw, extra = {}) {
  const spec = registry.resolve(kind, type);
  const m = new Map(
    Object.entries(raw).map(([key, value]) => {
      const at = { file: 'bench', line: 1, col: 1 };
      return [key, { key, fullKey: key, value, keyAt: at, valueAt: at }];
    }),
  );
  const r = parseComponent(spec, m, { label: type });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return spec.create(r.config, { name: 'b', agent: 'a1', logger, raw, registry, ...extra });
}

const line = (i) =>
  Buffer.from(`2024-05-06 12:34:56 INFO request ${i} from 10.0.0.${i % 255} took ${i % 1000} ms ${'x'.repeat(30)}`.slice(0, 100));
const BODIES = Array.from({ length: 1000 }, (_, i) => line(i));

// Best of 3 runs (the machine is shared; GC and JIT make single runs noisy).
function benchInterceptor(label, type, raw) {
  const ic = make('interceptor', type, raw);
  const batch = 100;
  let best = Infinity;
  let kept = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    kept = 0;
    for (let done = 0; done < N; done += batch) {
      const events = [];
      for (let j = 0; j < batch; j++) events.push({ headers: { timestamp: '1714999999999' }, body: BODIES[(done + j) % 1000] });
      kept += ic.intercept(events).length;
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  console.log(`${label.padEnd(48)} ${(N / best / 1e6).toFixed(2).padStart(6)} M events/s  (${kept} kept)`);
}

async function benchFileRoll(label, raw) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flume-ts-bench-fr-'));
  const ch = new MemoryChannel('c1', {
    capacity: 1_000_000,
    transactionCapacity: 1000,
    keepAliveSeconds: 0,
    byteCapacity: Infinity,
    byteCapacityBufferPercentage: 20,
  });
  await ch.start?.();
  const sink = make(
    'sink',
    'file_roll',
    { 'sink.directory': dir, 'sink.rollInterval': '0', 'sink.batchSize': '1000', ...raw },
    { channel: ch },
  );
  await sink.start();
  const M = Math.min(N, 1_000_000);
  const t0 = process.hrtime.bigint();
  for (let done = 0; done < M; done += 100_000) {
    for (let k = 0; k < 100_000; k += 1000) {
      const tx = ch.begin();
      for (let j = 0; j < 1000; j++) tx.put({ headers: { timestamp: '1714999999999', host: '10.0.0.1' }, body: BODIES[j] });
      await tx.commit();
    }
    while ((await sink.process()) === 'READY');
  }
  await sink.stop();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label.padEnd(48)} ${(M / s / 1e6).toFixed(2).padStart(6)} M events/s  (channel put+take included, ${M} events)`);
  rmSync(dir, { recursive: true, force: true });
}

console.log(`node ${process.version}, ${os.cpus()[0]?.model}, ${N} events`);
benchInterceptor('timestamp', 'timestamp', {});
benchInterceptor('host', 'host', {});
benchInterceptor('static', 'static', { key: 'dc', value: 'NYC' });
benchInterceptor('uuid', 'uuid', {});
benchInterceptor('remove_header (withName)', 'remove_header', { withName: 'x' });
benchInterceptor('regex_filter (regex=took \\d+ ms)', 'regex_filter', { regex: 'took \\d+ ms' });
benchInterceptor('regex_filter (default .*)', 'regex_filter', {});
benchInterceptor('search_replace (\\d+ → #)', 'search_replace', { searchPattern: '\\d+', replaceString: '#' });
benchInterceptor('regex_extractor (ip, ms)', 'regex_extractor', {
  regex: 'from (\\S+) took (\\d+)',
  serializers: 'a b',
  'serializers.a.name': 'ip',
  'serializers.b.name': 'ms',
});
benchInterceptor('regex_extractor (millis serializer)', 'regex_extractor', {
  regex: '^(\\S+ \\S+)',
  serializers: 't',
  'serializers.t.name': 'timestamp',
  'serializers.t.type': 'org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer',
  'serializers.t.pattern': 'yyyy-MM-dd HH:mm:ss',
});
await benchFileRoll('file_roll text', {});
await benchFileRoll('file_roll header_and_text', { 'sink.serializer': 'header_and_text' });
await benchFileRoll('file_roll avro_event', { 'sink.serializer': 'avro_event' });
await benchFileRoll('file_roll avro_event deflate', { 'sink.serializer': 'avro_event', 'sink.serializer.compressionCodec': 'deflate' });
await benchFileRoll('file_roll avro_event snappy', { 'sink.serializer': 'avro_event', 'sink.serializer.compressionCodec': 'snappy' });
