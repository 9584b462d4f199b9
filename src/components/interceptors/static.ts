import { defineComponent, prop } from '../../config/spec.js';
import type { Event } from '../../core/event.js';

export const staticInterceptor = defineComponent({
  kind: 'interceptor',
  type: 'static',
  fqcn: 'org.apache.flume.interceptor.StaticInterceptor$Builder',
  summary: 'Sets one fixed header on every event.',
  properties: {
    key: prop.string({ default: 'key', doc: 'Header name.' }),
    value: prop.string({ default: 'value', doc: 'Header value.' }),
    preserveExisting: prop.boolean({ default: true, doc: 'Keep the header if the event already has it.' }),
  },
  create: (c, ctx) => {
    const { key, value, preserveExisting } = c;
    ctx.logger.info(`Creating StaticInterceptor: preserveExisting=${preserveExisting},key=${key},value=${value}`);
    return {
      intercept(events: Event[]): Event[] {
        for (const e of events) {
          if (preserveExisting && Object.hasOwn(e.headers, key)) continue;
          e.headers[key] = value;
        }
        return events;
      },
    };
  },
});
