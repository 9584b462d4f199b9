import { defineComponent, prop } from '../../config/spec.js';
import type { Event } from '../../core/event.js';

export const timestampInterceptor = defineComponent({
  kind: 'interceptor',
  type: 'timestamp',
  fqcn: 'org.apache.flume.interceptor.TimestampInterceptor$Builder',
  summary: 'Sets a header to the current time in milliseconds since the epoch.',
  notes: 'The time is read once per batch (Flume reads it per event; the values differ by the time the batch takes).',
  properties: {
    headerName: prop.string({ default: 'timestamp', doc: 'Header to set.' }),
    preserveExisting: prop.boolean({ default: false, doc: 'Keep the header if the event already has it.' }),
  },
  create: (c) => {
    const header = c.headerName;
    const preserve = c.preserveExisting;
    return {
      intercept(events: Event[]): Event[] {
        const now = String(Date.now());
        for (const e of events) {
          if (preserve && Object.hasOwn(e.headers, header)) continue;
          e.headers[header] = now;
        }
        return events;
      },
    };
  },
});
