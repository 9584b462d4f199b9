import { defineComponent, prop } from '../../config/spec.js';
import { EventDeliveryError, errorMessage } from '../../core/errors.js';
import type { Status } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logging.js';
import type { Sink } from '../../core/sink.js';
import type { SinkProcessor } from '../../core/sink-processor.js';

/**
 * Flume's LoadBalancingSinkProcessor: sinks are tried in round-robin or random order; a failing sink is skipped for
 * the next one; with `backoff`, a failed sink is left out for an exponentially growing time (capped by
 * selector.maxTimeOut). When every sink fails, the error goes to the runner.
 */
export class LoadBalancingSinkProcessor implements SinkProcessor {
  readonly sinks: readonly Sink[];
  private readonly policy: 'round_robin' | 'random';
  private readonly backoff: boolean;
  private readonly maxTimeOut: number;
  private readonly logger: Logger;
  private next = 0;
  private readonly restoreAt: number[];
  private readonly failures: number[];

  constructor(sinks: readonly Sink[], policy: 'round_robin' | 'random', backoff: boolean, maxTimeOut: number, logger: Logger) {
    this.sinks = sinks;
    this.policy = policy;
    this.backoff = backoff;
    this.maxTimeOut = maxTimeOut;
    this.logger = logger;
    this.restoreAt = sinks.map(() => 0);
    this.failures = sinks.map(() => 0);
  }

  async start(): Promise<void> {
    for (const s of this.sinks) await s.start();
  }
  async stop(): Promise<void> {
    for (const s of this.sinks) await s.stop();
  }

  private order(): number[] {
    const now = Date.now();
    const idx = this.sinks.map((_, i) => i).filter((i) => !this.backoff || this.restoreAt[i]! <= now);
    if (this.policy === 'random') {
      for (let i = idx.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      }
      return idx;
    }
    if (idx.length === 0) return idx;
    const start = this.next % idx.length;
    this.next = (this.next + 1) % Math.max(1, this.sinks.length);
    return [...idx.slice(start), ...idx.slice(0, start)];
  }

  async process(): Promise<Status> {
    let lastErr: unknown;
    for (const i of this.order()) {
      const sink = this.sinks[i]!;
      try {
        const s = await sink.process();
        this.failures[i] = 0;
        return s;
      } catch (err) {
        lastErr = err;
        if (this.backoff) {
          this.failures[i]!++;
          this.restoreAt[i] = Date.now() + Math.min(this.maxTimeOut, 1000 * 2 ** this.failures[i]!);
        }
        this.logger.warn({ sink: sink.name, err: errorMessage(err) }, 'Sink failed to process; trying the next one');
      }
    }
    throw new EventDeliveryError(
      lastErr ? `Unable to process event on any sink: ${errorMessage(lastErr)}` : 'All sinks are backing off after failures',
      { cause: lastErr },
    );
  }
}

export const loadBalanceSinkProcessor = defineComponent({
  kind: 'sinkprocessor',
  type: 'load_balance',
  fqcn: 'org.apache.flume.sink.LoadBalancingSinkProcessor',
  summary: 'Spreads batches over the sinks of the group, round-robin or random, skipping failed sinks.',
  properties: {
    backoff: prop.boolean({ default: false, doc: 'Leave a failed sink out for an exponentially growing time.' }),
    selector: prop.enum(['round_robin', 'random'] as const, { default: 'round_robin', doc: 'Order in which sinks are tried.' }),
    'selector.maxTimeOut': prop.int({ default: 30000, min: 0, doc: 'Cap (ms) of the back-off of a failed sink.' }),
  },
  create: (c, ctx) => new LoadBalancingSinkProcessor(ctx.sinks, c.selector, c.backoff, c['selector.maxTimeOut'], ctx.logger),
});
