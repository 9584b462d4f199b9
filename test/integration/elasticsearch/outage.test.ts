/**
 * Outage: a PRIVATE Elasticsearch (started by this test; the shared one is never stopped) goes down for 30 s in the
 * middle of a stream and comes back. The sink rolls back and retries with the runner's backoff; at the end every
 * event is in Elasticsearch exactly once (documentIdHeader makes resent batches overwrite) and nothing is left in
 * the channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '../../../src/core/event.js';
import { channel, count, es, makeSink, startPrivateEs, type PrivateEs } from './helpers.js';

let priv: PrivateEs | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  priv = await startPrivateEs();
}, 240_000);
afterAll(async () => {
  await priv?.stop();
}, 60_000);

describe('Elasticsearch outage', () => {
  it('loses nothing when Elasticsearch is down for 30 s mid-stream', async () => {
    const node = priv!.node;
    const index = 'outage';
    const ch = channel(100_000, 1000);
    const sink = makeSink(
      {
        hostNames: node,
        indexName: index,
        indexNameBuilder: 'SimpleIndexNameBuilder',
        batchSize: '200',
        documentIdHeader: 'seq',
        requestTimeout: '5000',
      },
      ch,
    );
    await sink.start();
    let stop = false;
    let failures = 0;
    // the sink runner: process(), back off after a failure (as SinkRunner: 250 ms doubling, here capped at 2 s)
    const runner = (async () => {
      while (!stop || ch.size() > 0) {
        try {
          const st = await sink.process();
          if (st === 'BACKOFF') await sleep(20);
        } catch {
          failures++;
          await sleep(Math.min(2000, 250 * 2 ** Math.min(failures, 3)));
        }
      }
    })();
    const total = 6000;
    const producer = (async () => {
      for (let i = 0; i < total; i += 50) {
        const tx = ch.begin();
        tx.putAll(Array.from({ length: 50 }, (_, k) => createEvent(`event ${i + k}`, { seq: String(i + k) })));
        await tx.commit();
        await sleep(100);
      }
    })();
    await sleep(2000);
    const down = priv!.restart(30_000);
    await producer;
    await down;
    const deadline = Date.now() + 120_000;
    while (ch.size() > 0 && Date.now() < deadline) await sleep(200);
    stop = true;
    await runner;
    await sink.stop();
    expect(ch.size()).toBe(0);
    expect(failures).toBeGreaterThan(0);
    expect(sink.counter.get('RollbackCount')).toBeGreaterThan(0);
    expect(await count(node, index)).toBe(total);
    for (const seq of [0, 1234, 3000, total - 1]) {
      expect((await es(node, 'GET', `/${index}/_doc/${seq}`)).json._source['@message']).toBe(`event ${seq}`);
    }
    expect(sink.counter.get('EventDrainSuccessCount')).toBe(total);
  }, 420_000);
});
