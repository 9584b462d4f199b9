import { defineComponent, prop } from '../../config/spec.js';
import { BatchingSink } from '../../core/abstract-sink.js';
import type { Event } from '../../core/event.js';
import { javaMapToString } from '../shared/java-hashmap.js';

const HEX = '0123456789ABCDEF';

/**
 * commons-io HexDump.dump(data, 0, out, 0) as EventHelper uses it: per 16-byte row an 8-digit offset, 16 two-digit
 * uppercase hex columns (blank-padded), the printable-ASCII column, "\n".
 */
function hexDump(data: Buffer): string {
  let s = '';
  for (let j = 0; j < data.length; j += 16) {
    const n = Math.min(16, data.length - j);
    s += j.toString(16).toUpperCase().padStart(8, '0') + ' ';
    for (let k = 0; k < 16; k++) {
      if (k < n) {
        const b = data[j + k]!;
        s += HEX[b >> 4]! + HEX[b & 15]! + ' ';
      } else {
        s += '   ';
      }
    }
    for (let k = 0; k < n; k++) {
      const b = data[j + k]!;
      s += b >= 32 && b < 127 ? String.fromCharCode(b) : '.';
    }
    s += '\n';
  }
  return s;
}

/** Flume's EventHelper.dumpEvent(event, maxBytes): `{ headers:{k=v} body: <hexdump> }`. */
export function dumpEvent(event: Event, maxBytes = 16): string {
  let body = '';
  if (event.body.length > 0) {
    const data = event.body.subarray(0, Math.min(event.body.length, maxBytes));
    if (data.length === 0) {
      // HexDump.dump throws on an empty array; EventHelper prints the exception message.
      body = `...Exception while dumping: illegal index: 0 into array of length 0`;
    } else {
      body = hexDump(data);
      if (body.startsWith('00000000')) body = body.slice(8);
      if (body.endsWith('\n') && body.length > 1) body = body.slice(0, -1);
    }
  }
  return `{ headers:${javaMapToString(event.headers)} body:${body} }`;
}

class LoggerSink extends BatchingSink {
  constructor(
    name: string,
    channel: ConstructorParameters<typeof BatchingSink>[1],
    logger: ConstructorParameters<typeof BatchingSink>[2],
    private readonly maxBytes: number,
  ) {
    super(name, channel, logger, 1);
  }

  protected deliver(events: Event[]): void {
    if (!this.logger.isLevelEnabled('info')) return;
    for (const e of events) this.logger.info(`Event: ${dumpEvent(e, this.maxBytes)}`);
  }
}

export const loggerSink = defineComponent({
  kind: 'sink',
  type: 'logger',
  fqcn: 'org.apache.flume.sink.LoggerSink',
  summary: 'Logs each event at INFO as Flume does: headers and a hex dump of the first maxBytesToLog body bytes.',
  notes:
    "One event per transaction, as Flume's LoggerSink. The message is byte-for-byte Flume's EventHelper.dumpEvent (headers in Java HashMap order). A negative maxBytesToLog is a configuration error (Flume fails every event with it).",
  properties: {
    maxBytesToLog: prop.int({ default: 16, min: 0, doc: 'Body bytes shown in the hex dump.' }),
  },
  batchSize: () => 1,
  create: (c, ctx) => new LoggerSink(ctx.name, ctx.channel, ctx.logger, c.maxBytesToLog),
});
