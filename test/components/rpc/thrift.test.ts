import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  CompactReader,
  decodeCall,
  decodeReply,
  encodeCall,
  encodeException,
  encodeReply,
  FrameDecoder,
  MsgType,
  T,
} from '../../../src/components/rpc/thrift/protocol.js';
import { thriftSource, type ThriftSource } from '../../../src/components/sources/thrift.js';
import { thriftSink } from '../../../src/components/sinks/thrift.js';
import type { RpcSink } from '../../../src/components/rpc/rpc-sink.js';
import type { Channel } from '../../../src/core/channel.js';
import { create, drain, memory } from '../../support/context.js';
import { makeEvents, processorFor, sameEvents } from './helpers.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const FIX = path.resolve(import.meta.dirname, '../../fixtures/rpc');
const ab = Buffer.from('appendBatch').toString('hex');
const one = [{ headers: { a: 'b' }, body: Buffer.from([1, 2, 3]) }];

describe('Thrift protocols for ThriftSourceProtocol', () => {
  it('compact: appendBatch call and reply bytes as the compact protocol spec gives them', () => {
    expect(encodeCall('compact', 1, one)).toEqual(hex(`0000001f 82 21 01 0b ${ab}  19 1c  1b 01 88 01 61 01 62  18 03 010203 00  00`));
    const call = decodeCall('compact', encodeCall('compact', 1, one).subarray(4));
    expect(call.header).toEqual({ name: 'appendBatch', type: MsgType.CALL, seqid: 1 });
    expect(sameEvents(call.events!, one)).toBeUndefined();
    // result struct { 0: i32 success } – field id 0 cannot use the short delta form
    expect(encodeReply('compact', call.header, 'FAILED')).toEqual(hex(`00000013 82 41 01 0b ${ab} 05 00 02 00`));
  });

  it('binary: appendBatch call and reply bytes (strict header)', () => {
    expect(encodeCall('binary', 7, one)).toEqual(
      hex(
        `0000003e 80010001 0000000b ${ab} 00000007  0f 0001 0c 00000001  0d 0001 0b 0b 00000001 00000001 61 00000001 62  0b 0002 00000003 010203  00  00`,
      ),
    );
    const call = decodeCall('binary', encodeCall('binary', 7, one).subarray(4));
    expect(sameEvents(call.events!, one)).toBeUndefined();
    expect(decodeReply('binary', encodeReply('binary', call.header, 'OK').subarray(4))).toEqual({ seqid: 7, status: 'OK' });
  });

  it('round-trips large batches (list sizes ≥ 15, long strings) in both protocols, and single appends', () => {
    const events = makeEvents(2000);
    for (const p of ['compact', 'binary'] as const) {
      expect(sameEvents(decodeCall(p, encodeCall(p, 123456789, events).subarray(4)).events!, events)).toBeUndefined();
      const c = decodeCall(p, encodeCall(p, -5, [events[3]!], true).subarray(4));
      expect(c.header).toMatchObject({ name: 'append', seqid: -5 });
      expect(sameEvents(c.events!, [events[3]!])).toBeUndefined();
      expect(decodeReply(p, encodeException(p, c.header, 'boom').subarray(4))).toEqual({ seqid: -5, error: 'boom' });
    }
  });

  it('skips unknown fields, refuses events without required fields and impossible sizes', () => {
    // an event with an extra field 5 (i64) and a nested struct field 9 before the body
    const frame = hex(`82 21 01 0b ${ab} 19 1c  1b 01 88 01 61 01 62  36 02  3c 15 04 00  08 04 03 010203 00  00`);
    const e = decodeCall('compact', frame).events![0]!;
    expect(e.headers).toEqual({ a: 'b' });
    expect(e.body).toEqual(hex('010203'));
    expect(() => decodeCall('compact', hex(`82 21 01 0b ${ab} 19 1c 18 00 00 00`))).toThrow(/Required field 'headers'/);
    expect(() => decodeCall('compact', hex(`82 21 01 0b ${ab} 19 fc ff ff ff ff 0f`))).toThrow(/cannot fit/);
    expect(() => decodeCall('compact', hex('80 01 00 01'))).toThrow(/protocol = binary/);
    expect(() => decodeCall('binary', hex(`82 21 01 0b ${ab}`))).toThrow(/protocol = compact|binary/);
    expect(() => new FrameDecoder(100).push(hex('00 00 01 00'))).toThrow(/larger than max length \(100\)/);
    // a struct holding a struct holding an i32, then stop
    const r = new CompactReader(hex('1c 15 04 00 00'));
    r.skip(T.STRUCT);
    expect(r.pos).toBe(5);
  });
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startSource(props: Record<string, string> = {}) {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) });
  const ch = memory('c2', 100_000, 1000);
  const src = create(
    thriftSource,
    { bind: '127.0.0.1', port: '0', ...props },
    { name: 'r1', processor: processorFor(ch), logger },
  ) as ThriftSource;
  await src.start();
  cleanups.push(() => src.stop());
  return { src, ch, port: src.boundPort, lines };
}

async function sendAll(port: number, events: ReturnType<typeof makeEvents>, props: Record<string, string> = {}) {
  const ch: Channel = memory('c1', 100_000, 1000);
  const sink = create(thriftSink, { hostname: '127.0.0.1', port: String(port), ...props }, { name: 'k1', channel: ch }) as RpcSink;
  cleanups.push(() => sink.stop());
  for (let i = 0; i < events.length; i += 1000) {
    const tx = ch.begin();
    tx.putAll(events.slice(i, i + 1000));
    await tx.commit();
  }
  const errors: Error[] = [];
  while (ch.size() > 0 && errors.length < 3) {
    try {
      await sink.process();
    } catch (err) {
      errors.push(err as Error);
    }
  }
  return { sink, errors };
}

describe('thrift sink → thrift source (JS ↔ JS)', () => {
  it('delivers events byte-identical with compact, binary and TLS', async () => {
    const cases: Array<[Record<string, string>, Record<string, string>]> = [
      [{}, {}],
      [{ protocol: 'binary' }, { protocol: 'binary', 'batch-size': '1000' }],
      [
        { ssl: 'true', keystore: `${FIX}/keystore.p12`, 'keystore-password': 'changeit', 'keystore-type': 'PKCS12' },
        { ssl: 'true', truststore: `${FIX}/truststore.p12`, 'truststore-password': 'changeit', 'truststore-type': 'PKCS12' },
      ],
    ];
    for (const [s, k] of cases) {
      const { port, ch, src } = await startSource(s);
      const events = makeEvents(5000);
      const { errors } = await sendAll(port, events, k);
      expect(errors).toEqual([]);
      expect(sameEvents(await drain(ch), events)).toBeUndefined();
      expect(src.counter.snapshot().EventAcceptedCount).toBe('5000');
    }
  });

  it('a protocol mismatch closes the connection with a clear log; the sink rolls back and the source keeps serving', async () => {
    const { port, ch, lines } = await startSource({ protocol: 'binary' });
    const { errors } = await sendAll(port, makeEvents(10), { 'request-timeout': '1000' });
    expect(errors.length).toBeGreaterThan(0);
    expect(lines.join('')).toMatch(/closing the connection.*Thrift binary version.*protocol = compact/);
    const ok = await sendAll(port, makeEvents(10), { protocol: 'binary' });
    expect(ok.errors).toEqual([]);
    expect((await drain(ch)).length).toBe(10);
  });

  it('an unknown method gets a TApplicationException, garbage and truncated frames close only their connection', async () => {
    const { port, ch, lines } = await startSource();
    const reply = await new Promise<Buffer>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(hex('0000000a 82 21 05 03 666f6f 00 00 00')));
      s.once('data', (d) => {
        s.destroy();
        resolve(d);
      });
    });
    expect(decodeReply('compact', reply.subarray(4))).toEqual({ seqid: 5, error: "Invalid method name: 'foo'" });
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.end(Buffer.from('GET / HTTP/1.0\r\n\r\n')));
      s.on('close', () => resolve());
      s.resume();
    });
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.end(hex('00000100 82 21')));
      s.on('close', () => resolve());
      s.resume();
    });
    await new Promise((r) => setTimeout(r, 50));
    const log = lines.join('');
    expect(log).toMatch(/Thrift frame size \(1195725856\) larger than max length/);
    expect(log).toMatch(/disconnected in the middle of a request/);
    const ok = await sendAll(port, makeEvents(3));
    expect(ok.errors).toEqual([]);
    expect((await drain(ch)).length).toBe(3);
  });

  it('protocol values follow Flume: BINARY is accepted but selects compact; nonsense fails the source', () => {
    expect(
      (create(thriftSource, { bind: '127.0.0.1', port: '0', protocol: 'BINARY' }, { processor: processorFor(memory()) }) as ThriftSource)
        .protocol,
    ).toBe('compact');
    expect(() => create(thriftSource, { bind: '127.0.0.1', port: '0', protocol: 'json' })).toThrow(/binary or compact/);
  });

  it("kerberos properties are checked as Flume's getAuthenticator and SASL server check them", () => {
    const src = (raw: Record<string, string>) => () => create(thriftSource, { bind: '127.0.0.1', port: '0', ...raw });
    expect(src({ kerberos: 'true' })).toThrow(/kerberos = true needs agent-principal and agent-keytab/);
    expect(src({ 'agent-keytab': '/k' })).toThrow(/Principal can not be null when keytab is provided/);
    expect(src({ kerberos: 'true', 'agent-principal': 'flume/h@R' })).toThrow(/Keytab can not be null when Principal is provided/);
    expect(src({ kerberos: 'true', 'agent-principal': 'flume@R', 'agent-keytab': '/k' })).toThrow(/is not service\/host@REALM/);
  });

  it("sink kerberos = true: Flume's server-principal message; flume-ts needs client-principal and client-keytab", () => {
    const base = { hostname: '127.0.0.1', port: '1', kerberos: 'true' };
    expect(() => create(thriftSink, { ...base, 'client-principal': 'c@R', 'client-keytab': '/k' }, { channel: memory() })).toThrow(
      /Flume in secure mode, but Flume config doesn't specify a server principal/,
    );
    expect(() => create(thriftSink, { ...base, 'server-principal': 'flume/h@R' }, { channel: memory() })).toThrow(
      /needs client-principal and client-keytab/,
    );
    expect(() => create(thriftSink, { ...base, 'server-principal': 'flume@R', 'client-principal': 'c@R', 'client-keytab': '/k' })).toThrow(
      /not service\/host@REALM/,
    );
  });
});
