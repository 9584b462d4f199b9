import { defineComponent, prop } from '../../config/spec.js';
import type { Event } from '../../core/event.js';
import { javaMapToString } from '../shared/java-hashmap.js';
import { headerAndTextBatch } from './batch.js';

const head = (h: Record<string, string>): string => javaMapToString(h) + ' ';

export const headerAndTextSerializer = defineComponent({
  kind: 'serializer',
  type: 'header_and_text',
  fqcn: 'org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder',
  summary: 'Writes the headers as a Java map (`{k1=v1, k2=v2}`), a space, the body, and a newline.',
  notes:
    "Headers are listed in the order Java's HashMap iterates them (as Flume prints them), not in insertion order, and encoded as UTF-8 (Flume uses the JVM default charset, normally UTF-8).",
  properties: {
    appendNewline: prop.boolean({ default: true, doc: 'Write "\\n" after each body.' }),
  },
  create: (c) => {
    const nl = c.appendNewline;
    return {
      write(e: Event): Buffer {
        const h = head(e.headers);
        const hl = Buffer.byteLength(h);
        const out = Buffer.allocUnsafe(hl + e.body.length + (nl ? 1 : 0));
        out.write(h, 0, 'utf8');
        e.body.copy(out, hl);
        if (nl) out[out.length - 1] = 0x0a;
        return out;
      },
      writeBatch: (events: readonly Event[]): Buffer => headerAndTextBatch(events, nl, head),
    };
  },
});
