import { defineComponent, prop } from '../../config/spec.js';
import { BatchingSink } from '../../core/abstract-sink.js';

class NullSink extends BatchingSink {
  protected deliver(): void {}
}

export const nullSink = defineComponent({
  kind: 'sink',
  type: 'null',
  fqcn: 'org.apache.flume.sink.NullSink',
  summary: 'Takes events from the channel and discards them.',
  properties: {
    batchSize: prop.int({ default: 100, min: 1, doc: 'Events taken per transaction.' }),
  },
  batchSize: (c) => c.batchSize,
  create: (c, ctx) => new NullSink(ctx.name, ctx.channel, ctx.logger, c.batchSize),
});
