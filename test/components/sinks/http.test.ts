/**
 * Flume's HttpSink against a real node:http server: status-code tables (exact code, then NXX, then the default),
 * Flume's surprising defaults, failures, slow replies and timeouts, and the validate warnings.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { create, drain, memory, propMap } from '../../support/context.js';
import { createEvent } from '../../../src/core/event.js';
import { findOverride, httpSink, type HttpSink } from '../../../src/components/sinks/http.js';
import { parseComponent } from '../../../src/config/component-props.js';

interface Req {
  body: string;
  headers: http.IncomingHttpHeaders;
}

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A server that answers each request with the next status of `statuses` (the last one repeats) after `delayMs`. */
async function serve(statuses: number[], delayMs = 0): Promise<{ url: string; reqs: Req[] }> {
  const reqs: Req[] = [];
  let i = 0;
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      reqs.push({ body: Buffer.concat(chunks).toString(), headers: req.headers });
      const status = statuses[Math.min(i++, statuses.length - 1)]!;
      setTimeout(() => res.writeHead(status, { 'content-type': 'text/plain' }).end('reply'), delayMs);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/events`, reqs };
}

async function setup(raw: Record<string, string>, bodies: string[]) {
  const ch = memory();
  const tx = ch.begin();
  tx.putAll(bodies.map((b) => createEvent(b)));
  await tx.commit();
  const sink = create(httpSink, raw, { channel: ch, name: 'k1' }) as HttpSink;
  await sink.start();
  return { ch, sink };
}

describe('http sink', () => {
  it("keeps Flume's defaults: a 200 is rolled back and backed off, and counts no drain success", async () => {
    const { url, reqs } = await serve([200]);
    const { ch, sink } = await setup({ endpoint: url }, ['one']);
    expect(await sink.process()).toBe('BACKOFF');
    expect(await sink.process()).toBe('BACKOFF');
    expect(reqs.map((r) => r.body)).toEqual(['one', 'one']);
    expect(ch.size()).toBe(1);
    expect(sink.counter.get('EventDrainAttemptCount')).toBe(2);
    expect(sink.counter.get('EventDrainSuccessCount')).toBe(0);
    expect(reqs[0]!.headers['content-type']).toBe('text/plain');
    expect(reqs[0]!.headers.accept).toBe('text/plain');
    await sink.stop();
  });

  it('commits on 2XX with the User Guide overrides, and looks up exact code, then NXX, then the default', async () => {
    const { url, reqs } = await serve([201, 503, 500, 200]);
    const raw = {
      endpoint: url,
      contentTypeHeader: 'application/json',
      acceptHeader: 'application/json',
      'rollback.2XX': 'false',
      'backoff.2XX': 'false',
      'incrementMetrics.2XX': 'true',
      'rollback.500': 'false',
      'backoff.5XX': 'true',
      'rollback.5XX': 'true',
    };
    const { ch, sink } = await setup(raw, ['a', 'b', 'c']);
    expect(await sink.process()).toBe('READY'); // 201: 2XX → commit
    expect(ch.size()).toBe(2);
    expect(await sink.process()).toBe('BACKOFF'); // 503: 5XX → roll back, back off
    expect(ch.size()).toBe(2);
    expect(await sink.process()).toBe('BACKOFF'); // 500: exact rollback.500=false → commit; backoff.5XX → BACKOFF
    expect(ch.size()).toBe(1);
    expect(await sink.process()).toBe('READY'); // 200
    expect(ch.size()).toBe(0);
    expect(reqs.map((r) => r.body)).toEqual(['a', 'b', 'b', 'c']);
    expect(reqs[0]!.headers['content-type']).toBe('application/json');
    expect(sink.counter.get('EventDrainSuccessCount')).toBe(2);
    await sink.stop();
  });

  it('findOverride: exact code wins over the group, lower-case xx never matches', () => {
    expect(findOverride('503', { '503': false, '5XX': true }, true)).toBe(false);
    expect(findOverride('502', { '503': false, '5XX': true }, false)).toBe(true);
    expect(findOverride('200', { '2xx': false }, true)).toBe(true);
  });

  it('rolls back, counts EventWriteFail and backs off on a slow reply (requestTimeout) and a refused connection', async () => {
    // the reply would come after 30 s: a BACKOFF long before that is the 200 ms requestTimeout (a bound, not a speed)
    const { url } = await serve([200], 30_000);
    const { ch, sink } = await setup({ endpoint: url, requestTimeout: '200', 'rollback.2XX': 'false' }, ['slow']);
    const t0 = Date.now();
    expect(await sink.process()).toBe('BACKOFF');
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(ch.size()).toBe(1);
    expect(sink.counter.get('EventWriteFail')).toBe(1);
    await sink.stop();
    server!.closeAllConnections();
    await new Promise((r) => server!.close(r));
    server = undefined;
    const refused = await setup({ endpoint: url }, ['x']);
    expect(await refused.sink.process()).toBe('BACKOFF');
    expect(refused.ch.size()).toBe(1);
    expect(refused.sink.counter.get('EventWriteFail')).toBe(1);
    await refused.sink.stop();
  });

  it('commits an empty body without a request, and backs off on an empty channel', async () => {
    const { url, reqs } = await serve([200]);
    const { ch, sink } = await setup({ endpoint: url }, ['']);
    expect(await sink.process()).toBe('BACKOFF');
    expect(ch.size()).toBe(0);
    expect(await sink.process()).toBe('BACKOFF');
    expect(reqs).toHaveLength(0);
    await sink.stop();
  });

  it('delivers a stream in order with the 2XX overrides while the server fails now and then', async () => {
    const statuses = Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? 503 : 200));
    const { url, reqs } = await serve(statuses);
    const bodies = Array.from({ length: 50 }, (_, i) => `e${i}`);
    const { ch, sink } = await setup({ endpoint: url, 'rollback.2XX': 'false', 'backoff.2XX': 'false' }, bodies);
    for (let n = 0; n < 100 && ch.size() > 0; n++) await sink.process();
    expect(ch.size()).toBe(0);
    const ok = reqs.filter((_, i) => statuses[i] === 200).map((r) => r.body);
    expect(ok).toEqual(bodies);
    expect(await drain(ch)).toEqual([]);
    await sink.stop();
  });
});

describe('http sink configuration', () => {
  const diags = (raw: Record<string, string>) => parseComponent(httpSink, propMap(raw), { label: 'sink k1' }).diagnostics;

  it('warns when a 200 would be retried forever, and when a 200 backs off', () => {
    const d = diags({ endpoint: 'http://h/' });
    expect(d.some((x) => x.severity === 'warning' && /posted again forever/.test(x.message))).toBe(true);
    const d2 = diags({ endpoint: 'http://h/', 'rollback.2XX': 'false' });
    expect(d2.some((x) => /posted again forever/.test(x.message))).toBe(false);
    expect(d2.some((x) => /backs off after every successful post/.test(x.message))).toBe(true);
    const d3 = diags({ endpoint: 'http://h/', 'rollback.200': 'false', 'backoff.2XX': 'false', 'rollback.2xx': 'true' });
    expect(d3.filter((x) => x.severity !== 'info').map((x) => x.message)).toEqual([expect.stringMatching(/"2xx" never matches/)]);
  });

  it('rejects a missing or non-http endpoint and non-positive timeouts, as Flume', () => {
    expect(diags({}).some((x) => x.severity === 'error')).toBe(true);
    expect(diags({ endpoint: 'file:///tmp/x' }).some((x) => x.severity === 'error')).toBe(true);
    expect(diags({ endpoint: 'http://h/', connectTimeout: '0' }).some((x) => x.severity === 'error')).toBe(true);
    expect(diags({ endpoint: 'http://h/', requestTimeout: '-1' }).some((x) => x.severity === 'error')).toBe(true);
  });
});
