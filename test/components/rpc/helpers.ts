/** Test plumbing for the RPC components: a ChannelProcessor over one channel, event generators, byte comparison. */
import type { Channel } from '../../../src/core/channel.js';
import type { ChannelProcessor } from '../../../src/core/source.js';
import type { Event } from '../../../src/core/event.js';
import { ChannelError } from '../../../src/core/errors.js';

/**
 * Flume's ChannelProcessor for a single required channel and no interceptors: one transaction per batch.
 * `failFirst`: the first n batches fail; `hold`: awaited before each batch is put (a gate a test opens later).
 */
export function processorFor(
  ch: Channel,
  opts: { failFirst?: number; hold?: () => Promise<void> } = {},
): ChannelProcessor & { failures: number; batches: number } {
  let fail = opts.failFirst ?? 0;
  const p = {
    failures: 0,
    batches: 0,
    maxBatchSize: ch.transactionCapacity,
    async processEvent(e: Event) {
      await p.processEventBatch([e]);
    },
    async processEventBatch(events: Event[]) {
      p.batches++;
      await opts.hold?.();
      if (fail > 0) {
        fail--;
        p.failures++;
        throw new ChannelError('injected channel failure');
      }
      const tx = ch.begin();
      try {
        tx.putAll(events);
        await tx.commit();
      } catch (err) {
        await tx.rollback();
        throw err;
      }
    },
  };
  return p;
}

/** Events with binary bodies (every byte value) and non-ASCII headers. */
export function makeEvents(n: number, start = 0): Event[] {
  const out: Event[] = [];
  for (let i = start; i < start + n; i++) {
    const body = Buffer.alloc(16 + (i % 300));
    for (let j = 0; j < body.length; j++) body[j] = (i * 31 + j * 7) & 0xff;
    body.writeUInt32BE(i, 0);
    const headers: Record<string, string> = { seq: String(i), 'hé der': `välue ✓ ${i}` };
    if (i % 3 === 0) headers.extra = 'x'.repeat(i % 50);
    out.push({ headers, body });
  }
  return out;
}

export function sameEvents(a: readonly Event[], b: readonly Event[]): string | undefined {
  if (a.length !== b.length) return `count ${a.length} != ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (!a[i]!.body.equals(b[i]!.body)) return `body of event ${i} differs`;
    const ha = JSON.stringify(Object.entries(a[i]!.headers).sort());
    const hb = JSON.stringify(Object.entries(b[i]!.headers).sort());
    if (ha !== hb) return `headers of event ${i} differ: ${ha} vs ${hb}`;
  }
  return undefined;
}
