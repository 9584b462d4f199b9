/**
 * The command-line clients across implementations: Flume's own `flume-ng avro-client` (AvroCLIClient, run from the
 * Flume 1.11 jars) → flume-ts avro source, and `flume-ts avro-client` → a real Flume avro source (relayed back to a
 * flume-ts avro source by Flume's avro sink).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { avroSource, type AvroSource } from '../../../src/components/sources/avro.js';
import { avroClientMain } from '../../../src/cli/avro-client.js';
import { create, drain, memory } from '../../support/context.js';
import { processorFor } from '../../components/rpc/helpers.js';
import { ensureArtifacts } from '../../../scripts/services/lib.mjs';
import { collect, startRig, type Rig } from './relay.js';

let rig: Rig | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  while (cleanups.length) await cleanups.pop()!();
  vi.restoreAllMocks();
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'avro-cli-interop-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

const lines = Array.from({ length: 2003 }, (_, i) => `line ${i} ${'z'.repeat(i % 40)}`);

describe('avro-client interop with Flume 1.11', () => {
  it("flume-ng avro-client (Flume's AvroCLIClient) → flume-ts avro source", async () => {
    const ch = memory('c', 10_000, 1000);
    const src = create(avroSource, { bind: '127.0.0.1', port: '0' }, { processor: processorFor(ch) }) as AvroSource;
    await src.start();
    cleanups.push(() => src.stop());
    const d = tmp();
    fs.writeFileSync(path.join(d, 'in.txt'), lines.join('\n') + '\n');
    fs.writeFileSync(path.join(d, 'h.properties'), 'tier = edge\nhost = app-1\n');
    const lib = ensureArtifacts('flume');
    // async: the source runs in this process and must keep answering while the JVM sends
    const r = await new Promise<{ status: number | null; out: string }>((resolve) => {
      const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
      const c = spawn(java, [
        '-Xmx128m',
        '-cp',
        path.join(lib, '*'),
        'org.apache.flume.client.avro.AvroCLIClient',
        '-H',
        '127.0.0.1',
        '-p',
        String(src.boundPort),
        '-F',
        path.join(d, 'in.txt'),
        '-R',
        path.join(d, 'h.properties'),
      ]);
      let out = '';
      c.stdout.on('data', (x) => (out += x));
      c.stderr.on('data', (x) => (out += x));
      const t = setTimeout(() => c.kill('SIGKILL'), 120_000);
      c.on('exit', (status) => {
        clearTimeout(t);
        resolve({ status, out });
      });
    });
    expect(r.status, r.out).toBe(0);
    const got = await drain(ch);
    expect(got.map((e) => e.body.toString())).toEqual(lines);
    expect(got[0]!.headers).toEqual({ tier: 'edge', host: 'app-1' });
    // Flume's client sends batches of 5
    expect(src.counter.snapshot().AppendBatchAcceptedCount).toBe(String(Math.ceil(lines.length / 5)));
  });

  it('flume-ts avro-client → Flume avro source (→ Flume avro sink → flume-ts avro source)', async () => {
    rig = await startRig({ kind: 'avro', inbound: { flume: {}, ts: {} }, outbound: { flume: {}, ts: {} } });
    const d = tmp();
    fs.writeFileSync(path.join(d, 'in.txt'), lines.join('\r\n'));
    fs.writeFileSync(path.join(d, 'h.properties'), 'tier = edge\n');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(
      await avroClientMain([
        '-H',
        '127.0.0.1',
        '-p',
        String(rig.flumePort),
        '-F',
        path.join(d, 'in.txt'),
        '-R',
        path.join(d, 'h.properties'),
      ]),
    ).toBe(0);
    const { events } = await collect(rig.out, lines.length, 120_000, (e) => e.body.toString());
    expect(events.map((e) => e.body.toString())).toEqual(lines);
    expect(events[0]!.headers).toEqual({ tier: 'edge' });
  });
});
