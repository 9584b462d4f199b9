/**
 * The monitoring port of a running agent beyond /metrics: /health, /ready (503 while a source cannot start, 200 once
 * it has), /graph.svg|dot|mmd, and the status page at / rendered by a real headless Chromium (Debian's chromium):
 * after its script has polled /metrics the DOM shows live numbers, and its screenshot is a picture, not a blank page.
 */
import http from 'node:http';
import net from 'node:net';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';
import { dumpDom, screenshot } from '../support/chromium.js';
import { countPixels, decodePng } from '../support/png.js';
import { findAll, parseXml } from '../support/xml.js';

function get(port: number, pathname: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathname, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
      })
      .on('error', reject);
  });
}

function post(port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const conf = (port: number, dead: number) => `a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2 k3
a1.sources.r1.type = http
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1 c2
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100
a1.channels.c2.type = memory
a1.sinks.k1.type = avro
a1.sinks.k1.hostname = 127.0.0.1
a1.sinks.k1.port = ${dead}
a1.sinks.k1.channel = c1
a1.sinks.k2.type = logger
a1.sinks.k2.channel = c2
a1.sinks.k3.type = logger
a1.sinks.k3.channel = nowhere
`;

describe('monitoring views of a running agent', () => {
  let agent: AgentProcess;
  let port: number;
  let mon: number;
  let blocker: net.Server;

  beforeAll(async () => {
    [port, mon] = [await freePort(), await freePort()];
    const dead = await freePort();
    // the source's port is taken: its start fails and is retried every 3 s, so the agent is alive but not ready
    blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    agent = startAgent(conf(port, dead), [
      '-Dflume.monitoring.type=http',
      `-Dflume.monitoring.port=${mon}`,
      '-Dflume.monitoring.bind=127.0.0.1',
    ]);
  });

  afterAll(async () => {
    blocker.close();
    await agent?.stop('SIGKILL');
  });

  it('/health is UP and /ready 503 names the source that has not started; /ready turns 200 once it starts', async () => {
    const notReady = await waitFor(async () => {
      const r = await get(mon, '/ready');
      return r.status === 503 ? r : false;
    }, 'monitoring port answering /ready');
    expect(JSON.parse((notReady as { body: string }).body)).toMatchObject({ status: 'NOT_READY', agent: 'a1', notReady: ['source r1'] });
    const health = await get(mon, '/health');
    expect(health.status).toBe(200);
    expect(health.type).toMatch(/application\/json/);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'UP', agent: 'a1' });
    await new Promise((r) => blocker.close(r));
    const ready = await waitFor(
      async () => {
        const r = await get(mon, '/ready');
        return r.status === 200 ? r : undefined;
      },
      'the source to start after its port was freed',
      15_000,
    );
    expect(JSON.parse((ready as { body: string }).body)).toEqual({ status: 'READY', agent: 'a1', notReady: [] });
  });

  it('serves the flow as SVG, DOT and Mermaid, with the dropped sink marked', async () => {
    const svg = await get(mon, '/graph.svg');
    expect(svg.status).toBe(200);
    expect(svg.type).toBe('image/svg+xml');
    const doc = parseXml(svg.body);
    const ids = findAll(doc, (e) => /\bnode\b/.test(e.attrs.class ?? '')).map((e) => e.attrs['data-id']);
    expect(ids).toEqual(expect.arrayContaining(['source:r1', 'selector:r1', 'channel:c1', 'channel:c2', 'sink:k1', 'sink:k2', 'sink:k3']));
    expect(findAll(doc, (e) => e.attrs['data-id'] === 'sink:k3')[0]!.attrs.class).toMatch(/dropped/);
    const dot = await get(mon, '/graph.dot');
    expect(dot.body).toContain('"channel:c1" -> "sink:k1";');
    expect(dot.body).toMatch(/"sink:k3" \[.*DROPPED: unknown-channel/);
    expect((await get(mon, '/graph.mmd')).body).toMatch(/^flowchart LR/);
  });

  it('/graph.svg draws in headless Chromium: a non-blank picture with the dropped sink in red', async () => {
    const png = path.join(tmpDir('flume-ts-graph-'), 'graph.png');
    await screenshot(`http://127.0.0.1:${mon}/graph.svg`, png, '1000,400', 500);
    const img = decodePng(readFileSync(png));
    expect([img.width, img.height]).toEqual([1000, 400]);
    expect(countPixels(img, (r, g, b) => r < 235 || g < 235 || b < 235) / (1000 * 400)).toBeGreaterThan(0.03);
    expect(countPixels(img, (r, g, b) => r > 190 && g < 70 && b < 70)).toBeGreaterThan(100);
  });

  it('the status page, run by headless Chromium, shows live counts and fill levels, and draws', async () => {
    await waitFor(async () => (await get(mon, '/ready')).status === 200, 'ready');
    const batch = JSON.stringify(Array.from({ length: 30 }, (_, i) => ({ headers: {}, body: `e${i}` })));
    expect(await post(port, batch)).toBe(200);
    const page = await get(mon, '/');
    expect(page.type).toMatch(/text\/html/);
    expect(page.body).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/);
    const url = `http://127.0.0.1:${mon}/?refresh=500`;
    // events keep coming while the page polls (5 every 100 ms, at most 40 more: c1 stays under its capacity)
    let sent = 30;
    const feeder = setInterval(() => {
      if (sent >= 70) return;
      sent += 5;
      void post(port, JSON.stringify(Array.from({ length: 5 }, () => ({ headers: {}, body: 'x' })))).catch(() => {});
    }, 100);
    const dom = await dumpDom(url, 4000).finally(() => clearInterval(feeder));
    expect(dom).toMatch(/id="state" class="up">live · updated/);
    // c1 holds the events (its avro sink cannot connect): a fill level of at least 30 % of 100 and the row's total
    const fill = /data-metric="CHANNEL.c1"[^>]*>[^<]*\/s in · [^<]*\/s out · (\d+)\.\d% full</.exec(dom);
    expect(Number(fill?.[1])).toBeGreaterThanOrEqual(30);
    expect(dom).toMatch(/<tr data-metric="CHANNEL.c1"><td>CHANNEL.c1<\/td>(<td class="num">[^<]*<\/td>){3}<td class="num">[3-7]\d<\/td>/);
    // rates are per second between two polls; under Chromium's virtual time the polls come in quick real-time
    // succession, so their value is not asserted here (the `top` test checks rates in real time)
    expect(dom).toMatch(/data-metric="SOURCE.r1"[^>]*>[\d.,]+ ev\/s in · \d+ conn</);
    expect(dom).toMatch(/data-metric="SINK.k1"[^>]*>[\d.,]+ ev\/s out · [1-9]\d* fail</);
    expect(dom).toMatch(/class="fillbar"/);
    const png = path.join(tmpDir('flume-ts-status-'), 'status.png');
    await screenshot(url, png, '1100,520', 3000);
    // FLUME_TS_SCREENSHOT_OUT=docs/images/status-page.png keeps the picture (how the one in docs/operations.md is made)
    if (process.env.FLUME_TS_SCREENSHOT_OUT) copyFileSync(png, process.env.FLUME_TS_SCREENSHOT_OUT);
    const img = decodePng(readFileSync(png));
    expect([img.width, img.height]).toEqual([1100, 520]);
    const total = img.width * img.height;
    const nonWhite = countPixels(img, (r, g, b) => r < 235 || g < 235 || b < 235);
    expect(nonWhite / total).toBeGreaterThan(0.05);
    // the dropped sink's red, and the boxes' colours (source blue, channel orange, sink green)
    expect(countPixels(img, (r, g, b) => r > 190 && g < 70 && b < 70)).toBeGreaterThan(200);
    expect(countPixels(img, (r, g, b) => r > 240 && g > 235 && g < 250 && b > 215 && b < 230)).toBeGreaterThan(2000);
    expect(countPixels(img, (r, g, b) => r > 220 && r < 232 && g > 236 && b > 248)).toBeGreaterThan(2000);
  });
});
