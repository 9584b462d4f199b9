import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { avroSource, type AvroSource } from '../../../src/components/sources/avro.js';
import { avroSink } from '../../../src/components/sinks/avro.js';
import type { RpcSink } from '../../../src/components/rpc/rpc-sink.js';
import { AvroRpcClient } from '../../../src/components/rpc/avro/client.js';
import { AvroReader, AvroWriter } from '../../../src/components/rpc/avro/binary.js';
import { encodePack, PackDecoder } from '../../../src/components/rpc/avro/framing.js';
import { Match, readHandshakeRequest, statusResponse, writeHandshakeResponse } from '../../../src/components/rpc/avro/protocol.js';
import { EventDeliveryError } from '../../../src/core/errors.js';
import type { Channel } from '../../../src/core/channel.js';
import { waitFor } from '../../support/agent-process.js';
import { create, drain, memory } from '../../support/context.js';
import { makeEvents, processorFor, sameEvents } from './helpers.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const FIX = path.resolve(import.meta.dirname, '../../fixtures/rpc');

/** A logger that keeps its lines, to assert on the "clear log" of bad input. */
function capturingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) });
  return { logger, lines };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startSource(
  props: Record<string, string> = {},
  ch: Channel = memory('c2', 100_000, 1000),
  opts: Parameters<typeof processorFor>[1] = {},
) {
  const cap = capturingLogger();
  const processor = processorFor(ch, opts);
  const src = create(avroSource, { bind: '127.0.0.1', port: '0', ...props }, { name: 'r1', processor, logger: cap.logger }) as AvroSource;
  await src.start();
  cleanups.push(() => src.stop());
  return { src, ch, port: src.boundPort, lines: cap.lines, processor };
}

function makeSink(port: number, props: Record<string, string> = {}, ch: Channel = memory('c1', 100_000, 1000)) {
  const sink = create(
    avroSink,
    { hostname: '127.0.0.1', port: String(port), 'batch-size': '100', ...props },
    { name: 'k1', channel: ch },
  ) as RpcSink;
  cleanups.push(() => sink.stop());
  return { sink, ch };
}

/** Flume's AvroSink: one batch at a time, each process() call reports its own batch's failure. */
const ONE_AT_A_TIME = { 'batches-in-flight': '1' };

async function put(ch: Channel, events: ReturnType<typeof makeEvents>) {
  for (let i = 0; i < events.length; i += 1000) {
    const tx = ch.begin();
    tx.putAll(events.slice(i, i + 1000));
    await tx.commit();
  }
}

/**
 * Runs the sink until its channel is empty and it says BACKOFF (its batches in flight are then answered and committed);
 * returns the delivery errors seen.
 */
async function pump(sink: RpcSink, max = 100_000): Promise<Error[]> {
  const errors: Error[] = [];
  for (let i = 0; i < max; i++) {
    try {
      if ((await sink.process()) === 'BACKOFF' && sink.channel.size() === 0) break;
    } catch (err) {
      errors.push(err as Error);
      if (errors.length > 50) break;
    }
  }
  return errors;
}

describe('avro sink → avro source (JS ↔ JS)', () => {
  it('delivers 20 000 events with binary bodies and headers byte-identical, in order', async () => {
    const { port, ch: out, src } = await startSource();
    const { sink, ch } = makeSink(port);
    const events = makeEvents(20_000);
    await put(ch, events);
    await sink.start();
    expect(await pump(sink)).toEqual([]);
    expect(sameEvents(await drain(out), events)).toBeUndefined();
    const sc = src.counter.snapshot();
    expect(sc.AppendBatchAcceptedCount).toBe('200');
    expect(sc.EventAcceptedCount).toBe('20000');
    expect(sc.OpenConnectionCount).toBe('1');
    const kc = sink.counter.snapshot();
    expect(kc.EventDrainSuccessCount).toBe('20000');
    expect(kc.ConnectionCreatedCount).toBe('1');
  });

  it('works with deflate on both sides (level 9 on the sink)', async () => {
    const { port, ch: out } = await startSource({ 'compression-type': 'deflate' });
    const { sink, ch } = makeSink(port, { 'compression-type': 'deflate', 'compression-level': '9' });
    const events = makeEvents(3000);
    await put(ch, events);
    expect(await pump(sink)).toEqual([]);
    expect(sameEvents(await drain(out), events)).toBeUndefined();
  });

  it('works over TLS: PKCS12 keystore, PKCS12 truststore (via openssl) and PEM alternatives, with deflate too', async () => {
    const combos: Array<[Record<string, string>, Record<string, string>]> = [
      [
        { keystore: `${FIX}/keystore.p12`, 'keystore-type': 'PKCS12' },
        { truststore: `${FIX}/server.crt`, 'truststore-type': 'PEM' },
      ],
      // a PKCS12 file declared as JKS (Java 9+ reads it, so do we)
      [{ keystore: `${FIX}/keystore.p12` }, { truststore: `${FIX}/truststore.p12`, 'truststore-password': 'changeit' }],
      [
        { keystore: `${FIX}/keystore.pem`, 'keystore-type': 'PEM', 'compression-type': 'deflate' },
        { 'trust-all-certs': 'true', 'compression-type': 'deflate' },
      ],
    ];
    for (const [srcProps, sinkProps] of combos) {
      const { port, ch: out } = await startSource({ ssl: 'true', 'keystore-password': 'changeit', ...srcProps });
      const { sink, ch } = makeSink(port, { ssl: 'true', ...sinkProps });
      const events = makeEvents(500);
      await put(ch, events);
      expect(await pump(sink)).toEqual([]);
      expect(sameEvents(await drain(out), events)).toBeUndefined();
    }
  });

  it('a sink without the CA does not trust the server, rolls back and keeps the events', async () => {
    const { port } = await startSource({ ssl: 'true', keystore: `${FIX}/keystore.p12`, 'keystore-password': 'changeit' });
    const { sink, ch } = makeSink(port, { ssl: 'true', 'request-timeout': '2000' });
    await put(ch, makeEvents(10));
    await expect(sink.process()).rejects.toThrow(/self.signed|certificate/i);
    expect(ch.size()).toBe(10);
  });

  it('a JKS keystore is refused at start-up with a conversion hint', () => {
    expect(() =>
      create(
        avroSource,
        { bind: '127.0.0.1', port: '0', ssl: 'true', keystore: `${FIX}/keystore.jks`, 'keystore-password': 'changeit' },
        { processor: processorFor(memory()) },
      ),
    ).toThrow(/JKS store, which Node.js cannot read.*keytool -importkeystore/);
  });

  it('channel full: the source answers FAILED, the sink rolls back, and a retry delivers everything once', async () => {
    const { port, ch: out, processor, src } = await startSource({}, memory('c2'), { failFirst: 2 });
    const { sink, ch } = makeSink(port, ONE_AT_A_TIME);
    const events = makeEvents(250);
    await put(ch, events);
    const errors = await pump(sink);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(EventDeliveryError);
    expect(errors[0]!.message).toMatch(/Status: FAILED/);
    expect(processor.failures).toBe(2);
    expect(sameEvents(await drain(out), events)).toBeUndefined();
    expect(src.counter.snapshot().ChannelWriteFail).toBe('2');
    expect(sink.counter.snapshot().EventWriteFail).toBe('2');
  });

  it('mismatched compression: the source closes the connection, the sink says what to check and keeps the events', async () => {
    const { port, lines } = await startSource();
    const { sink, ch } = makeSink(port, { ...ONE_AT_A_TIME, 'compression-type': 'deflate' });
    await put(ch, makeEvents(5));
    await expect(sink.process()).rejects.toThrow(/closed by the peer before it answered anything \(check that compression-type, ssl/);
    expect(ch.size()).toBe(5);
    expect(lines.join('')).toMatch(/closing the connection from/);
  });

  it('a batch larger than batch-size is sent in batch-size chunks', async () => {
    const { port, ch: out, src } = await startSource();
    const client = await AvroRpcClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 5000, requestTimeoutMs: 5000, batchSize: 7 });
    cleanups.push(() => client.close());
    const events = makeEvents(50);
    await client.appendBatch(events);
    await client.append(events[0]!);
    expect(src.counter.snapshot().AppendBatchReceivedCount).toBe('8');
    expect(src.counter.snapshot().AppendAcceptedCount).toBe('1');
    expect(sameEvents(await drain(out), [...events, events[0]!])).toBeUndefined();
  });

  it("large batches are encoded into the previous batch's buffer once it is written, byte-identical, also with deflate", async () => {
    for (const props of [{}, { 'compression-type': 'deflate' }] as Array<Record<string, string>>) {
      const { port, ch: out } = await startSource(props, memory('c2', 100_000, 5000));
      const client = await AvroRpcClient.connect({
        host: '127.0.0.1',
        port,
        connectTimeoutMs: 5000,
        requestTimeoutMs: 5000,
        batchSize: 5000,
        ...(props['compression-type'] ? { deflateLevel: 6 } : {}),
      });
      cleanups.push(() => client.close());
      const scratch = () => (client as unknown as { scratch: Buffer | undefined }).scratch;
      // ~190 B per event: 2000 events ≈ 380 KB (kept), 500 ≈ 95 KB (fits into it), 4000 ≈ 760 KB (a new, larger one)
      const batches = [makeEvents(2000), makeEvents(500, 2000), makeEvents(4000, 2500), makeEvents(100, 6500)];
      await client.appendBatch(batches[0]!);
      const first = scratch();
      expect(first?.length).toBeGreaterThan(64 * 1024);
      await client.appendBatch(batches[1]!);
      expect(scratch()).toBe(first);
      await client.appendBatch(batches[2]!);
      expect(scratch()!.length).toBeGreaterThan(first!.length);
      await client.appendBatch(batches[3]!);
      expect(sameEvents(await drain(out), batches.flat())).toBeUndefined();
    }
  });

  it('peer down: the sink fails, keeps the events, and delivers once the source is back', async () => {
    const { port, ch: out, src } = await startSource();
    await src.stop();
    const { sink, ch } = makeSink(port, { 'connect-timeout': '1000' });
    await put(ch, makeEvents(300));
    await sink.start(); // logs a warning, does not throw
    await expect(sink.process()).rejects.toThrow(/ECONNREFUSED|cannot connect/);
    expect(ch.size()).toBe(300);
    // restart a source on the same port
    const src2 = create(avroSource, { bind: '127.0.0.1', port: String(port) }, { name: 'r1', processor: processorFor(out) }) as AvroSource;
    await src2.start();
    cleanups.push(() => src2.stop());
    expect(await pump(sink)).toEqual([]);
    expect((await drain(out)).length).toBe(300);
    expect(Number(sink.counter.snapshot().ConnectionFailedCount)).toBeGreaterThanOrEqual(1);
  });

  it('a server that never answers: request-timeout fails the batch, the sink rolls back and reconnects next time', async () => {
    const silent = net.createServer((s) => s.resume());
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => silent.close(() => r())));
    const port = (silent.address() as net.AddressInfo).port;
    const { sink, ch } = makeSink(port, { ...ONE_AT_A_TIME, 'request-timeout': '1000' });
    await put(ch, makeEvents(5));
    await expect(sink.process()).rejects.toThrow(/no answer from 127\.0\.0\.1:\d+ within 1000 ms \(request-timeout\)/);
    expect(ch.size()).toBe(5);
    expect(sink.rpcClient).toBeUndefined();
    expect(sink.counter.snapshot().ConnectionClosedCount).toBe('1');
  });

  it('reset-connection-interval rebuilds the connection', async () => {
    const { port, ch: out } = await startSource();
    const { sink, ch } = makeSink(port, { 'reset-connection-interval': '1' });
    await sink.start();
    await put(ch, makeEvents(10));
    await pump(sink);
    await new Promise((r) => setTimeout(r, 1100));
    await put(ch, makeEvents(10));
    await pump(sink);
    expect(sink.counter.snapshot().ConnectionCreatedCount).toBe('2');
    expect((await drain(out)).length).toBe(20);
  });

  it('ipFilterRules: a denied peer is disconnected, an allowed one is served', async () => {
    const denied = await startSource({ ipFilter: 'true', ipFilterRules: 'allow:ip:10.*,deny:ip:127.0.0.*' });
    const { sink, ch } = makeSink(denied.port, { ...ONE_AT_A_TIME, 'request-timeout': '1000' });
    await put(ch, makeEvents(5));
    await expect(sink.process()).rejects.toThrow();
    expect(denied.lines.join('')).toMatch(/rejected by ipFilterRules/);
    const allowed = await startSource({ ipFilter: 'true', ipFilterRules: 'allow:name:localhost,deny:ip:*' });
    const s2 = makeSink(allowed.port, {}, ch).sink;
    expect(await pump(s2)).toEqual([]);
    expect((await drain(allowed.ch)).length).toBe(5);
  });

  it("bad ipFilterRules fail the configuration with Flume's message", () => {
    expect(() => create(avroSource, { bind: '127.0.0.1', port: '0', ipFilter: 'true', ipFilterRules: 'permit:ip:*' })).toThrow(
      /Invalid ipFilter patternRule 'permit:ip:\*'/,
    );
    expect(() => create(avroSource, { bind: '127.0.0.1', port: '0', ipFilter: 'true' })).toThrow(/ipFilterRules is not defined/);
  });
});

describe('avro source with bad input keeps serving', () => {
  async function rawSend(port: number, bytes: Buffer, end: boolean): Promise<void> {
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.write(bytes);
        if (end) s.end();
      });
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.resume();
      if (!end) setTimeout(() => s.destroy(), 200);
    });
  }

  async function stillServes(port: number, out: Channel, props: Record<string, string> = {}) {
    const { sink, ch } = makeSink(port, props);
    await put(ch, makeEvents(3));
    expect(await pump(sink)).toEqual([]);
    expect((await drain(out)).length).toBe(3);
  }

  it('garbage, an oversized frame, a truncated frame and a garbage deflate stream each close only their connection', async () => {
    const { port, ch, lines } = await startSource();
    await rawSend(port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), false);
    await rawSend(port, hex('00000001 40000000'), false);
    await rawSend(port, hex('00000001 00000001 7fffffff'), false);
    await rawSend(port, hex('00000001 00000001 00000100 0102'), true);
    // valid frame, invalid Avro inside (truncated handshake)
    await rawSend(port, hex('00000001 00000001 00000004 01020304'), false);
    await new Promise((r) => setTimeout(r, 100));
    const log = lines.join('');
    expect(log).toMatch(/closing the connection from .*announces 790644820 buffers/);
    expect(log).toMatch(/closing the connection from .*announces 1073741824 buffers/);
    expect(log).toMatch(/exceeds the limit/);
    expect(log).toMatch(/disconnected in the middle of a request \(\d+ bytes of an incomplete frame dropped/);
    expect(log).toMatch(/truncated Avro fixed/);
    await stillServes(port, ch);
    const d = await startSource({ 'compression-type': 'deflate' });
    await rawSend(d.port, Buffer.from('this is not zlib at all, not even close'), false);
    await new Promise((r) => setTimeout(r, 100));
    expect(d.lines.join('')).toMatch(/corrupt deflate stream|incorrect header check/);
    await stillServes(d.port, d.ch, { 'compression-type': 'deflate' });
  });

  it('a client that disconnects mid-batch loses nothing committed and the source serves the next one', async () => {
    const { port, ch } = await startSource();
    const events = makeEvents(100);
    const { appendBatchRequest } = await import('../../../src/components/rpc/avro/protocol.js');
    const { framePack } = await import('../../../src/components/rpc/avro/framing.js');
    const full = framePack(1, appendBatchRequest(events, undefined, 12));
    await rawSend(port, full.subarray(0, full.length >> 1), false);
    await stillServes(port, ch);
  });
});

describe('avro sink with batches in flight (batches-in-flight, default 2)', () => {
  const until = (cond: () => boolean, what: string) => waitFor(cond, what, 5000, 5);

  /** A gate the source's processor waits on before each batch it receives while the gate is closed. */
  function gate() {
    let release = () => {};
    let held = Promise.resolve();
    return {
      hold: () => held,
      close: () => void (held = new Promise<void>((r) => (release = r))),
      open: () => {
        release();
        held = Promise.resolve();
      },
    };
  }

  /** A TCP relay to `port` that counts what the sink sends and, as a black hole, swallows it. */
  async function relay(port: number) {
    let bytes = 0;
    let blackhole = false;
    const socks = new Set<net.Socket>();
    const srv = net.createServer((c) => {
      const up = net.connect(port, '127.0.0.1');
      for (const s of [c, up]) {
        socks.add(s);
        s.on('error', () => {});
        s.on('close', () => (c.destroy(), up.destroy()));
      }
      c.on('data', (d: Buffer) => {
        bytes += d.length;
        if (!blackhole) up.write(d);
      });
      up.pipe(c);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of socks) s.destroy();
          srv.close(() => r());
        }),
    );
    return { port: (srv.address() as net.AddressInfo).port, sent: () => bytes, blackhole: (on: boolean) => void (blackhole = on) };
  }

  it('sends the next batch before the first is answered, then commits both, in order', async () => {
    const g = gate();
    const { port, ch: out, processor } = await startSource({}, memory('c2', 100_000, 1000), { hold: g.hold });
    const r = await relay(port);
    const { sink, ch } = makeSink(r.port);
    const events = makeEvents(300);
    await put(ch, events.slice(0, 100));
    expect(await pump(sink)).toEqual([]); // the first batch carries the handshake, which the others wait for
    g.close();
    await put(ch, events.slice(100));
    expect(await sink.process()).toBe('READY'); // batch A sent; the source holds it unanswered
    await until(() => processor.batches === 2, 'the source to hold the second batch');
    const before = r.sent();
    let settled = false;
    const second = sink.process().finally(() => (settled = true));
    await until(() => r.sent() > before, 'the next batch on the wire'); // batch B is sent while A is still unanswered
    expect(settled).toBe(false);
    expect(ch.size()).toBe(0);
    g.open();
    expect(await second).toBe('READY');
    expect(await pump(sink)).toEqual([]);
    expect(sameEvents(await drain(out), events)).toBeUndefined();
    expect(sink.counter.snapshot().EventDrainSuccessCount).toBe('300');
  });

  it('a failed batch rolls back with every batch sent after it, in their order: nothing lost, nothing sent twice', async () => {
    const { port, ch: out } = await startSource();
    const r = await relay(port);
    const { sink, ch } = makeSink(r.port, { 'request-timeout': '1000' });
    const events = makeEvents(400);
    await put(ch, events.slice(0, 100));
    expect(await pump(sink)).toEqual([]);
    r.blackhole(true);
    await put(ch, events.slice(100));
    expect(await sink.process()).toBe('READY');
    await expect(sink.process()).rejects.toThrow(/no answer from 127\.0\.0\.1:\d+ within 1000 ms \(request-timeout\)/);
    expect(ch.size()).toBe(300);
    expect(sink.rpcClient).toBeUndefined();
    expect(sink.counter.snapshot().EventWriteFail).toBe('2');
    r.blackhole(false);
    expect(await pump(sink)).toEqual([]);
    expect(sameEvents(await drain(out), events)).toBeUndefined();
  });

  it('stop() waits for the batches in flight and commits them', async () => {
    const g = gate();
    const { port, ch: out } = await startSource({}, memory('c2', 100_000, 1000), { hold: g.hold });
    const { sink, ch } = makeSink(port);
    const events = makeEvents(200);
    await put(ch, events.slice(0, 100));
    expect(await pump(sink)).toEqual([]);
    g.close();
    await put(ch, events.slice(100));
    expect(await sink.process()).toBe('READY');
    const stopping = sink.stop();
    g.open();
    await stopping;
    expect(ch.size()).toBe(0);
    expect(sameEvents(await drain(out), events)).toBeUndefined();
    expect(sink.counter.snapshot().EventDrainSuccessCount).toBe('200');
  });

  it("a server that does not say it answers in order (Flume's avro source) gets one batch at a time", async () => {
    // Flume 1.11's avro source (Avro's Netty server) runs each request on a pool of threads: two batches of one
    // connection may be stored in either order, so the sink must not pipeline to it
    const serials: number[] = [];
    const held: Array<() => void> = [];
    let holding = false;
    const flumeLike = net.createServer((c) => {
      const decoder = new PackDecoder();
      let handshaken = false;
      c.on('error', () => {});
      c.on('data', (d: Buffer) => {
        for (const p of decoder.push(d)) {
          serials.push(p.serial);
          const parts: Buffer[] = [];
          if (!handshaken) {
            readHandshakeRequest(new AvroReader(p.data));
            parts.push(writeHandshakeResponse(new AvroWriter(), Match.BOTH).toBuffer());
            handshaken = true;
          }
          parts.push(statusResponse('OK'));
          const answer = () => void c.write(encodePack(p.serial, parts));
          if (holding) held.push(answer);
          else answer();
        }
      });
    });
    await new Promise<void>((r) => flumeLike.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => flumeLike.close(() => r())));
    const { sink, ch } = makeSink((flumeLike.address() as net.AddressInfo).port);
    await put(ch, makeEvents(300));
    expect(await sink.process()).toBe('READY');
    holding = true;
    let settled = false;
    const second = sink.process().finally(() => (settled = true));
    await until(() => serials.length === 2, 'the second request');
    expect(settled).toBe(false); // it waits for its answer, as Flume's sink does
    holding = false;
    for (const a of held.splice(0)) a();
    expect(await second).toBe('READY');
    expect(await pump(sink)).toEqual([]);
    expect(serials).toEqual([1, 2, 3]);
    expect(sink.counter.snapshot().EventDrainSuccessCount).toBe('300');
    sink.rpcClient?.close();
  });

  it('with batches-in-flight = 1, process() returns only once its batch is answered and committed, as Flume', async () => {
    const g = gate();
    const { port, ch: out, processor } = await startSource({}, memory('c2', 100_000, 1000), { hold: g.hold });
    const { sink, ch } = makeSink(port, ONE_AT_A_TIME);
    const events = makeEvents(200);
    await put(ch, events.slice(0, 100));
    expect(await pump(sink)).toEqual([]);
    g.close();
    await put(ch, events.slice(100));
    let settled = false;
    const first = sink.process().finally(() => (settled = true));
    await until(() => processor.batches === 2, 'the source to hold the second batch');
    expect(settled).toBe(false);
    g.open();
    expect(await first).toBe('READY');
    expect(sink.counter.snapshot().EventDrainSuccessCount).toBe('200');
    expect(sameEvents(await drain(out), events)).toBeUndefined();
  });
});
