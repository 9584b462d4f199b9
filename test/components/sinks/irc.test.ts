/** irc sink against a real IRC server (Debian's ngircd on 127.0.0.1). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ircSink, IrcSink } from '../../../src/components/sinks/irc/index.js';
import { javaSplit } from '../../../src/components/sinks/irc/split.js';
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
  const s = create(ircSink, { hostname: '127.0.0.1', port: String(ircd.port), chan: 'flume', ...extra }, { name: 'k1', channel: ch }) as IrcSink;
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
    expect(watcher.messages).toEqual([
      { from: 'flumets', text: 'hello world' }, { from: 'flumets', text: 'ünïcode ✓' },
      { from: 'splitter', text: 'one' }, { from: 'splitter', text: 'two' }, { from: 'splitter', text: 'three' },
    ]);
    await a.sink.stop();
    await b.sink.stop();
  });

  it('a server that went away fails the transaction: rolled back, the event stays in the channel', async () => {
    const other = await startIrcd();
    const w = await watch(other.port, 'watcher2', 'flume');
    const ch = memory('c2');
    const s = create(ircSink, { hostname: '127.0.0.1', port: String(other.port), chan: 'flume', nick: 'resilient' }, { name: 'k2', channel: ch }) as IrcSink;
    await s.start();
    await put(ch, 'before');
    await s.process();
    await waitFor(() => w.messages.length >= 1, 'first message', 10_000);
    w.close();
    await other.stop();
    await put(ch, 'during');
    // the first write may still be accepted by the kernel before the close is seen; keep trying until it fails
    await waitFor(async () => {
      try {
        await s.process();
        return false;
      } catch (err) {
        return err instanceof EventDeliveryError;
      }
    }, 'a delivery failure', 10_000);
    expect(ch.size()).toBeGreaterThanOrEqual(1);
    await s.stop();
  });
});
