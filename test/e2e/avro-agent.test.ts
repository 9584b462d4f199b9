/**
 * A flume-ts agent (bin/flume-ts) with an avro source and an avro sink, fed by `flume-ts avro-client` (file with a
 * header file, and stdin); a collector in the test process checks what the agent's avro sink delivers.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { RpcServer } from '../../src/components/rpc/server.js';
import { AvroSession, knownClients } from '../../src/components/rpc/avro/session.js';
import type { Event } from '../../src/core/event.js';
import { BIN, canConnect, freePort, startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

let agent: AgentProcess | undefined;
let server: RpcServer<unknown> | undefined;
afterEach(async () => {
  await agent?.stop('SIGKILL');
  await server?.close();
  agent = undefined;
  server = undefined;
});

async function collector(): Promise<{ port: number; got: Event[] }> {
  const got: Event[] = [];
  const handler = {
    append: async (e: Event) => (got.push(e), 'OK' as const),
    appendBatch: async (es: Event[]) => (got.push(...es), 'OK' as const),
  };
  const known = knownClients();
  const s = new RpcServer({
    bind: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    label: 'collector',
    layers: { deflateLevel: 6 },
    newSession: () => new AvroSession(handler, known),
  });
  await s.listen();
  server = s as RpcServer<unknown>;
  return { port: s.port, got };
}

function client(args: string[], stdin?: string): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(BIN, ['avro-client', ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    c.stderr!.on('data', (d) => (err += d));
    c.on('exit', (code) => resolve({ code, err }));
    if (stdin !== undefined) c.stdin!.end(stdin);
    else c.stdin!.end();
  });
}

describe('flume-ts agent: avro-client → avro source → memory → avro sink', () => {
  it("delivers file and stdin lines with the header file and the source's interceptor, through a deflate hop", async () => {
    const col = await collector();
    const port = await freePort();
    agent = startAgent(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = avro
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.sources.r1.interceptors = i1
a1.sources.r1.interceptors.i1.type = static
a1.sources.r1.interceptors.i1.key = tier
a1.sources.r1.interceptors.i1.value = collector
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = avro
a1.sinks.k1.channel = c1
a1.sinks.k1.hostname = 127.0.0.1
a1.sinks.k1.port = ${col.port}
a1.sinks.k1.batch-size = 50
a1.sinks.k1.compression-type = deflate
`);
    await waitFor(() => canConnect(port), 'the avro source port', 30_000);
    const d = tmpDir();
    const lines = Array.from({ length: 1234 }, (_, i) => `event ${i} ✓`);
    fs.writeFileSync(path.join(d, 'in.txt'), lines.join('\n') + '\n');
    fs.writeFileSync(path.join(d, 'headers.txt'), 'source = test\n');
    const r1 = await client(['-H', '127.0.0.1', '-p', String(port), '-F', path.join(d, 'in.txt'), '-R', path.join(d, 'headers.txt')]);
    expect(r1.err).toMatch(/sent 1234 events/);
    expect(r1.code).toBe(0);
    const r2 = await client(['-H', '127.0.0.1', '-p', String(port)], 'from stdin 1\nfrom stdin 2\n');
    expect(r2.code).toBe(0);
    await waitFor(() => col.got.length >= 1236, 'events at the collector', 30_000);
    expect(col.got.slice(0, 1234).map((e) => e.body.toString())).toEqual(lines);
    expect(col.got[0]!.headers).toEqual({ source: 'test', tier: 'collector' });
    expect(col.got.slice(1234).map((e) => e.body.toString())).toEqual(['from stdin 1', 'from stdin 2']);
    expect(col.got[1235]!.headers).toEqual({ tier: 'collector' });
  });
});
