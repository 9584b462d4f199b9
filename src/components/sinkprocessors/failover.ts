import { defineComponent, prop } from '../../config/spec.js';
import { EventDeliveryError, errorMessage } from '../../core/errors.js';
import type { Status } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logging.js';
import type { Sink } from '../../core/sink.js';
import type { SinkProcessor } from '../../core/sink-processor.js';

const FAILURE_PENALTY = 1000;

interface Entry {
  sink: Sink;
  priority: number;
  failures: number;
  refresh: number;
}

/**
 * Flume's FailoverSinkProcessor: the live sink with the highest priority processes; a sink that throws moves to the
 * failed set for min(maxpenalty, 2^failures × 1 s) and is retried after that; when none is left the error goes up.
 */
export class FailoverSinkProcessor implements SinkProcessor {
  readonly sinks: readonly Sink[];
  private live: Entry[] = [];
  private failed: Entry[] = [];
  private readonly maxPenalty: number;
  private readonly logger: Logger;

  constructor(entries: Array<{ sink: Sink; priority: number }>, maxPenalty: number, logger: Logger) {
    this.sinks = entries.map((e) => e.sink);
    this.live = entries.map((e) => ({ ...e, failures: 0, refresh: 0 })).sort((a, b) => b.priority - a.priority);
    this.maxPenalty = maxPenalty;
    this.logger = logger;
  }

  async start(): Promise<void> {
    for (const s of this.sinks) await s.start();
  }
  async stop(): Promise<void> {
    for (const s of this.sinks) await s.stop();
  }

  private fail(e: Entry, err: unknown): void {
    e.failures++;
    e.refresh = Date.now() + Math.min(this.maxPenalty, 2 ** e.failures * FAILURE_PENALTY);
    this.live = this.live.filter((x) => x !== e);
    if (!this.failed.includes(e)) this.failed.push(e);
    this.logger.warn(
      { sink: e.sink.name, failures: e.failures, retryInMs: e.refresh - Date.now(), err: errorMessage(err) },
      'Sink failed; failing over',
    );
  }

  async process(): Promise<Status> {
    const now = Date.now();
    // retry failed sinks whose penalty has expired
    for (const e of [...this.failed].sort((a, b) => a.refresh - b.refresh)) {
      if (e.refresh > now) break;
      try {
        const s = await e.sink.process();
        if (s === 'READY') {
          this.failed = this.failed.filter((x) => x !== e);
          e.failures = 0;
          this.live.push(e);
          this.live.sort((a, b) => b.priority - a.priority);
          this.logger.info({ sink: e.sink.name }, 'Sink recovered');
          return s;
        }
      } catch (err) {
        this.fail(e, err);
      }
    }
    while (this.live.length > 0) {
      const active = this.live[0]!;
      try {
        return await active.sink.process();
      } catch (err) {
        this.fail(active, err);
      }
    }
    throw new EventDeliveryError('All sinks failed to process, nothing left to failover to');
  }
}

export const failoverSinkProcessor = defineComponent({
  kind: 'sinkprocessor',
  type: 'failover',
  fqcn: 'org.apache.flume.sink.FailoverSinkProcessor',
  summary: 'The highest-priority live sink takes the events; failed sinks are retried after a growing penalty.',
  properties: {
    maxpenalty: prop.int({ default: 30000, min: 0, doc: 'Maximum back-off (ms) of a failed sink.' }),
  },
  prefixes: { 'priority.': 'priority.<sink> = an integer; the highest live priority is used (must be unique).' },
  check: (_c, raw) =>
    Object.entries(raw)
      .filter(([k, v]) => k.startsWith('priority.') && !/^[+-]?\d+$/.test(v.trim()))
      .map(([k, v]) => ({ prop: k, message: `${k}: expected an integer, got "${v}"` })),
  create: (c, ctx) => {
    const used = new Set<number>();
    const entries: Array<{ sink: Sink; priority: number }> = [];
    let next = -1;
    for (const sink of ctx.sinks) {
      const raw = ctx.raw[`priority.${sink.name}`];
      const priority = raw === undefined ? next-- : Number(raw);
      if (used.has(priority)) {
        ctx.logger.warn(
          { sink: sink.name, priority },
          'Sink was not added to the failover group: its priority is already used (as in Flume)',
        );
        continue;
      }
      used.add(priority);
      entries.push({ sink, priority });
    }
    return new FailoverSinkProcessor(entries, c.maxpenalty, ctx.logger);
  },
});
