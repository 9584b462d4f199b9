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

interface Seen {
  body: string;
  method: string;
  url: string;
  type: string;
  accept: string;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function recorder(statuses: number[]): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = seen.length;
      seen.push({
        body: Buffer.concat(chunks).toString(),
        method: req.method!,
        url: req.url!,
        type: String(req.headers['content-type']),
        accept: String(req.headers.accept),
      });
      res.writeHead(statuses[n] ?? 200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, seen };
}

// k1: the User Guide overrides against a scripted mix of replies; k2: Flume's defaults (a 200 is rolled back)
const STATUSES = [200, 503, 200, 500, 201, 404, 502, 502, 200, 204, 200, 200, 200];
const K1 = [
  'contentTypeHeader = application/json',
  'acceptHeader = application/json',
  'rollback.2XX = false',
  'backoff.2XX = false',
  'incrementMetrics.2XX = true',
  'rollback.500 = false',
  'rollback.5XX = true',
  'backoff.5XX = false',
  'rollback.404 = false',
  'backoff.4XX = false',
];

function conf(port1: number, port2: number): string {
  return [
    'a1.sources = r1 r2',
    'a1.channels = c1 c2',
    'a1.sinks = k1 k2',
    'a1.sources.r1.type = seq',
    'a1.sources.r1.totalEvents = 10',
    'a1.sources.r1.channels = c1',
    'a1.sources.r2.type = seq',
    'a1.sources.r2.totalEvents = 3',
    'a1.sources.r2.channels = c2',
    'a1.channels.c1.type = memory',
    'a1.channels.c2.type = memory',
    'a1.sinks.k1.type = http',
    `a1.sinks.k1.endpoint = http://127.0.0.1:${port1}/flume/events?x=1`,
    ...K1.map((p) => `a1.sinks.k1.${p}`),
    'a1.sinks.k1.channel = c1',
    'a1.sinks.k2.type = http',
    `a1.sinks.k2.endpoint = http://127.0.0.1:${port2}/`,
    'a1.sinks.k2.channel = c2',
    '',
  ].join('\n');
}

async function metrics(port: number): Promise<Record<string, Record<string, string>>> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  return (await r.json()) as Record<string, Record<string, string>>;
}

/** Runs the properties in `which` agent until the servers saw 13 and 3 requests; returns them and the sink counters. */
async function run(which: 'flume' | 'ts') {
  const a = await recorder(STATUSES);
  const b = await recorder([]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flume-ts-http-diff-'));
  const file = path.join(dir, 'agent.conf');
  const text = conf(a.port, b.port);
  writeFileSync(file, text);
  const mport = await freePort();
  const agent =
    which === 'flume'
      ? (() => {
          const f = startFlumeAgent({
            confFile: file,
            name: 'a1',
            heap: '256m',
            logDir: path.join(dir, 'logs'),
            args: ['--no-reload-conf'],
            props: { 'flume.monitoring.type': 'http', 'flume.monitoring.port': String(mport) },
          });
          return { alive: f.alive, stop: () => f.stop() };
        })()
      : (() => {
          const t = startAgent(text, [`-Dflume.monitoring.type=http`, `-Dflume.monitoring.port=${mport}`]);
          let exited = false;
          void t.exited.then(() => (exited = true));
          return {
            alive: () => !exited,
            stop: async () => {
              t.child.kill('SIGTERM');
              await t.exited;
            },
          };
        })();
  try {
    const done = async () => a.seen.length >= 13 && b.seen.length >= 3;
    await waitFor(`${which}: the scripted requests`, done, { timeoutMs: 120_000, alive: agent.alive });
    await new Promise((r) => setTimeout(r, 300)); // let the last reply's commit/rollback and counters land
    return { k1: a.seen.slice(0, 13), k2: b.seen.slice(0, 3), m: await metrics(mport) };
  } finally {
    await agent.stop();
  }
}

const counters = (m: Record<string, string> | undefined) => ({
  attempt: m?.EventDrainAttemptCount,
  success: m?.EventDrainSuccessCount,
  writeFail: m?.EventWriteFail,
});

describe('http sink: Flume 1.11 and flume-ts make the same requests', () => {
  it("with the User Guide overrides (a scripted mix of 2XX, 4XX, 5XX) and with Flume's defaults", async () => {
    const flume = await run('flume');
    const ts = await run('ts');
    // k1: 10 events, each committed once, after 3 rolled-back 5XX replies → 13 requests
    expect(ts.k1).toEqual(flume.k1);
    expect(flume.k1.map((s) => s.body)).toEqual(['0', '1', '1', '2', '3', '4', '5', '5', '5', '6', '7', '8', '9']);
    expect(flume.k1[0]).toMatchObject({ method: 'POST', url: '/flume/events?x=1', type: 'application/json', accept: 'application/json' });
    expect(counters(ts.m['SINK.k1'])).toEqual(counters(flume.m['SINK.k1']));
    expect(flume.m['SINK.k1']!.EventDrainSuccessCount).toBe('8');
    // k2, Flume's defaults: a 200 is rolled back, the same event is posted again, nothing counts as drained
    expect(ts.k2).toEqual(flume.k2);
    expect(flume.k2.map((s) => s.body)).toEqual(['0', '0', '0']);
    expect(flume.k2[0]).toMatchObject({ type: 'text/plain', accept: 'text/plain' });
    expect(ts.m['SINK.k2']!.EventDrainSuccessCount).toBe('0');
    expect(flume.m['SINK.k2']!.EventDrainSuccessCount).toBe('0');
  }, 300_000);
});
