import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ScribeSource, scribeSource } from '../../../src/components/sources/scribe/index.js';
import { decodeScribeReply, encodeScribeCall } from '../../../src/components/sources/scribe/protocol.js';
import { DefaultChannelProcessor } from '../../../src/core/channel-processor.js';
import { ReplicatingChannelSelector } from '../../../src/components/selectors/replicating.js';
import { MemoryChannel } from '../../../src/components/channels/memory.js';
import { configure, drain, memory, silentLogger } from '../../support/context.js';

let source: ScribeSource | undefined;
afterEach(async () => {
  await source?.stop();
  source = undefined;
});

async function start(channel = memory('c1'), maxFrame = 16384000): Promise<{ port: number; channel: typeof channel }> {
  const p = new DefaultChannelProcessor(new ReplicatingChannelSelector([channel], []), [], silentLogger);
  source = new ScribeSource('r1', p, silentLogger, '127.0.0.1', 0, maxFrame);
  await source.start();
  return { port: source.boundPort, channel };
}

/** Sends frames on one connection; resolves with the reply frames (or what came before the server closed). */
function exchange(port: number, frames: Buffer[], replies = frames.length): Promise<{ replies: Buffer[]; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const out: Buffer[] = [];
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        out.push(buf.subarray(4, 4 + buf.readInt32BE(0)));
        buf = buf.subarray(4 + buf.readInt32BE(0));
      }
      if (out.length >= replies) {
        s.destroy();
        resolve({ replies: out, closed: false });
      }
    });
    s.on('close', () => resolve({ replies: out, closed: true }));
    s.on('error', () => {});
    s.write(Buffer.concat(frames));
  });
}

const codes = (r: { replies: Buffer[] }) => r.replies.map((f) => decodeScribeReply(f).code ?? decodeScribeReply(f).error);

describe('Scribe source', () => {
  it('config: Flume defaults (port 1499, maxReadBufferBytes 16384000, workerThreads 5)', () => {
    expect(configure(scribeSource, {})).toMatchObject({ port: 1499, maxReadBufferBytes: 16384000, workerThreads: 5, bind: '0.0.0.0' });
  });

  it('one event per LogEntry with the category header; strict and non-strict call headers; replies OK', async () => {
    const { port, channel } = await start();
    const r = await exchange(port, [
      encodeScribeCall(1, [{ category: 'web', message: Buffer.from('GET /') }, { message: Buffer.from('no category') }]),
      encodeScribeCall(2, [{ category: 'db', message: Buffer.from('q') }], false),
      encodeScribeCall(3, []),
    ]);
    expect(codes(r)).toEqual(['OK', 'OK', 'OK']);
    expect(r.replies.map((f) => decodeScribeReply(f).seqid)).toEqual([1, 2, 3]);
    // replies are written without the version word (TBinaryProtocol strictWrite = false), as Flume's server
    expect(r.replies[0]!.readInt32BE(0)).toBe(3); // length of "Log"
    const got = await drain(channel);
    expect(got.map((e) => [e.headers, e.body.toString()])).toEqual([
      [{ category: 'web' }, 'GET /'],
      [{}, 'no category'],
      [{ category: 'db' }, 'q'],
    ]);
    expect(source!.counter.snapshot()).toMatchObject({ EventReceivedCount: '3', EventAcceptedCount: '3' });
  });

  it('invalid UTF-8 in a message becomes U+FFFD, as Java decodes the Thrift string; binary bytes survive otherwise', async () => {
    const { port, channel } = await start();
    const entries = [{ category: 'c', message: Buffer.from([0x61, 0xff, 0x62]) }, { message: Buffer.from('ü€', 'utf8') }];
    await exchange(port, [encodeScribeCall(1, entries)]);
    const got = await drain(channel);
    expect(got[0]!.body).toEqual(Buffer.from('a\ufffdb', 'utf8'));
    expect(got[1]!.body.toString('utf8')).toBe('ü€');
  });

  it('TRY_LATER: an entry without a message refuses the whole list; a full channel; nothing half-committed', async () => {
    const full = new MemoryChannel('c1', {
      capacity: 2,
      transactionCapacity: 10,
      keepAliveSeconds: 0,
      byteCapacity: Infinity,
      byteCapacityBufferPercentage: 20,
    });
    const { port, channel } = await start(full);
    const r = await exchange(port, [
      encodeScribeCall(1, [{ category: 'a', message: Buffer.from('x') }, { category: 'b' }]),
      encodeScribeCall(
        2,
        [1, 2, 3].map((i) => ({ message: Buffer.from(String(i)) })),
      ),
      encodeScribeCall(3, [{ message: Buffer.from('fits') }]),
    ]);
    expect(codes(r)).toEqual(['TRY_LATER', 'TRY_LATER', 'OK']);
    expect((await drain(channel)).map((e) => e.body.toString())).toEqual(['fits']);
    expect(source!.counter.snapshot()).toMatchObject({ EventReadFail: '1', ChannelWriteFail: '1', EventAcceptedCount: '1' });
  });

  it('an unknown method gets a TApplicationException; garbage and an oversized frame close only that connection', async () => {
    const { port } = await start(memory('c1'), 1000);
    const unknown = Buffer.from(encodeScribeCall(7, []));
    unknown.write('Nop', 4 + 8); // strict header: version(4) + name length(4) + name
    const r = await exchange(port, [unknown]);
    expect(decodeScribeReply(r.replies[0]!).error).toBe("Invalid method name: 'Nop'");
    expect((await exchange(port, [Buffer.from('GET / HTTP/1.1\r\n\r\n')], 1)).closed).toBe(true);
    const big = encodeScribeCall(1, [{ message: Buffer.alloc(2000, 0x61) }]);
    expect(await exchange(port, [big], 1)).toEqual({ replies: [], closed: true });
    expect(codes(await exchange(port, [encodeScribeCall(2, [{ message: Buffer.from('ok') }])]))).toEqual(['OK']);
  });
});
