import { defineComponent } from '../../config/spec.js';
import type { Status } from '../../core/lifecycle.js';
import type { Sink } from '../../core/sink.js';
import type { SinkProcessor } from '../../core/sink-processor.js';
import { ConfigError } from '../../core/errors.js';

/** One sink, processed as is (Flume's DefaultSinkProcessor). */
export class DefaultSinkProcessor implements SinkProcessor {
  readonly sinks: readonly Sink[];
  constructor(sinks: readonly Sink[]) {
    if (sinks.length !== 1) throw new ConfigError(`the default sink processor takes exactly one sink, got ${sinks.length}`);
    this.sinks = sinks;
  }
  async start(): Promise<void> {
    await this.sinks[0]!.start();
  }
  async stop(): Promise<void> {
    await this.sinks[0]!.stop();
  }
  process(): Promise<Status> {
    return this.sinks[0]!.process();
  }
}

export const defaultSinkProcessor = defineComponent({
  kind: 'sinkprocessor',
  type: 'default',
  fqcn: 'org.apache.flume.sink.DefaultSinkProcessor',
  summary: 'A single sink, no failover or load balancing.',
  properties: {},
  create: (_c, ctx) => new DefaultSinkProcessor(ctx.sinks),
});
