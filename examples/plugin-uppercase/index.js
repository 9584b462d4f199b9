// Example flume-ts plugin (docs/plugins.md). The default export is a function of flume-ts's plugin API (the same
// exports as `import ... from 'flume-ts/plugin'`), so this package needs no import of flume-ts to load.
import fs from 'node:fs';

/** @param {typeof import('flume-ts/plugin')} api */
export default function plugin(api) {
  const { defineComponent, prop, BatchingSink, EventDeliveryError, errorMessage } = api;

  const uppercase = defineComponent({
    kind: 'interceptor',
    type: 'uppercase',
    summary: 'Upper-cases each event body (UTF-8).',
    properties: {
      originalHeader: prop.string({ doc: 'If set, the original body is kept in this header.' }),
      maxBodyBytes: prop.int({ default: 65536, min: 1, doc: 'Bodies longer than this are left unchanged.' }),
    },
    create: (c) => ({
      intercept: (events) =>
        events.map((e) => {
          if (e.body.length > c.maxBodyBytes) return e;
          const text = e.body.toString('utf8');
          const headers = c.originalHeader ? { ...e.headers, [c.originalHeader]: text } : e.headers;
          return { headers, body: Buffer.from(text.toUpperCase(), 'utf8') };
        }),
    }),
  });

  class JsonLinesSink extends BatchingSink {
    constructor(name, channel, logger, file, batchSize) {
      super(name, channel, logger, batchSize);
      this.file = file;
    }
    async deliver(events) {
      const text = events.map((e) => JSON.stringify({ headers: e.headers, body: e.body.toString('utf8') }) + '\n').join('');
      try {
        await fs.promises.appendFile(this.file, text);
      } catch (err) {
        throw new EventDeliveryError(`cannot append to ${this.file}: ${errorMessage(err)}`, { cause: err });
      }
    }
  }

  const jsonl = defineComponent({
    kind: 'sink',
    type: 'jsonl',
    summary: 'Appends each event as one JSON line ({"headers":…,"body":…}) to a file.',
    properties: {
      path: prop.string({ required: true, doc: 'The file to append to.' }),
      batchSize: prop.int({ default: 100, min: 1, doc: 'Events per transaction.' }),
    },
    batchSize: (c) => c.batchSize,
    create: (c, ctx) => new JsonLinesSink(ctx.name, ctx.channel, ctx.logger, c.path, c.batchSize),
  });

  return [uppercase, jsonl];
}
