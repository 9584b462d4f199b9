/** irc sink against a real IRC server (Debian's ngircd on 127.0.0.1). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ircSink, type IrcSink } from '../../../src/components/sinks/irc/index.js';
import { javaSplit } from '../../../src/components/shared/java-split.js';
import { createEvent } from '../../../src/core/event.js';
import { EventDeliveryError } from '../../../src/core/errors.js';
import { configure, create, memory } from '../../support/context.js';
import { startIrcd, watch, type Ircd, type Watcher } from '../../support/ircd.js';
import { waitFor } from '../../support/agent-process.js';

let ircd: Ircd;
let watcher: Watcher;
beforeAll(async () => {
  ircd = await startIrcd();
  watcher = await watch(ircd.port, 'watcher', 'flume');
});
afterAll(async () => {
  watcher?.close();
  await ircd?.stop();
});

async function put(ch: ReturnType<typeof memory>, ...bodies: string[]): Promise<void> {
  const tx = ch.begin();
  tx.putAll(bodies.map((b) => createEvent(b)));
  await tx.commit();
}

function sink(extra: Record<string, string>, ch = memory('c1')): { sink: IrcSink; ch: typeof ch } {
  const raw = { hostname: '127.0.0.1', port: String(ircd.port), chan: 'flume', ...extra };
  const s = create(ircSink, raw, { name: 'k1', channel: ch }) as IrcSink;
  return { sink: s, ch };
}

describe('javaSplit (String.split)', () => {
  it('drops trailing empty strings, keeps leading ones, whole string when nothing matches', () => {
    expect(javaSplit('a\nb\n\n', /\n/)).toEqual(['a', 'b']);
    expect(javaSplit('\na', /\n/)).toEqual(['', 'a']);
    expect(javaSplit('abc', /x/)).toEqual(['abc']);
    expect(javaSplit('a1b22c', /\d+/)).toEqual(['a', 'b', 'c']);
    expect(javaSplit('abc', /(?:)/)).toEqual(['a', 'b', 'c']);
    expect(javaSplit('', /\n/)).toEqual(['']);
  });
});

describe('irc sink', () => {
  it('config: Flume names and defaults; hostname, nick and chan are required', () => {
    expect(configure(ircSink, { hostname: 'h', nick: 'n', chan: 'c' })).toMatchObject({ port: 6667, splitlines: false, splitchars: '\n' });
    expect(() => configure(ircSink, { hostname: 'h', nick: 'n' })).toThrow(/chan/);
  });

  it('joins #chan and sends one PRIVMSG per event, one event per transaction; splitlines splits with the regex', async () => {
    const a = sink({ nick: 'flumets' });
    await a.sink.start();
    await put(a.ch, 'hello world', 'ünïcode ✓');
    expect(await a.sink.process()).toBe('READY');
    expect(a.ch.size()).toBe(1);
    expect(await a.sink.process()).toBe('READY');
    expect(await a.sink.process()).toBe('BACKOFF');
    const b = sink({ nick: 'splitter', splitlines: 'true', splitchars: '[|;]' });
    await b.sink.start();
    await put(b.ch, 'one|two;three||');
    await b.sink.process();
    await waitFor(() => watcher.messages.length >= 5, '5 messages', 10_000);
    // two connections: the server may interleave them; each sender's messages keep their order
    const from = (nick: string) => watcher.messages.filter((m) => m.from === nick).map((m) => m.text);
    expect(from('flumets')).toEqual(['hello world', 'ünïcode ✓']);
    expect(from('splitter')).toEqual(['one', 'two', 'three']);
    expect(watcher.messages).toHaveLength(5);
    await a.sink.stop();
    await b.sink.stop();
  });

  it('a server that went away fails the transaction: rolled back, the event stays in the channel', async () => {
    const other = await startIrcd();
    const w = await watch(other.port, 'watcher2', 'flume');
    const ch = memory('c2');
    const raw = { hostname: '127.0.0.1', port: String(other.port), chan: 'flume', nick: 'resilient' };
    const s = create(ircSink, raw, { name: 'k2', channel: ch }) as IrcSink;
    await s.start();
    await put(ch, 'before');
    await s.process();
    await waitFor(() => w.messages.length >= 1, 'first message', 10_000);
    w.close();
    await other.stop();
    // a write may still be accepted by the kernel before the close is seen (as with Flume); keep sending until it fails
    let n = 0;
    await waitFor(
      async () => {
        if (ch.size() === 0) await put(ch, `during ${n++}`);
        try {
          await s.process();
          return false;
        } catch (err) {
          return err instanceof EventDeliveryError;
        }
      },
      'a delivery failure',
      10_000,
    );
    expect(ch.size()).toBeGreaterThanOrEqual(1);
    await s.stop();
  });
});
