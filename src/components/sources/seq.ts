/**
 * Flume's SequenceGeneratorSource: bodies "0", "1", "2", … in batches of batchSize, until totalEvents. When the
 * channel refuses a batch the counter is not advanced, so the same bodies are retried.
 */
import { defineComponent, prop } from '../../config/spec.js';
import type { ChannelProcessor, PollableSource } from '../../core/source.js';
import type { Event } from '../../core/event.js';
import type { Status } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logging.js';
import { ChannelError, errorMessage } from '../../core/errors.js';
import { sourceCounter } from '../../monitoring/counters.js';

export class SequenceGeneratorSource implements PollableSource {
  readonly mode = 'pollable';
  readonly name: string;
  readonly counter;
  readonly backoffSleepIncrement: number;
  readonly maxBackoffSleep: number;
  private readonly batchSize: number;
  private readonly totalEvents: number;
  private readonly processor: ChannelProcessor;
  private readonly logger: Logger;
  private sequence = 0;

  constructor(
    name: string,
    o: { batchSize: number; totalEvents: number; backoffSleepIncrement: number; maxBackoffSleep: number },
    processor: ChannelProcessor,
    logger: Logger,
  ) {
    this.name = name;
    this.counter = sourceCounter(name);
    this.batchSize = o.batchSize;
    this.totalEvents = o.totalEvents;
    this.backoffSleepIncrement = o.backoffSleepIncrement;
    this.maxBackoffSleep = o.maxBackoffSleep;
    this.processor = processor;
    this.logger = logger;
  }

  async start(): Promise<void> {
    this.counter.start();
  }

  async stop(): Promise<void> {
    this.counter.stop();
  }

  async process(): Promise<Status> {
    const n = Math.min(this.batchSize, this.totalEvents - this.sequence);
    if (n <= 0) return 'BACKOFF';
    const events: Event[] = new Array(n);
    for (let i = 0; i < n; i++) events[i] = { headers: {}, body: Buffer.from(String(this.sequence + i)) };
    try {
      await this.processor.processEventBatch(events);
    } catch (err) {
      if (!(err instanceof ChannelError)) throw err;
      this.counter.increment('ChannelWriteFail');
      this.logger.debug({ err: errorMessage(err) }, 'channel refused the batch; retrying the same sequence numbers');
      return 'BACKOFF';
    }
    this.sequence += n;
    this.counter.increment('AppendBatchAcceptedCount');
    this.counter.add('EventAcceptedCount', n);
    return 'READY';
  }
}

export const seqSource = defineComponent({
  kind: 'source',
  type: 'seq',
  fqcn: 'org.apache.flume.source.SequenceGeneratorSource',
  summary: 'Generates events whose bodies count up from 0 (for tests and benchmarks).',
  properties: {
    batchSize: prop.int({ default: 1, min: 1, doc: 'Events per batch (one transaction per channel).' }),
    totalEvents: prop.long({ default: Number.MAX_SAFE_INTEGER, defaultDoc: 'Long.MAX_VALUE', min: 0, doc: 'Stop after this many events.' }),
    backoffSleepIncrement: prop.long({ default: 1000, min: 0, doc: 'Back-off step (ms) when the channel is full or the source is done.' }),
    maxBackoffSleep: prop.long({ default: 5000, min: 0, doc: 'Maximum back-off (ms).' }),
  },
  batchSize: (c) => c.batchSize,
  create: (c, ctx) => new SequenceGeneratorSource(ctx.name, c, ctx.processor, ctx.logger),
});
