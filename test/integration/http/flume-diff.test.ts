/**
 * Differential test of the http sink: the same agent properties (seq → memory → http) run in real Apache Flume 1.11
 * (flume-http-sink) and in flume-ts, each posting to a node:http server that answers by request number with the same
 * scripted status codes. The requests each agent makes (body, method, path, Content-Type, Accept) must be the same
 * sequence, i.e. the same commit / rollback decisions, and the sink counters must agree.
 */
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startFlumeAgent, waitFor } from '../../support/services.js';
import { startAgent } from '../../support/agent-process.js';

interface Seen { body: string; method: string; url: string; type: string; accept: string }

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
});

async function recorder(statuses: number[]): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = seen.length;
      seen.push({
        body: Buffer.concat(chunks).toString(), method: req.method!, url: req.url!,
        type: String(req.headers['content-type']), accept: String(req.headers.accept),
      });
      res.writeHead(statuses[n] ?? 200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { port: (server!.address() as AddressInfo).port, seen };
}

function conf(port: number, events: number, sinkProps: string[]): string {
  return [
    'a1.sources = r1', 'a1.channels = c1', 'a1.sinks = k1',
    'a1.sources.r1.type = seq', `a1.sources.r1.totalEvents = ${events}`, 'a1.sources.r1.channels = c1',
    'a1.channels.c1.type = memory',
    'a1.sinks.k1.type = http', `a1.sinks.k1.endpoint = http://127.0.0.1:${port}/flume/events?x=1`,
    ...sinkProps.map((p) => `a1.sinks.k1.${p}`),
    'a1.sinks.k1.channel = c1', '',
  ].join('\n');
}

async function metrics(port: number): Promise<Record<string, string>> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  return ((await r.json()) as Record<string, Record<string, string>>)['SINK.k1']!;
}

/** Runs the properties in `which` agent until the server saw `requests` requests; returns them and the sink counters. */
async function run(which: 'flume' | 'ts', statuses: number[], events: number, requests: number, sinkProps: string[]) {
  const rec = await recorder(statuses);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flume-ts-http-diff-'));
  const file = path.join(dir, 'agent.conf');
  writeFileSync(file, conf(rec.port, events, sinkProps));
  const mport = await freePort();
  const stop = which === 'flume'
    ? (() => {
      const a = startFlumeAgent({
        confFile: file, name: 'a1', heap: '256m', logDir: path.join(dir, 'logs'), args: ['--no-reload-conf'],
        props: { 'flume.monitoring.type': 'http', 'flume.monitoring.port': String(mport) },
      });
      return { alive: a.alive, stop: () => a.stop() };
    })()
    : (() => {
      const a = startAgent(conf(rec.port, events, sinkProps), [`-Dflume.monitoring.type=http`, `-Dflume.monitoring.port=${mport}`]);
      let exited = false;
      void a.exited.then(() => (exited = true));
      return { alive: () => !exited, stop: async () => { a.child.kill('SIGTERM'); await a.exited; } };
    })();
  try {
    await waitFor(`${which}: ${requests} requests`, async () => rec.seen.length >= requests, { timeoutMs: 120_000, alive: stop.alive });
    await new Promise((r) => setTimeout(r, 300)); // let the last reply's commit/rollback and counters land
    const m = await metrics(mport);
    return { seen: rec.seen.slice(0, requests), m };
  } finally {
    await stop.stop();
    server?.closeAllConnections();
    await new Promise((r) => server!.close(r));
    server = undefined;
  }
}

const counters = (m: Record<string, string>) => ({
  attempt: m.EventDrainAttemptCount, success: m.EventDrainSuccessCount, writeFail: m.EventWriteFail,
});

describe('http sink: Flume 1.11 and flume-ts make the same requests', () => {
  it('with the User Guide overrides, a scripted mix of 2XX, 4XX and 5XX replies', async () => {
    const statuses = [200, 503, 200, 500, 201, 404, 502, 502, 200, 204, 200, 200, 200];
    const props = [
      'contentTypeHeader = application/json', 'acceptHeader = application/json',
      'rollback.2XX = false', 'backoff.2XX = false', 'incrementMetrics.2XX = true',
      'rollback.500 = false', 'rollback.5XX = true', 'backoff.5XX = false', 'rollback.404 = false', 'backoff.4XX = false',
    ];
    // 10 events: every event committed exactly once after the 3 rolled-back 5XX replies → 13 requests
    const flume = await run('flume', statuses, 10, 13, props);
    const ts = await run('ts', statuses, 10, 13, props);
    expect(ts.seen).toEqual(flume.seen);
    expect(flume.seen.map((s) => s.body)).toEqual(['0', '1', '1', '2', '3', '4', '5', '5', '5', '6', '7', '8', '9']);
    expect(flume.seen[0]).toMatchObject({ method: 'POST', url: '/flume/events?x=1', type: 'application/json', accept: 'application/json' });
    expect(counters(ts.m)).toEqual(counters(flume.m));
  }, 300_000);

  it('with Flume\'s defaults, a 200 is rolled back and the same event is posted again', async () => {
    const flume = await run('flume', [], 3, 3, []);
    const ts = await run('ts', [], 3, 3, []);
    expect(ts.seen).toEqual(flume.seen);
    expect(flume.seen.map((s) => s.body)).toEqual(['0', '0', '0']);
    expect(flume.seen[0]).toMatchObject({ type: 'text/plain', accept: 'text/plain' });
    expect(ts.m.EventDrainSuccessCount).toBe('0');
    expect(flume.m.EventDrainSuccessCount).toBe('0');
  }, 300_000);
});
