/**
 * Flume's MultiportSyslogTCPSource (`multiport_syslogtcp`): newline-separated syslog messages on several TCP (or TLS)
 * ports, parsed by Flume's SyslogParser rules (see syslog/syslog-parser.ts), decoded with a charset per port.
 *
 * Lines as Flume's LineSplitter cuts them: at most eventSize bytes, the newline counted; a longer line is cut there
 * and flagged Incomplete, the rest starts the next line. A line that is not valid in the port's charset is an Invalid
 * event holding the raw bytes; a line the parser rejects is an Invalid event holding the line.
 *
 * Better than Flume: a line Flume's parser crashes on (an empty line, an RFC 5424 date Joda rejects such as
 * 2026-02-29, a fraction without a time zone) loses Flume's whole batch and the rest of the read buffer; here an
 * empty line is skipped and the others are Invalid events.
 * A NUL byte ends the message in Flume (Mina's getString); here it is kept. Batches the channel refuses are retried
 * with the connection paused (Flume drops them). A message cut by the client closing the connection is delivered.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import { TextDecoder } from 'node:util';
import { defineComponent, prop } from '../../config/spec.js';
import type { ChannelProcessor, EventDrivenSource } from '../../core/source.js';
import type { Event } from '../../core/event.js';
import type { Logger } from '../../core/logging.js';
import { sourceCounter, type CounterGroup } from '../../monitoring/counters.js';
import { sourceSsl, sourceSslProps } from '../rpc/props.js';
import { globalSsl, serverSecureOptions, storeProblem } from '../rpc/tls.js';
import { clientHeaders, clientProps, Deliverer, keepFieldsProp, TcpListener, type ConnectionHandler } from './syslog/common.js';
import { chooseFieldsToKeep, type KeepFields } from './syslog/keep-fields.js';
import { parseMessage } from './syslog/syslog-parser.js';
import { EVENT_STATUS } from './syslog/syslog-utils.js';
import { javaCopyCapacity, setJavaMapCapacity } from '../shared/java-hashmap.js';

/** The charsets Node can both decode strictly and encode. */
interface Charset {
  name: string;
  utf8?: boolean;
  decode(b: Buffer): string | undefined;
  encode(s: string): Buffer;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function charsetFor(name: string): Charset | undefined {
  const n = name.trim().toUpperCase().replace(/_/g, '-');
  if (n === 'UTF-8' || n === 'UTF8') {
    return {
      name,
      utf8: true,
      decode: (b) => {
        try {
          return utf8Strict.decode(b);
        } catch {
          return undefined;
        }
      },
      encode: (s) => Buffer.from(s, 'utf8'),
    };
  }
  if (['ISO-8859-1', 'ISO8859-1', 'LATIN1', 'ISO-LATIN-1', 'L1', '8859-1', 'ISO8859-1'].includes(n)) {
    return { name, decode: (b) => b.toString('latin1'), encode: (s) => Buffer.from(s, 'latin1') };
  }
  if (['US-ASCII', 'ASCII', 'ISO646-US', 'ASCII7'].includes(n)) {
    return {
      name,
      decode: (b) => (b.some((x) => x > 0x7f) ? undefined : b.toString('latin1')),
      encode: (s) => Buffer.from(s.replace(/[^\x00-\x7f]/g, '?'), 'latin1'),
    };
  }
  return undefined;
}

export interface MultiportOptions {
  host?: string;
  ports: number[];
  eventSize: number;
  batchSize: number;
  keepFields: KeepFields | undefined;
  portHeader?: string;
  clientIPHeader?: string;
  clientHostnameHeader?: string;
  defaultCharset: Charset;
  portCharsets: Map<number, Charset>;
  tls?: tls.SecureContextOptions;
}

export class MultiportSyslogTcpSource implements EventDrivenSource {
  readonly mode = 'eventDriven';
  readonly counter: CounterGroup;
  private readonly listeners: TcpListener[];
  private readonly deliverer: Deliverer;
  private readonly label: string;

  constructor(
    readonly name: string,
    private readonly o: MultiportOptions,
    processor: ChannelProcessor,
    private readonly logger: Logger,
  ) {
    this.counter = sourceCounter(name);
    this.label = `Multiport Syslog TCP source ${name}`;
    this.deliverer = new Deliverer(this.label, processor, this.counter, logger, true);
    this.listeners = o.ports.map(
      (port) =>
        new TcpListener({
          host: o.host,
          port,
          tls: o.tls,
          logger,
          label: this.label,
          counter: this.counter,
          handler: (s) => this.connection(s, port),
        }),
    );
  }

  /** The ports actually bound (useful with port 0). */
  get boundPorts(): (number | undefined)[] {
    return this.listeners.map((l) => l.port);
  }

  async start(): Promise<void> {
    this.counter.start();
    // Flume logs a port it cannot bind and serves the others
    for (const l of this.listeners) {
      try {
        await l.start();
      } catch (err) {
        this.logger.error({ err: (err as Error).message }, `${this.label}: could not bind to a port`);
      }
    }
  }

  async stop(): Promise<void> {
    this.deliverer.stop();
    await Promise.all(this.listeners.map((l) => l.stop()));
    this.counter.stop();
    this.logger.info({ metrics: this.counter.snapshot() }, `${this.label} stopped`);
  }

  private toEvent(line: Buffer, incomplete: boolean, charset: Charset): Event | undefined {
    if (line.length === 0) return undefined; // Flume crashes on an empty line and loses its batch
    const msg = charset.decode(line);
    if (msg === undefined) {
      this.logger.info({ charset: charset.name }, `${this.label}: error decoding line with charset ${charset.name}; keeping the raw bytes`);
      this.counter.increment('EventReadFail');
      return { headers: { [EVENT_STATUS]: 'Invalid' }, body: Buffer.from(line) };
    }
    try {
      const p = parseMessage(msg, this.o.keepFields);
      const headers = setJavaMapCapacity(p.headers, javaCopyCapacity(p.headers.Version ? 6 : 5));
      if (incomplete) headers[EVENT_STATUS] = 'Incomplete';
      // UTF-8 round-trips: the body is the received bytes from its start
      const body =
        charset.utf8 && p.bodyStart !== undefined
          ? line.subarray(Buffer.byteLength(msg.slice(0, p.bodyStart), 'utf8'))
          : charset.encode(p.body);
      return { headers, body };
    } catch (err) {
      this.logger.debug({ err: (err as Error).message }, `${this.label}: error parsing syslog event`);
      this.counter.increment('EventReadFail');
      return { headers: { [EVENT_STATUS]: 'Invalid' }, body: charset.encode(msg) };
    }
  }

  private connection(socket: net.Socket, port: number): ConnectionHandler {
    const local = socket.localPort ?? port;
    const charset = this.o.portCharsets.get(local) ?? this.o.defaultCharset;
    const max = this.o.eventSize;
    let saved: Buffer | undefined;
    let extra: Promise<[string, string][]> | undefined;
    const o = this.o;
    const headers = () => (extra ??= clientHeaders(socket.remoteAddress, socket.remotePort, o.clientIPHeader, o.clientHostnameHeader));
    const portStr = String(local);
    let batch: Event[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const events = batch;
      batch = [];
      const add = await headers();
      for (const e of events) {
        if (this.o.portHeader !== undefined) e.headers[this.o.portHeader] = portStr;
        for (const [k, v] of add) e.headers[k] = v;
      }
      await this.deliverer.deliver(events);
    };
    const push = async (line: Buffer, incomplete: boolean) => {
      if (incomplete) {
        const msg = `${this.label}: event size larger than specified event size: ${max}. Consider increasing the max event size.`;
        this.logger.warn({ eventSize: max }, msg);
      }
      const e = this.toEvent(line, incomplete, charset);
      if (e) batch.push(e);
      if (batch.length >= Math.min(this.o.batchSize, this.deliverer.maxBatch)) await flush();
    };
    return {
      data: async (chunk) => {
        let pos = 0;
        while (pos < chunk.length) {
          const room = max - (saved?.length ?? 0);
          const end = Math.min(chunk.length, pos + room);
          const nl = chunk.indexOf(0x0a, pos);
          if (nl >= 0 && nl < end) {
            const part = chunk.subarray(pos, nl);
            await push(saved ? Buffer.concat([saved, part]) : part, false);
            saved = undefined;
            pos = nl + 1;
          } else if (end - pos === room) {
            const part = chunk.subarray(pos, end);
            await push(saved ? Buffer.concat([saved, part]) : part, true);
            saved = undefined;
            pos = end;
          } else {
            saved = saved ? Buffer.concat([saved, chunk.subarray(pos)]) : Buffer.from(chunk.subarray(pos));
            pos = chunk.length;
          }
        }
        await flush();
      },
      end: async () => {
        if (saved && saved.length > 0) {
          this.logger.debug(`${this.label}: connection closed in the middle of a message; delivering what was received`);
          await push(saved, false);
          saved = undefined;
        }
        await flush();
      },
    };
  }
}

function parsePorts(v: string): number[] {
  return v
    .trim()
    .split(/\s+/)
    .filter((s) => s.length > 0)
    .map((s) => Number(s));
}

export const multiportSyslogTcpSource = defineComponent({
  kind: 'source',
  type: 'multiport_syslogtcp',
  fqcn: 'org.apache.flume.source.MultiportSyslogTCPSource',
  summary: 'Syslog messages (RFC 3164 / RFC 5424), one per line, on several TCP or TLS ports, with a charset per port.',
  notes:
    "Headers and body as Flume's SyslogParser for the same bytes (Priority, Facility, Severity, Version, timestamp, host, " +
    'flume.syslog.status), including its RFC 3164 year arithmetic (dates more than a month away get year 1999 or 2001). ' +
    'Better than Flume: lines its parser crashes on no longer lose the batch (empty lines skipped; an impossible ' +
    'RFC 5424 date or a fraction without a time zone is an Invalid event), a NUL byte does not cut the message, ' +
    'refused batches are retried with the connection ' +
    'paused, a batch never exceeds the channel transactionCapacity. readBufferBytes and numProcessors are accepted and ' +
    'have no effect (Node reads up to 64 KiB at a time on one thread). Charsets: UTF-8, ISO-8859-1, US-ASCII. See docs/syslog.md.',
  properties: {
    host: prop.string({ doc: 'Host name or IP address to listen on (all addresses when unset).' }),
    ports: prop.string({
      required: true,
      doc: 'Space-separated list of TCP ports.',
      check: (v) =>
        parsePorts(v).some((p) => !Number.isInteger(p) || p < 0 || p > 65535)
          ? `ports "${v}" must be space-separated port numbers (0-65535)`
          : undefined,
    }),
    eventSize: prop.int({
      default: 2500,
      min: 1,
      doc: 'Maximum bytes of one line, newline included; a longer line is cut and flagged Incomplete.',
    }),
    keepFields: keepFieldsProp,
    portHeader: prop.string({ doc: 'Header that receives the local port the message arrived on.' }),
    ...clientProps,
    'charset.default': prop.string({
      default: 'UTF-8',
      doc: 'Charset of the messages (UTF-8, ISO-8859-1 or US-ASCII).',
      check: (v) => (charsetFor(v) ? undefined : `unsupported charset "${v}" (supported: UTF-8, ISO-8859-1, US-ASCII)`),
    }),
    batchSize: prop.int({ default: 100, min: 1, doc: 'Most events per channel transaction.' }),
    readBufferBytes: prop.int({
      default: 1024,
      aliases: ['readBufferSize'],
      doc: "Mina read buffer size (the key Flume's code reads; the guide says readBufferSize). Accepted, no effect.",
    }),
    numProcessors: prop.int({ doc: 'Mina I/O processors. Accepted, no effect (one Node thread).' }),
    ...sourceSslProps,
  },
  prefixes: { 'charset.port.': 'Charset of one port: charset.port.<port> = UTF-8, ISO-8859-1 or US-ASCII.' },
  batchSize: (c) => c.batchSize,
  check: (c, raw) => {
    const out: { prop: string; message: string }[] = [];
    for (const [k, v] of Object.entries(raw)) {
      if (!k.startsWith('charset.port.')) continue;
      if (!/^[+-]?\d+$/.test(k.slice('charset.port.'.length))) out.push({ prop: k, message: `invalid port number in ${k}` });
      else if (!charsetFor(v)) out.push({ prop: k, message: `unsupported charset "${v}" (supported: UTF-8, ISO-8859-1, US-ASCII)` });
    }
    if (c.ssl && !c.keystore && !globalSsl('keystore').path) {
      out.push({ prop: 'ssl', message: 'keystore must be specified when SSL is enabled' });
    }
    const ks = c.ssl ? storeProblem(c.keystore, c['keystore-type'], 'keystore') : undefined;
    if (ks) out.push({ prop: 'keystore', message: ks });
    return out;
  },
  create: (c, ctx) => {
    const ssl = sourceSsl(c, ctx.raw);
    const portCharsets = new Map<number, Charset>();
    for (const [k, v] of Object.entries(ctx.raw)) {
      if (k.startsWith('charset.port.')) portCharsets.set(Number(k.slice('charset.port.'.length)), charsetFor(v)!);
    }
    return new MultiportSyslogTcpSource(
      ctx.name,
      {
        host: c.host,
        ports: parsePorts(c.ports),
        eventSize: c.eventSize,
        batchSize: c.batchSize,
        keepFields: chooseFieldsToKeep(c.keepFields),
        portHeader: c.portHeader,
        clientIPHeader: c.clientIPHeader,
        clientHostnameHeader: c.clientHostnameHeader,
        defaultCharset: charsetFor(c['charset.default'])!,
        portCharsets,
        tls: ssl.ssl ? serverSecureOptions(ssl, `Multiport Syslog TCP source ${ctx.name}`) : undefined,
      },
      ctx.processor,
      ctx.logger,
    );
  },
});
