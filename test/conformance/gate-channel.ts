/**
 * A memory channel with a gate, for the source and sink suites: `full` makes every commit fail with Flume's
 * ChannelFullException, and `committed` records the bodies of every committed put, in commit order.
 */
import { MemoryChannel } from '../../src/components/channels/memory.js';
import type { Transaction } from '../../src/core/channel.js';
import type { Event } from '../../src/core/event.js';
import { ChannelFullError } from '../../src/core/errors.js';

export class GateChannel extends MemoryChannel {
  full = false;
  readonly committed: string[] = [];
  /** How many commits the closed gate refused. */
  refused = 0;

  /**
   * `decode` gives what `committed` records for an event (default: its body as text); a source whose events carry
   * several produced items (the Twitter source's Avro containers) lists each.
   */
  constructor(
    name = 'c1',
    capacity = 100_000,
    transactionCapacity = 1000,
    private readonly decode: (e: Event) => string[] = (e) => [e.body.toString()],
  ) {
    super(name, { capacity, transactionCapacity, keepAliveSeconds: 0, byteCapacity: Infinity, byteCapacityBufferPercentage: 20 });
  }

  override begin(): Transaction {
    const tx = super.begin();
    const puts: Event[] = [];
    const put = tx.put.bind(tx);
    const putAll = tx.putAll.bind(tx);
    const commit = tx.commit.bind(tx);
    tx.put = (e: Event) => {
      put(e);
      puts.push(e);
    };
    tx.putAll = (es: readonly Event[]) => {
      putAll(es);
      puts.push(...es);
    };
    tx.commit = async () => {
      if (this.full && puts.length > 0) {
        this.refused++;
        throw new ChannelFullError(`channel ${this.name} is full (gate closed by the test)`);
      }
      await commit();
      for (const e of puts) this.committed.push(...this.decode(e));
    };
    return tx;
  }
}
