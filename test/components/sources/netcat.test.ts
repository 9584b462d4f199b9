import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NetcatSource } from '../../../src/components/sources/netcat.js';
import { DefaultChannelProcessor } from '../../../src/core/channel-processor.js';
import { ReplicatingChannelSelector } from '../../../src/components/selectors/replicating.js';
import { MemoryChannel, PACE_MIN_EVENTS } from '../../../src/components/channels/memory.js';
import { drain, memory, silentLogger } from '../../support/context.js';

let source: NetcatSource | undefined;
afterEach(async () => {
  await source?.stop();
  source = undefined;
});

async function start(ch: MemoryChannel, o: Partial<{ maxLineLength: number; ackEveryEvent: boolean; encoding: string }> = {}) {
  const processor = new DefaultChannelProcessor(new ReplicatingChannelSelector([ch], []), [], silentLogger);
  source = new NetcatSource(
    'r1',
    { bind: '127.0.0.1', port: 0, maxLineLength: 512, ackEveryEvent: true, encoding: 'utf-8', ...o },
    processor,
    silentLogger,
  );
  await source.start();
  return source.boundPort!;
}

/** Sends `data`, then collects replies until `expectReplies` lines arrived or the server closes. */
function exchange(port: number, data: Buffer | string, expectReplies: number, end = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(got);
    }, 10_000);
    s.on('data', (d) => {
      got += d.toString();
      if (got.split('\n').length - 1 >= expectReplies) {
        clearTimeout(timer);
        s.end();
        resolve(got);
      }
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.on('error', reject);
    s.write(data);
    if (end && expectReplies === 0) s.end();
  });
}

describe('netcat source', () => {
  it('answers OK per line, keeps CR of CRLF, and stores bodies in order', async () => {
    const ch = memory();
    const port = await start(ch);
    const replies = await exchange(port, 'hello\nworld\r\nthird\n', 3);
    expect(replies).toBe('OK\nOK\nOK\n');
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['hello', 'world\r', 'third']);
  });

  it("refuses an over-long line with Flume's reply, keeps earlier events, and closes the connection", async () => {
    const ch = memory();
    const port = await start(ch, { maxLineLength: 10 });
    const replies = await exchange(port, 'ok-line\n' + 'x'.repeat(10) + '\nafter\n', 2);
    expect(replies).toBe('OK\nFAILED: Event exceeds the maximum length (10 chars, including newline)\n');
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['ok-line']);
    // exactly max-1 chars fits
    const r2 = await exchange(port, 'x'.repeat(9) + '\n', 1);
    expect(r2).toBe('OK\n');
  });

  it('counts characters, not bytes, for max-line-length', async () => {
    const ch = memory();
    const port = await start(ch, { maxLineLength: 5 });
    expect(await exchange(port, 'éééé\n', 1)).toBe('OK\n');
    expect((await drain(ch))[0]!.body.toString()).toBe('éééé');
  });

  it('answers FAILED when the channel is full and keeps serving', async () => {
    const ch = new MemoryChannel('c1', {
      capacity: 2,
      transactionCapacity: 2,
      keepAliveSeconds: 0,
      byteCapacity: Infinity,
      byteCapacityBufferPercentage: 20,
    });
    const port = await start(ch);
    const replies = await exchange(port, 'a\nb\n', 2);
    expect(replies).toBe('OK\nOK\n');
    const r2 = await exchange(port, 'c\n', 1);
    expect(r2).toMatch(/^FAILED: Space for commit to queue couldn't be acquired/);
    await drain(ch);
    expect(await exchange(port, 'd\n', 1)).toBe('OK\n');
  });

  it('drops bytes without a newline at EOF, and stays silent without ack-every-event', async () => {
    const ch = memory();
    const port = await start(ch, { ackEveryEvent: false });
    await exchange(port, 'one\ntwo\nunterminated', 0);
    await new Promise((r) => setTimeout(r, 100));
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['one', 'two']);
  });

  it('passes binary bytes through unchanged', async () => {
    const ch = memory();
    const port = await start(ch);
    const bin = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 0x0d]);
    expect(await exchange(port, Buffer.concat([bin, Buffer.from('\n')]), 1)).toBe('OK\n');
    expect((await drain(ch))[0]!.body).toEqual(bin);
  });

  it('batches large inputs within transactionCapacity and acknowledges every line', async () => {
    const ch = memory('c1', 100_000, 100);
    const port = await start(ch);
    const n = 5000;
    const lines = Array.from({ length: n }, (_, i) => `line-${i}`).join('\n') + '\n';
    const replies = await exchange(port, lines, n);
    expect(replies).toBe('OK\n'.repeat(n));
    const got = await drain(ch);
    expect(got.length).toBe(n);
    expect(got[n - 1]!.body.toString()).toBe(`line-${n - 1}`);
  });
});

describe('netcat source pacing (Channel.pace)', () => {
  it('reads no further ahead of a sink that takes than the pace level, fills the channel once it stops, loses nothing', async () => {
    const ch = memory('c1', 100_000, 1000);
    const port = await start(ch, { ackEveryEvent: false });
    const N = 50_000;
    const line = (i: number) => `${String(i).padStart(8, '0')} ${'x'.repeat(90)}\n`;
    const taken: string[] = [];
    const takeSome = async (n: number) => {
      const tx = ch.begin();
      taken.push(...(await tx.take(n)).map((e) => e.body.toString().slice(0, 8)));
      await tx.commit();
    };
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 1000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
      if (!ok()) throw new Error(`timed out waiting for ${what}`);
    };
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    s.write(line(0));
    await until('the first line', () => ch.size() === 1);
    await takeSome(100); // a consumer that takes: from now on the source waits for it at the pace level
    // a slow consumer keeps taking 100 events every 20 ms while 50,000 lines are sent at once
    let consuming = true;
    const consumer = (async () => {
      while (consuming) {
        await takeSome(100);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    s.write(Array.from({ length: N }, (_, i) => line(i + 1)).join(''));
    await until('the pace level', () => ch.size() >= PACE_MIN_EVENTS - 1000);
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      peak = Math.max(peak, ch.size());
      await new Promise((r) => setTimeout(r, 20));
    }
    // at most one received chunk (64 KiB: 655 of these lines) beyond the level, far from the 100,000 of the capacity
    expect(peak).toBeLessThan(PACE_MIN_EVENTS + 1000);
    consuming = false;
    await consumer;
    // no take for PACE_STALL_MS: the source reads on and the channel takes everything, as in Flume
    await until('every line in the channel', () => taken.length + ch.size() === N + 1);
    s.end();
    taken.push(...(await drain(ch)).map((e) => e.body.toString().slice(0, 8)));
    expect(taken).toEqual(Array.from({ length: N + 1 }, (_, i) => String(i).padStart(8, '0')));
  });
});

describe('netcat source framing', () => {
  it('joins a line split across TCP segments', async () => {
    const ch = memory();
    const port = await start(ch);
    const s = net.connect(port, '127.0.0.1');
    await new Promise((r) => s.on('connect', r));
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    for (const part of ['hel', 'lo\nwor', 'ld', '\n']) {
      s.write(part);
      await new Promise((r) => setTimeout(r, 30));
    }
    for (let i = 0; i < 200 && got !== 'OK\nOK\n'; i++) await new Promise((r) => setTimeout(r, 10));
    s.end();
    expect(got).toBe('OK\nOK\n');
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['hello', 'world']);
  });

  it('joins a long line that arrives in many small pieces, and still refuses one over max-line-length', async () => {
    const ch = memory();
    const port = await start(ch, { maxLineLength: 1000 });
    const s = net.connect(port, '127.0.0.1');
    await new Promise((r) => s.on('connect', r));
    s.setNoDelay(true);
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    const line = Array.from({ length: 900 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    for (let at = 0; at < line.length; at += 50) {
      s.write(line.slice(at, at + 50));
      await new Promise((r) => setTimeout(r, 2));
    }
    s.write('\n');
    for (let i = 0; i < 300 && got !== 'OK\n'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toBe('OK\n');
    // 1100 bytes without a newline, in pieces: over-long
    for (let k = 0; k < 22; k++) {
      s.write('x'.repeat(50));
      await new Promise((r) => setTimeout(r, 2));
    }
    for (let i = 0; i < 300 && !got.includes('FAILED'); i++) await new Promise((r) => setTimeout(r, 10));
    s.destroy();
    expect(got).toMatch(/^OK\nFAILED: Event exceeds the maximum length/);
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual([line]);
  });
});
