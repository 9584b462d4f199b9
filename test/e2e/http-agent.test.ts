import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect, freePort, startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGKILL');
  agent = undefined;
});

function post(port: number, body: string, pathname = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: pathname, agent: false, headers: { 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function getJson(port: number, pathname: string): Promise<Record<string, Record<string, string>>> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathname }, (res) => {
        let s = '';
        res.on('data', (d) => (s += d));
        res.on('end', () => resolve(JSON.parse(s)));
      })
      .on('error', reject);
  });
}

describe('agent end to end: http → memory → file_roll, stress → memory', () => {
  it("delivers a flood of concurrent JSON batches exactly once per 200, shows Flume's counters in /metrics", async () => {
    const [port, mon] = [await freePort(), await freePort()];
    const out = tmpDir();
    agent = startAgent(
      `a1.sources = r1 s1
a1.channels = c1 c2
a1.sinks = k1 k2
a1.sources.r1.type = http
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.sources.s1.type = org.apache.flume.source.StressSource
a1.sources.s1.size = 10
a1.sources.s1.batchSize = 100
a1.sources.s1.maxTotalEvents = 1000
a1.sources.s1.channels = c2
a1.channels.c1.type = memory
a1.channels.c1.capacity = 2000
a1.channels.c1.transactionCapacity = 200
a1.channels.c2.type = memory
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${out}
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k2.type = null
a1.sinks.k2.channel = c2
`,
      ['-Dflume.monitoring.type=http', `-Dflume.monitoring.port=${mon}`],
    );
    await waitFor(() => canConnect(port), 'http source port');
    await waitFor(() => canConnect(mon), 'metrics port');
    // 300 requests of 50 events, 100 at a time; some may be refused with 503 when the channel is full
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      const reqs = Array.from({ length: 100 }, (_, i) => {
        const n = round * 100 + i;
        const body = JSON.stringify(Array.from({ length: 50 }, (_, j) => ({ headers: { r: String(n) }, body: `${n}-${j}` })));
        return post(port, body);
      });
      statuses.push(...(await Promise.all(reqs)));
    }
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    const ok = statuses.filter((s) => s === 200).length;
    expect(ok).toBeGreaterThan(0);
    const m = await waitFor(async (): Promise<Record<string, Record<string, string>> | undefined> => {
      const j = await getJson(mon, '/metrics');
      return Number(j['SINK.k1']!.EventDrainSuccessCount) >= ok * 50 && Number(j['SOURCE.s1']!['events.successful']) >= 1000
        ? j
        : undefined;
    }, 'all accepted events drained').then((v) => v!);
    expect(m['SOURCE.r1']).toMatchObject({
      AppendBatchReceivedCount: '300',
      AppendBatchAcceptedCount: String(ok),
      EventReceivedCount: String(300 * 50),
      EventAcceptedCount: String(ok * 50),
      ChannelWriteFail: String(300 - ok),
      Type: 'SOURCE',
    });
    expect(m['SOURCE.s1']).toMatchObject({ 'events.total': '1000', 'events.successful': '1000', EventAcceptedCount: '1000' });
    expect(await agent.stop()).toBe(0);
    const lines = readdirSync(out)
      .map((f) => readFileSync(path.join(out, f), 'utf8'))
      .join('')
      .split('\n')
      .filter(Boolean);
    expect(lines.length).toBe(ok * 50);
    expect(new Set(lines).size).toBe(lines.length);
  });
});
