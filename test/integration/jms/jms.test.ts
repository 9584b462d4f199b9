/**
 * The jms source against a real Apache ActiveMQ Artemis 2.31.2 broker (AMQP 1.0 on its multi-protocol acceptor).
 * The broker-restart and login tests run their own private broker instance.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstance, PASSWORD, runInstance, USER } from '../../../scripts/services/artemis.mjs';
import { stopPid } from '../../../scripts/services/lib.mjs';
import type { Event } from '../../../src/core/event.js';
import { type Services, useServices } from '../../support/services.js';
import { drain, memory } from '../../support/context.js';
import { sourceConformance } from '../../conformance/source-suite.js';
import { jmsSource } from '../../../src/components/sources/jms/index.js';
import type { JmsSource } from '../../../src/components/sources/jms/jms.js';
import { create } from '../../support/context.js';
import { bodies, config, jms, pump, send } from './helpers.js';

let svc: Services<'artemis'>;
const LOGIN = { username: USER, password: PASSWORD };
const uniq = (p: string) => `${p}-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  svc = await useServices(['artemis']);
}, 240_000);
afterAll(async () => svc?.release());

describe('jms source ↔ Artemis', () => {
  it('queue: headers and bodies from the converter (text in converter.charset, bytes), settled after commit', async () => {
    const q = uniq('q');
    const ch = memory();
    const src = jms(config(svc.artemis.port, q, 'queue', { batchSize: '7', 'converter.charset': 'ISO-8859-1' }), ch);
    await src.start();
    await send(svc.artemis.port, q, 'queue', [
      { body: 'héllo', properties: { a: 'x', n: 5, b: true } },
      { body: Buffer.from([0, 1, 2, 255]), properties: { kind: 'bin' } },
      ...Array.from({ length: 18 }, (_, i) => ({ body: `m${i}` })),
    ]);
    const out: Event[] = [];
    await pump(src, ch, out, () => out.length >= 20);
    expect(out.length).toBe(20);
    expect(out[0]!.headers).toMatchObject({ a: 'x', n: '5', b: 'true' });
    expect(Buffer.from(out[0]!.body)).toEqual(Buffer.from('héllo', 'latin1'));
    expect(out[1]!.headers).toMatchObject({ kind: 'bin' });
    expect(Buffer.from(out[1]!.body)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(bodies(out.slice(2))).toEqual(Array.from({ length: 18 }, (_, i) => `m${i}`));
    await src.stop();
    // all were accepted: a new consumer gets nothing
    const src2 = jms(config(svc.artemis.port, q, 'queue'), ch);
    await src2.start();
    expect(await src2.process()).toBe('BACKOFF');
    await src2.stop();
    expect(await drain(ch)).toEqual([]);
  }, 60_000);

  it('topic and message selector', async () => {
    const t = uniq('t');
    const ch = memory();
    const src = jms(config(svc.artemis.port, t, 'TOPIC', { messageSelector: "color = 'red'" }), ch);
    await src.start();
    expect(await src.process()).toBe('BACKOFF'); // attaches the subscription
    await send(
      svc.artemis.port,
      t,
      'topic',
      Array.from({ length: 10 }, (_, i) => ({ body: `t${i}`, properties: { color: i % 2 ? 'blue' : 'red' } })),
    );
    const out: Event[] = [];
    await pump(src, ch, out, () => out.length >= 5);
    await src.process(); // nothing more arrives
    out.push(...(await drain(ch)));
    expect(bodies(out)).toEqual(['t0', 't2', 't4', 't6', 't8']);
    await src.stop();
  }, 60_000);

  it('durable subscription keeps messages sent while the source is stopped', async () => {
    const t = uniq('dt');
    const extra = { createDurableSubscription: 'true', clientId: uniq('client'), durableSubscriptionName: 'sub1' };
    const ch = memory();
    const src = jms(config(svc.artemis.port, t, 'topic', extra), ch);
    await src.start();
    expect(await src.process()).toBe('BACKOFF');
    await src.stop();
    await send(
      svc.artemis.port,
      t,
      'topic',
      Array.from({ length: 6 }, (_, i) => ({ body: `d${i}` })),
    );
    const src2 = jms(config(svc.artemis.port, t, 'topic', extra), ch);
    await src2.start();
    const out: Event[] = [];
    await pump(src2, ch, out, () => out.length >= 6);
    expect(bodies(out)).toEqual(Array.from({ length: 6 }, (_, i) => `d${i}`));
    await src2.stop();
  }, 60_000);

  it('a full channel: refused batches are released and redelivered, nothing lost or duplicated', async () => {
    const q = uniq('full');
    const ch = memory('c1', 10, 10);
    const src = jms(config(svc.artemis.port, q, 'queue', { batchSize: '10' }), ch);
    await src.start();
    await send(
      svc.artemis.port,
      q,
      'queue',
      Array.from({ length: 35 }, (_, i) => ({ body: `f${i}` })),
    );
    const out: Event[] = [];
    let refused = 0;
    const deadline = Date.now() + 30_000;
    const fails = () => Number(src.counter.get('ChannelWriteFail'));
    while (out.length < 35 && Date.now() < deadline) {
      // put until the channel refuses a batch (however many messages each receive brings: under load the broker
      // may hand them over a few at a time), or until nothing more arrives twice in a row; then drain it
      const before = fails();
      for (let idle = 0; fails() === before && idle < 2; ) {
        const size = ch.size();
        idle = (await src.process()) === 'BACKOFF' && ch.size() === size ? idle + 1 : 0;
      }
      if (fails() > before) refused++;
      out.push(...(await drain(ch)));
    }
    expect(refused).toBeGreaterThan(0);
    expect([...bodies(out)].sort()).toEqual(Array.from({ length: 35 }, (_, i) => `f${i}`).sort());
    expect(src.counter.get('ChannelWriteFail')).toBeGreaterThan(0);
    await src.stop();
  }, 60_000);
});

describe('jms source ↔ a private Artemis (login required) restarted mid-stream', () => {
  let dir: string;
  let broker: { instance: string; port: number };
  let pid = 0;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flume-ts-artemis-'));
    broker = await createInstance(dir, undefined, { requireLogin: true });
    pid = (await runInstance(broker.instance, broker.port)).pid;
  }, 240_000);
  afterAll(async () => {
    if (pid) await stopPid(pid, 10_000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('userName + passwordFile authenticate (SASL PLAIN); a wrong password is reported and retried, the source keeps running', async () => {
    const q = uniq('auth');
    const ch = memory();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flume-ts-jms-pw-'));
    fs.writeFileSync(path.join(dir, 'good'), `${PASSWORD}\n`);
    fs.writeFileSync(path.join(dir, 'bad'), 'nope');
    const auth = (f: string) => ({ userName: USER, passwordFile: path.join(dir, f) });
    await send(broker.port, q, 'queue', [{ body: 'secret' }], LOGIN);
    const bad = jms(config(broker.port, q, 'queue', auth('bad')), ch);
    await bad.start();
    expect(await bad.process()).toBe('BACKOFF'); // refused by the broker: the waiting message is not delivered
    expect(await bad.process()).toBe('BACKOFF');
    await bad.stop();
    expect(await drain(ch)).toEqual([]);
    const good = jms(config(broker.port, q, 'queue', auth('good')), ch);
    await good.start();
    const out: Event[] = [];
    await pump(good, ch, out, () => out.length >= 1);
    expect(bodies(out)).toEqual(['secret']);
    await good.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('nothing sent is lost across a broker restart', async () => {
    const q = 'restart';
    const ch = memory();
    fs.writeFileSync(path.join(dir, 'pw'), PASSWORD);
    const src = jms(config(broker.port, q, 'queue', { batchSize: '5', userName: USER, passwordFile: path.join(dir, 'pw') }), ch);
    await src.start();
    const N = 40;
    await send(
      broker.port,
      q,
      'queue',
      Array.from({ length: N }, (_, i) => ({ body: `r${i}` })),
      LOGIN,
    );
    const out: Event[] = [];
    await pump(src, ch, out, () => out.length >= 10);
    await stopPid(pid, 10_000); // SIGTERM; messages still in the queue are in the journal
    expect(await src.process()).toBe('BACKOFF'); // connection lost
    expect(await src.process()).toBe('BACKOFF'); // broker down: cannot connect
    pid = (await runInstance(broker.instance, broker.port)).pid;
    await send(
      broker.port,
      q,
      'queue',
      Array.from({ length: 10 }, (_, i) => ({ body: `s${i}` })),
      LOGIN,
    );
    const want = new Set([...Array.from({ length: N }, (_, i) => `r${i}`), ...Array.from({ length: 10 }, (_, i) => `s${i}`)]);
    await pump(src, ch, out, () => new Set(bodies(out)).size >= want.size, { timeoutMs: 60_000 });
    expect(new Set(bodies(out))).toEqual(want);
    await src.stop();
  }, 180_000);
});

/** The source conformance suite (producer kind): a fresh queue per run, polled in a loop like PollableSourceRunner. */
let run = 0;
sourceConformance({
  name: 'jms',
  kind: 'producer',
  start: async (processor) => {
    const q = `conformance-${process.pid}-${Date.now()}-${run++}`;
    const raw = config(svc.artemis.port, q, 'queue', { batchSize: '4', pollTimeout: '50' });
    const src = create(jmsSource, raw, { name: 'r1', processor }) as JmsSource;
    await src.start();
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        if ((await src.process()) === 'BACKOFF' && !stopped) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    return {
      produce: (bodies) =>
        send(
          svc.artemis.port,
          q,
          'queue',
          bodies.map((body) => ({ body })),
        ),
      stop: async () => {
        stopped = true;
        await loop;
        await src.stop();
      },
    };
  },
});
