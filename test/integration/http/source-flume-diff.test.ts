/**
 * Differential test against real Apache Flume 1.11: the same good and bad requests go to Flume's HTTPSource and to
 * flume-ts's, with the same handlers and channel sizes. Status codes and error messages must match, and so must the
 * delivered events, header for header and byte for byte (Flume's events come back through an avro sink into a
 * flume-ts avro source). Flume's documented corruption of non-ASCII JSON sent without a charset is checked as such.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSource } from '../../../src/components/sources/http/index.js';
import type { HttpSource } from '../../../src/components/sources/http/source.js';
import { avroSource } from '../../../src/components/sources/avro.js';
import type { RpcSource } from '../../../src/components/rpc/rpc-source.js';
import type { Event } from '../../../src/core/event.js';
import { create, drain, memory } from '../../support/context.js';
import { freePort, portOpen, startFlumeAgent, waitFor, type FlumeAgent } from '../../support/services.js';
import { processorFor } from '../../components/rpc/helpers.js';
import { encode } from '../../../src/components/sources/http/charset.js';

const quiet = pino({ level: 'silent' });
type Target = 'json' | 'full' | 'blob' | 'tls';
const TARGETS = ['json', 'full', 'blob', 'tls'] as const;
const FIX = path.resolve(import.meta.dirname, '../../fixtures/rpc');
interface Case {
  name: string;
  target: Target;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const ev = (name: string, extra: Record<string, unknown> = {}) => ({ headers: { case: name }, ...extra });
const json = (v: unknown) => JSON.stringify(v);
const CT = { 'Content-Type': 'application/json' };

const CASES: Case[] = [
  { name: 'one', target: 'json', headers: CT, body: json([ev('one', { body: 'hello' })]) },
  {
    name: 'many',
    target: 'json',
    path: '/any/path?x=1',
    body: json(Array.from({ length: 50 }, (_, i) => ({ headers: { case: 'many', i: String(i) }, body: `b${i}` }))),
  },
  { name: 'empty-array', target: 'json', body: '[]' },
  { name: 'utf8-json', target: 'json', headers: CT, body: json([ev('utf8-json', { body: 'héllo € 😀' })]) },
  {
    name: 'utf8-spelled',
    target: 'json',
    headers: { 'Content-Type': 'application/json; charset=utf8' },
    body: json([ev('utf8-spelled', { body: 'ü' })]),
  },
  {
    name: 'utf16',
    target: 'json',
    headers: { 'Content-Type': 'application/json; charset=UTF-16' },
    body: encode(json([ev('utf16', { body: 'hé' })]), 'UTF-16'),
  },
  { name: 'numbers', target: 'json', body: '[{"headers":{"case":"numbers","n":5,"t":true},"body":1.50}]' },
  { name: 'null-body', target: 'json', body: '[{"headers":{"case":"null-body"},"body":null},{"headers":{"case":"null-body"}}]' },
  { name: 'lenient', target: 'json', body: "[{headers:{case:'lenient'}, body:'x'}]" },
  { name: 'extra-fields', target: 'json', body: '[{"headers":{"case":"extra-fields"},"body":"x","other":[1,{"a":2}]}]' },
  { name: 'escapes', target: 'json', body: '[{"headers":{"case":"escapes","k\\"q":"v\\n"},"body":"\\u00e9\\t\\\\"}]' },
  { name: 'big', target: 'json', headers: CT, body: json([ev('big', { body: 'x'.repeat(1_000_000) })]) },
  { name: 'malformed', target: 'json', body: '[{"headers":{"case":"malformed"},"body":"x"' },
  { name: 'object', target: 'json', body: '{"headers":{},"body":"x"}' },
  { name: 'string-element', target: 'json', body: '["x"]' },
  { name: 'body-object', target: 'json', body: '[{"body":{"a":1}}]' },
  { name: 'duplicate-key', target: 'json', body: '[{"headers":{"n":"a","n":"b"},"body":"x"} ]\n#' },
  { name: 'trailing', target: 'json', body: '[] xyz' },
  { name: 'empty-body', target: 'json', body: '' },
  { name: 'null', target: 'json', body: 'null' },
  { name: 'null-element', target: 'json', body: '[null]' },
  { name: 'latin1', target: 'json', headers: { 'Content-Type': 'application/json; charset=ISO-8859-1' }, body: '[]' },
  { name: 'get', target: 'json', method: 'GET', body: json([ev('get', { body: 'g' })]) },
  { name: 'head', target: 'json', method: 'HEAD' },
  { name: 'put', target: 'json', method: 'PUT', body: '[]' },
  { name: 'delete', target: 'json', method: 'DELETE' },
  { name: 'options', target: 'json', method: 'OPTIONS' },
  { name: 'trace', target: 'json', method: 'TRACE' },
  { name: 'patch', target: 'json', method: 'PATCH', body: '[]' },
  { name: 'full-over-tx', target: 'full', body: json([1, 2, 3, 4].map(() => ev('full-over-tx', { body: 'x' }))) },
  { name: 'full-fits', target: 'full', body: json([1, 2].map(() => ev('full-fits', { body: 'x' }))) },
  { name: 'full-refused', target: 'full', body: json([1, 2].map(() => ev('full-refused', { body: 'x' }))) },
  { name: 'full-empty', target: 'full', body: '[]' },
  { name: 'blob', target: 'blob', path: '/b?a=1&case=blob&a=2', body: Buffer.from([0, 1, 2, 0xff]) },
  { name: 'blob-missing', target: 'blob', path: '/b?case=blob-missing', body: 'x' },
  {
    name: 'blob-form',
    target: 'blob',
    path: '/?a=1&case=blob-form',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'b=2',
  },
  { name: 'blob-get', target: 'blob', method: 'GET', path: '/?a=&case=blob-get' },
  { name: 'tls', target: 'tls', body: json([ev('tls', { body: 'over TLS' })]) },
  { name: 'tls-malformed', target: 'tls', body: '[' },
  { name: 'tls-put', target: 'tls', method: 'PUT', body: '[]' },
];

interface Reply {
  status: number;
  message?: string;
}

function send(port: number, c: Case): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(c.body));
    const mod = c.target === 'tls' ? https : http;
    const o = {
      host: '127.0.0.1',
      port,
      method: c.method ?? 'POST',
      path: c.path ?? '/',
      headers,
      agent: false,
      rejectUnauthorized: false,
    };
    const req = mod.request(o, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const m = /<tr><th>MESSAGE:<\/th><td>(.*)<\/td><\/tr>/.exec(Buffer.concat(chunks).toString('latin1'));
        resolve({ status: res.statusCode!, message: m?.[1] });
      });
    });
    req.on('error', reject);
    req.end(c.body);
  });
}

const conf = (ports: Record<Target, number>, avroPort: number) => `
a1.sources = json full blob tls
a1.channels = c1 c2
a1.sinks = k1
a1.sources.json.type = http
a1.sources.json.bind = 127.0.0.1
a1.sources.json.port = ${ports.json}
a1.sources.json.channels = c1
a1.sources.full.type = http
a1.sources.full.bind = 127.0.0.1
a1.sources.full.port = ${ports.full}
a1.sources.full.channels = c2
a1.sources.blob.type = http
a1.sources.blob.bind = 127.0.0.1
a1.sources.blob.port = ${ports.blob}
a1.sources.blob.channels = c1
a1.sources.blob.handler = org.apache.flume.source.http.BLOBHandler
a1.sources.blob.handler.mandatoryParameters = a
a1.sources.tls.type = http
a1.sources.tls.bind = 127.0.0.1
a1.sources.tls.port = ${ports.tls}
a1.sources.tls.channels = c1
a1.sources.tls.ssl = true
a1.sources.tls.keystore = ${path.join(FIX, 'keystore.p12')}
a1.sources.tls.keystore-password = changeit
a1.sources.tls.keystore-type = PKCS12
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 1000
a1.channels.c2.type = memory
a1.channels.c2.capacity = 3
a1.channels.c2.transactionCapacity = 3
a1.channels.c2.keep-alive = 0
a1.sinks.k1.type = avro
a1.sinks.k1.channel = c1
a1.sinks.k1.hostname = 127.0.0.1
a1.sinks.k1.port = ${avroPort}
a1.sinks.k1.batch-size = 1
`;

/** Header order is a Java HashMap's on one side and insertion order on the other: compare sorted. */
const key = (e: Event) => JSON.stringify([Object.entries(e.headers).sort(), e.body.toString('base64')]);
const byCase = (events: Event[]) => {
  const m: Record<string, string[]> = {};
  for (const e of events) (m[e.headers.case ?? '?'] ??= []).push(key(e));
  return m;
};

describe('http source vs Apache Flume 1.11 HTTPSource', () => {
  let dir: string;
  let flume: FlumeAgent | undefined;
  let relay: RpcSource | undefined;
  const fromFlume = memory('relay', 100_000, 10_000);
  const flumePorts = {} as Record<Target, number>;
  const tsPorts = {} as Record<Target, number>;
  const tsSources: HttpSource[] = [];
  const tsChannels = { c1: memory('c1', 10_000, 1000), c2: memory('c2', 3, 3) };
  const replies: Record<string, { flume: Reply; ts: Reply }> = {};

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flume-ts-http-diff-'));
    const avroPort = await freePort();
    relay = create(
      avroSource,
      { bind: '127.0.0.1', port: String(avroPort) },
      { name: 'relay', processor: processorFor(fromFlume), logger: quiet },
    ) as RpcSource;
    await relay.start();
    for (const t of TARGETS) flumePorts[t] = await freePort();
    fs.writeFileSync(path.join(dir, 'flume.conf'), conf(flumePorts, avroPort));
    flume = startFlumeAgent({
      confFile: path.join(dir, 'flume.conf'),
      name: 'a1',
      heap: '256m',
      logDir: path.join(dir, 'logs'),
      args: ['--no-reload-conf'],
    });
    const raw: Record<Target, Record<string, string>> = {
      json: {},
      full: {},
      blob: { handler: 'org.apache.flume.source.http.BLOBHandler', 'handler.mandatoryParameters': 'a' },
      tls: { ssl: 'true', keystore: path.join(FIX, 'keystore.p12'), 'keystore-password': 'changeit', 'keystore-type': 'PKCS12' },
    };
    for (const t of TARGETS) {
      const ch = t === 'full' ? tsChannels.c2 : tsChannels.c1;
      const src = create(
        httpSource,
        { bind: '127.0.0.1', port: '0', ...raw[t] },
        { name: t, processor: processorFor(ch), logger: quiet },
      ) as HttpSource;
      await src.start();
      tsSources.push(src);
      tsPorts[t] = src.boundPort!;
    }
    for (const t of TARGETS) {
      await waitFor(`flume http source ${t}`, () => portOpen(flumePorts[t]), {
        alive: flume.alive,
        timeoutMs: 90_000,
        logFile: flume.logFile,
      });
    }
    for (const c of CASES) replies[c.name] = { flume: await send(flumePorts[c.target], c), ts: await send(tsPorts[c.target], c) };
  });

  afterAll(async () => {
    await flume?.stop();
    for (const s of tsSources) await s.stop();
    await relay?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers every request with the same status code', () => {
    const got = CASES.map((c) => [c.name, replies[c.name]!.ts.status]);
    const want = CASES.map((c) => [c.name, replies[c.name]!.flume.status]);
    expect(got).toEqual(want);
    // the set covers every outcome
    expect(new Set(want.map((w) => w[1]))).toEqual(new Set([200, 400, 403, 405, 500, 501, 503]));
  });

  it('with the same error messages (the channel exception text after "Channel might be full." aside)', () => {
    const strip = (m?: string) => m?.replace(/(Channel might be full\.).*/, '$1');
    for (const c of CASES) expect([c.name, strip(replies[c.name]!.ts.message)]).toEqual([c.name, strip(replies[c.name]!.flume.message)]);
  });

  it('delivers the same events, headers and bodies byte for byte', async () => {
    const ours = await drain(tsChannels.c1);
    await waitFor('events relayed from Flume', async () => fromFlume.size() >= ours.length, { timeoutMs: 30_000 });
    const theirs = await drain(fromFlume);
    expect(theirs.length).toBe(ours.length);
    expect(byCase(ours)).toEqual(byCase(theirs));
    expect(ours.length).toBe(62 + 3 + 1); // 62 JSON events, 3 blobs, 1 over TLS
  });

  it('Flume corrupts non-ASCII JSON sent without a charset (unless application/json); flume-ts reads UTF-8', async () => {
    const c: Case = {
      name: 'no-charset',
      target: 'json',
      headers: { 'Content-Type': 'text/plain' },
      body: json([ev('no-charset', { body: 'é' })]),
    };
    expect((await send(flumePorts.json, c)).status).toBe(200);
    expect((await send(tsPorts.json, c)).status).toBe(200);
    await waitFor('no-charset event from Flume', async () => fromFlume.size() >= 1, { timeoutMs: 30_000 });
    const [theirs] = await drain(fromFlume);
    const [ours] = await drain(tsChannels.c1);
    expect(ours!.body.toString('utf8')).toBe('é');
    expect(theirs!.body).toEqual(Buffer.from(Buffer.from('é', 'utf8').toString('latin1'), 'utf8'));
  });
});
