import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { avroClientMain, LineSplitter } from '../../src/cli/avro-client.js';
import { avroSource, type AvroSource } from '../../src/components/sources/avro.js';
import { create, drain, memory } from '../support/context.js';
import { processorFor } from '../components/rpc/helpers.js';

function split(chunks: string[]): string[] {
  const s = new LineSplitter();
  const out: Buffer[] = [];
  for (const c of chunks) s.push(Buffer.from(c, 'latin1'), out);
  s.end(out);
  return out.map((b) => b.toString('latin1'));
}

describe('LineSplitter (BufferedReader.readLine semantics)', () => {
  it('splits on \\n, \\r and \\r\\n, across chunk boundaries, with no empty last line', () => {
    expect(split(['a\nb\r\nc\rd'])).toEqual(['a', 'b', 'c', 'd']);
    expect(split(['a\r', '\nb\n'])).toEqual(['a', 'b']);
    expect(split(['a\r', '\r\n', 'x'])).toEqual(['a', '', 'x']);
    expect(split(['\n\n'])).toEqual(['', '']);
    expect(split(['lo', 'ng li', 'ne'])).toEqual(['long line']);
    expect(split([])).toEqual([]);
  });
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  vi.restoreAllMocks();
});

async function source() {
  const ch = memory('c', 10_000, 1000);
  const src = create(avroSource, { bind: '127.0.0.1', port: '0' }, { processor: processorFor(ch) }) as AvroSource;
  await src.start();
  cleanups.push(() => src.stop());
  return { ch, port: String(src.boundPort), src };
}

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'avro-client-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('flume-ts avro-client', () => {
  it('sends a file, one event per line, in batches of 5, with the header file on every event', async () => {
    const { ch, port, src } = await source();
    const d = tmp();
    const lines = Array.from({ length: 23 }, (_, i) => `line ${i} \u00e9`);
    fs.writeFileSync(path.join(d, 'in.txt'), lines.join('\r\n') + '\n');
    fs.writeFileSync(path.join(d, 'h.properties'), 'host = web1\ndc:eu\\u00e9\n# comment\n');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await avroClientMain(['-H', '127.0.0.1', '-p', port, '-F', path.join(d, 'in.txt'), '-R', path.join(d, 'h.properties')])).toBe(0);
    const got = await drain(ch);
    expect(got.map((e) => e.body.toString('utf8'))).toEqual(lines);
    expect(got[0]!.headers).toEqual({ host: 'web1', dc: 'eu\u00e9' });
    expect(src.counter.snapshot().AppendBatchAcceptedCount).toBe('5');
  });

  it('--dirname sends every file and renames it to .COMPLETED; --batch-size changes the batch', async () => {
    const { ch, port, src } = await source();
    const d = tmp();
    fs.writeFileSync(path.join(d, 'a.log'), 'a1\na2\n');
    fs.writeFileSync(path.join(d, 'b.log'), 'b1');
    fs.writeFileSync(path.join(d, '.hidden'), 'x\n');
    fs.writeFileSync(path.join(d, 'old.COMPLETED'), 'x\n');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await avroClientMain(['--host', '127.0.0.1', '--port', port, '--dirname', d, '--batch-size', '100'])).toBe(0);
    expect((await drain(ch)).map((e) => e.body.toString()).sort()).toEqual(['a1', 'a2', 'b1']);
    expect(fs.readdirSync(d).sort()).toEqual(['.hidden', 'a.log.COMPLETED', 'b.log.COMPLETED', 'old.COMPLETED']);
    expect(src.counter.snapshot().AppendBatchAcceptedCount).toBe('2');
  });

  it('reads the host from an RPC properties file (-P)', async () => {
    const { ch, port } = await source();
    const d = tmp();
    fs.writeFileSync(path.join(d, 'rpc.properties'), `hosts = h1\nhosts.h1 = 127.0.0.1:${port}\nbatch-size = 2\n`);
    fs.writeFileSync(path.join(d, 'in.txt'), 'x\ny\nz\n');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await avroClientMain(['-P', path.join(d, 'rpc.properties'), '-F', path.join(d, 'in.txt')])).toBe(0);
    expect((await drain(ch)).length).toBe(3);
  });

  it('explains bad usage (exit 2) and an unreachable source (exit 1)', async () => {
    const msgs: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      msgs.push(String(s));
      return true;
    });
    expect(await avroClientMain(['-F', 'x'])).toBe(2);
    expect(await avroClientMain(['-H', 'localhost'])).toBe(2);
    expect(await avroClientMain(['-H', 'h', '-p', '1', '-F', 'a', '--dirname', 'b'])).toBe(2);
    const d = tmp();
    fs.writeFileSync(path.join(d, 'in.txt'), 'x\n');
    expect(await avroClientMain(['-H', '127.0.0.1', '-p', '1', '-F', path.join(d, 'in.txt')])).toBe(1);
    const text = msgs.join('');
    expect(text).toMatch(/Either --rpcProps or both --host and --port must be specified/);
    expect(text).toMatch(/You must specify a port to connect to with --port/);
    expect(text).toMatch(/cannot be used simultaneously/);
    expect(text).toMatch(/cannot connect to 127\.0\.0\.1:1/);
  });
});
