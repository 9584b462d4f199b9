import { randomUUID } from 'node:crypto';
import { defineComponent, prop } from '../../config/spec.js';
import type { Event } from '../../core/event.js';

export const uuidInterceptor = defineComponent({
  kind: 'interceptor',
  type: 'uuid',
  fqcn: 'org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder',
  compatibility: 'differs',
  summary: 'Sets a header to a random (version 4) UUID, optionally prefixed.',
  notes: 'Flume has no `uuid` alias (only the FQCN, shipped with the morphline Solr sink); flume-ts accepts both.',
  properties: {
    headerName: prop.string({ default: 'id', doc: 'Header to set.' }),
    preserveExisting: prop.boolean({ default: true, doc: 'Keep the header if the event already has it.' }),
    prefix: prop.string({ default: '', doc: 'Text put before the UUID.' }),
  },
  create: (c) => {
    const { headerName, preserveExisting, prefix } = c;
    return {
      intercept(events: Event[]): Event[] {
        for (const e of events) {
          if (preserveExisting && Object.hasOwn(e.headers, headerName)) continue;
          e.headers[headerName] = prefix + randomUUID();
        }
        return events;
      },
    };
  },
});
