import { defineComponent, prop } from '../../config/spec.js';
import type { Event } from '../../core/event.js';
import { textBatch, textBatchParts } from './batch.js';

const NL = Buffer.from('\n');

export const textSerializer = defineComponent({
  kind: 'serializer',
  type: 'text',
  fqcn: 'org.apache.flume.serialization.BodyTextEventSerializer$Builder',
  summary: 'Writes each event body as is, followed by a newline; headers are dropped.',
  notes: "Byte-identical to Flume's output (checked against Flume 1.11's classes).",
  properties: {
    appendNewline: prop.boolean({ default: true, doc: 'Write "\\n" after each body.' }),
  },
  create: (c) => {
    const nl = c.appendNewline;
    return {
      write: (e: Event) => (nl ? Buffer.concat([e.body, NL], e.body.length + 1) : e.body),
      writeBatch: (events: readonly Event[]) => textBatch(events, nl),
      writeBatchParts: (events: readonly Event[]) => textBatchParts(events, nl),
    };
  },
});
