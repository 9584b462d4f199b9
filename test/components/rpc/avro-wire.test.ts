import { describe, expect, it } from 'vitest';
import avsc from 'avsc';
import { AvroReader, AvroWriter, encodeEventBatch } from '../../../src/components/rpc/avro/binary.js';
import { encodePack, framePack, PackDecoder } from '../../../src/components/rpc/avro/framing.js';
import {
  appendBatchRequest,
  FLUME_PROTOCOL_HASH,
  incompatibility,
  Match,
  PROTOCOL_TEXT,
  readCallResult,
  readHandshakeResponse,
  writeHandshakeRequest,
} from '../../../src/components/rpc/avro/protocol.js';
import { AvroSession, knownClients } from '../../../src/components/rpc/avro/session.js';
import { SliceEvent, type Event } from '../../../src/core/event.js';
import { makeEvents, sameEvents } from './helpers.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A handler that records what it got and answers a fixed status. */
function recorder(status: 'OK' | 'FAILED' = 'OK') {
  const got: Event[][] = [];
  return {
    got,
    async append(e: Event) {
      got.push([e]);
      return status;
    },
    async appendBatch(es: Event[]) {
      got.push(es);
      return status;
    },
  };
}

/**
 * A flume-ts source's handshake answer BOTH: match 0, serverProtocol null, serverHash null, then meta (union branch 1):
 * one entry, "flume-ts.in-order" (17 bytes) → empty bytes, end of map (IN_ORDER_META).
 */
const BOTH_IN_ORDER = Buffer.concat([hex('00 00 00 02 02 22'), Buffer.from('flume-ts.in-order'), hex('00 00')]);

describe('Avro binary encoding of AvroFlumeEvent batches', () => {
  it('encodes a one-event batch to the bytes the Avro spec gives', () => {
    const buf = encodeEventBatch([{ headers: { a: 'b' }, body: Buffer.from([1, 2, 3]) }], Buffer.alloc(0), 0);
    // array block of 1 | map block of 1 | "a" | "b" | map end | bytes(3) | array end
    expect(buf).toEqual(hex('02 02 02 61 02 62 00 06 010203 00'));
  });

  it('encodes an empty batch as a lone array terminator, and headroom is left untouched in front', () => {
    const buf = encodeEventBatch([], Buffer.from([9]), 12);
    expect(buf.length).toBe(14);
    expect(buf.subarray(12)).toEqual(hex('09 00'));
  });

  it('matches avsc, an independent implementation, for binary bodies and non-ASCII headers', () => {
    const type = avsc.Type.forSchema({
      type: 'array',
      items: {
        type: 'record',
        name: 'AvroFlumeEvent',
        fields: [
          { name: 'headers', type: { type: 'map', values: 'string' } },
          { name: 'body', type: 'bytes' },
        ],
      },
    });
    const events = makeEvents(500);
    const ours = encodeEventBatch(events, Buffer.alloc(0), 0);
    expect(ours.equals(type.toBuffer(events))).toBe(true);
    // and we read what avsc writes, including blocks with negative counts (count + byte size)
    const blocked = Buffer.concat([hex('03 00'), type.toBuffer(events.slice(0, 2)).subarray(1, -1), hex('00')]);
    // -2 items (zig-zag 03), a byte size (0, not checked), two events, end
    expect(sameEvents(new AvroReader(blocked).events(), events.slice(0, 2))).toBeUndefined();
    expect(sameEvents(new AvroReader(ours).events(), events)).toBeUndefined();
  });

  it('encodes SliceEvents (received lines, relayed events) as the plain events they stand for, from their buffers', () => {
    const line = Buffer.from('first\nsecond\nthird\n');
    const a = new SliceEvent(line, 0, 5);
    const b = new SliceEvent(line, 6, 12);
    b.headers.host = 'h';
    const c = new SliceEvent(line, 13, 18);
    c.body = Buffer.from('replaced');
    const plain: Event[] = [
      { headers: {}, body: Buffer.from('first') },
      { headers: { host: 'h' }, body: Buffer.from('second') },
      { headers: {}, body: Buffer.from('replaced') },
    ];
    const ours = encodeEventBatch([a, b, c], Buffer.from([7]), 3);
    expect(ours.equals(encodeEventBatch(plain, Buffer.from([7]), 3))).toBe(true);
    // a header map is not made for asking: the encoder leaves a SliceEvent without one as it was
    expect(a.peekHeaders()).toBeUndefined();
    // decoded events are slices of the message: no header map until one is asked for, the body a view of the message
    const msg = encodeEventBatch(plain, Buffer.alloc(0), 0);
    const got = new AvroReader(msg).events();
    expect(got.every((e) => e instanceof SliceEvent)).toBe(true);
    expect((got[0] as SliceEvent).peekHeaders()).toBeUndefined();
    expect((got[1] as SliceEvent).peekHeaders()).toEqual({ host: 'h' });
    expect(got[1]!.body.buffer).toBe(msg.buffer);
    expect(sameEvents(got, plain)).toBeUndefined();
    // and relayed as they came
    expect(encodeEventBatch(got, Buffer.alloc(0), 0).equals(msg)).toBe(true);
  });

  it('keeps a header named __proto__ as a header', () => {
    const w = new AvroWriter().long(1).string('__proto__').string('x').long(0).bytes(Buffer.alloc(0));
    const e = new AvroReader(w.toBuffer()).event();
    expect(Object.keys(e.headers)).toEqual(['__proto__']);
    expect(e.headers.__proto__).toBe('x');
  });

  it('rejects lengths and counts that cannot fit in the message', () => {
    expect(() => new AvroReader(hex('02 02 c8 01 61')).events()).toThrow(/length 100 exceeds/);
    expect(() => new AvroReader(hex('fe ff ff ff 0f')).events()).toThrow(/cannot fit/);
    expect(() => new AvroReader(hex('ff ff ff ff ff ff ff ff ff ff ff')).long()).toThrow(/varint/);
  });
});

describe('Netty framing', () => {
  it('frames serial, buffer count and length-prefixed buffers big-endian', () => {
    expect(encodePack(1, [hex('aa bb'), hex('cc')])).toEqual(hex('00000001 00000002 00000002 aabb 00000001 cc'));
    const m = Buffer.alloc(12 + 3);
    m.set([1, 2, 3], 12);
    expect(framePack(7, m)).toEqual(hex('00000007 00000001 00000003 010203'));
  });

  it('decodes packs split at every byte boundary and concatenates their buffers', () => {
    const wire = Buffer.concat([encodePack(1, [hex('aa bb'), hex('cc')]), encodePack(2, []), encodePack(-5, [hex('dd')])]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const d = new PackDecoder();
      const packs = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      expect(packs.map((p) => [p.serial, p.data.toString('hex')])).toEqual([
        [1, 'aabbcc'],
        [2, ''],
        [-5, 'dd'],
      ]);
      expect(d.buffered).toBe(0);
    }
  });

  it('refuses impossible buffer counts and oversized buffers', () => {
    expect(() => new PackDecoder().push(hex('00000001 7fffffff'))).toThrow(/announces 2147483647 buffers/);
    expect(() => new PackDecoder().push(hex('00000001 ffffffff'))).toThrow(/buffers/);
    expect(() => new PackDecoder({ maxBuffers: 10, maxBytes: 100 }).push(hex('00000001 00000001 00000065'))).toThrow(
      /exceeds the limit of 100/,
    );
  });
});

describe('Avro IPC handshake and calls (server session)', () => {
  // What a Flume (Java Requestor) client sends first: clientHash, clientProtocol null, serverHash = its own hash
  // (it guesses the remote is local), meta = empty map.
  const javaHandshake = Buffer.concat([FLUME_PROTOCOL_HASH, hex('00'), FLUME_PROTOCOL_HASH, hex('02 00')]);

  it('answers a Flume client handshake with match BOTH and the status, in one round trip', async () => {
    const h = recorder();
    const s = new AvroSession(h, knownClients());
    const events: Event[] = [{ headers: { a: 'b' }, body: Buffer.from([1, 2, 3]) }];
    // handshake | call meta {} | "appendBatch" | params
    const req = Buffer.concat([javaHandshake, hex('00'), hex('16'), Buffer.from('appendBatch'), hex('02 02 02 61 02 62 00 06 010203 00')]);
    const [pack] = s.push(encodePack(1, [req]));
    const resp = await s.handle(pack!);
    // serial echoed | 2 buffers | handshake BOTH (match 0, null, null, meta IN_ORDER) | meta {} , flag false, Status OK (0)
    expect(resp).toEqual(Buffer.concat([hex('00000001 00000002 00000019'), BOTH_IN_ORDER, hex('00000003 000000')]));
    expect(sameEvents(h.got[0]!, events)).toBeUndefined();
    // the connection is now connected: no handshake either way
    const req2 = Buffer.concat([hex('00'), hex('0c'), Buffer.from('append'), hex('00 02 ff')]);
    const resp2 = await s.handle(s.push(encodePack(2, [req2]))[0]!);
    expect(resp2).toEqual(hex('00000002 00000001 00000003 000000'));
    expect(h.got[1]![0]!.body).toEqual(hex('ff'));
  });

  it('answers FAILED as enum index 1', async () => {
    const s = new AvroSession(recorder('FAILED'), knownClients());
    const req = Buffer.concat([javaHandshake, hex('00 16'), Buffer.from('appendBatch'), hex('00')]);
    const resp = await s.handle(s.push(encodePack(9, [req]))[0]!);
    expect(resp.subarray(-3)).toEqual(hex('00 00 02'));
  });

  it('answers an unknown client hash with NONE and the protocol, then accepts the resent protocol text', async () => {
    const h = recorder();
    const s = new AvroSession(h, knownClients());
    const otherHash = Buffer.alloc(16, 7);
    const hs1 = Buffer.concat([otherHash, hex('00'), otherHash, hex('00')]);
    const r1 = await s.handle(s.push(encodePack(1, [Buffer.concat([hs1, hex('00 16'), Buffer.from('appendBatch'), hex('00')])]))[0]!);
    const d1 = new PackDecoder().push(r1)[0]!;
    const hr = readHandshakeResponse(new AvroReader(d1.data));
    expect(hr.match).toBe(Match.NONE);
    expect(hr.serverProtocol).toBe(PROTOCOL_TEXT);
    expect(hr.serverHash).toEqual(FLUME_PROTOCOL_HASH);
    expect(h.got).toHaveLength(0); // the call was not executed
    // resend with the text and our hash: CLIENT would be for a different server hash; ours matches → BOTH
    const hs2 = writeHandshakeRequest(new AvroWriter(), {
      clientHash: otherHash,
      clientProtocol: PROTOCOL_TEXT,
      serverHash: FLUME_PROTOCOL_HASH,
    }).toBuffer();
    const r2 = await s.handle(s.push(encodePack(2, [Buffer.concat([hs2, hex('00 16'), Buffer.from('appendBatch'), hex('00')])]))[0]!);
    const rd = new AvroReader(new PackDecoder().push(r2)[0]!.data);
    expect(readHandshakeResponse(rd).match).toBe(Match.BOTH);
    expect(readCallResult(rd)).toEqual({ status: 'OK' });
  });

  it('answers a handshake ping (empty message name) with the handshake only', async () => {
    const s = new AvroSession(recorder(), knownClients());
    const r = await s.handle(s.push(encodePack(3, [Buffer.concat([javaHandshake, hex('00 00')])]))[0]!);
    expect(r).toEqual(Buffer.concat([hex('00000003 00000001 00000019'), BOTH_IN_ORDER]));
  });

  it('answers an unknown message with a system error (flag true, union branch 0, string)', async () => {
    const s = new AvroSession(recorder(), knownClients());
    const r = await s.handle(s.push(encodePack(4, [Buffer.concat([javaHandshake, hex('00 06'), Buffer.from('foo')])]))[0]!);
    const rd = new AvroReader(new PackDecoder().push(r)[0]!.data);
    readHandshakeResponse(rd);
    expect(readCallResult(rd).error).toMatch(/No such remote message: foo/);
  });

  it('builds requests the server session reads back (client encoding round trip)', async () => {
    const h = recorder();
    const s = new AvroSession(h, knownClients());
    const hs = writeHandshakeRequest(new AvroWriter(), {
      clientHash: FLUME_PROTOCOL_HASH,
      clientProtocol: null,
      serverHash: FLUME_PROTOCOL_HASH,
    }).toBuffer();
    expect(hs).toEqual(javaHandshake);
    const events = makeEvents(300);
    await s.handle(s.push(framePack(1, appendBatchRequest(events, hs, 12)))[0]!);
    expect(sameEvents(h.got[0]!, events)).toBeUndefined();
  });

  it('checks a client protocol for the append/appendBatch shapes', () => {
    expect(incompatibility(PROTOCOL_TEXT)).toBeUndefined();
    expect(incompatibility('nope')).toMatch(/not JSON/);
    expect(incompatibility(PROTOCOL_TEXT.replace('"bytes"', '"string"'))).toMatch(/appendBatch/);
  });
});
