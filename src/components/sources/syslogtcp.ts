/**
 * Flume's SyslogTcpSource (`syslogtcp`): newline-separated syslog messages over TCP (or TLS), parsed by Flume's
 * SyslogUtils rules (see syslog/syslog-utils.ts), one parser per connection.
 *
 * Better than Flume: an event the channel refuses is retried with the connection paused (Flume logs and drops it);
 * a message cut short by the client closing the connection is still delivered (Flume drops it); events read together
 * are committed as one batch (up to the channel's transactionCapacity) instead of one transaction each.
 */
import type net from 'node:net';
import { defineComponent, prop } from '../../config/spec.js';
import type { ChannelProcessor, EventDrivenSource } from '../../core/source.js';
import type { Event } from '../../core/event.js';
import type { Logger } from '../../core/logging.js';
import { sourceCounter, type CounterGroup } from '../../monitoring/counters.js';
import { sourceSsl, sourceSslProps } from '../rpc/props.js';
import { globalSsl, serverSecureOptions, storeProblem } from '../rpc/tls.js';
import type tls from 'node:tls';
import {
  BadEventLog,
  clientHeaders,
  clientProps,
  Deliverer,
  keepFieldsProp,
  TcpListener,
  type ConnectionHandler,
} from './syslog/common.js';
import { chooseFieldsToKeep, type KeepFields } from './syslog/keep-fields.js';
import { customFormatter, EVENT_STATUS, SyslogUtils, type CustomFormat } from './syslog/syslog-utils.js';
import { javaRegexProblem } from '../interceptors/java-regex.js';
import { compileDateFormat } from './syslog/java-date-format.js';

export interface SyslogTcpOptions {
  host: string;
  port: number;
  eventSize: number;
  keepFields: KeepFields | undefined;
  format: CustomFormat;
  clientIPHeader?: string;
  clientHostnameHeader?: string;
  tls?: tls.SecureContextOptions;
}

export class SyslogTcpSource implements EventDrivenSource {
  readonly mode = 'eventDriven';
  readonly counter: CounterGroup;
  private readonly listener: TcpListener;
  private readonly deliverer: Deliverer;
  private readonly bad: BadEventLog;

  constructor(
    readonly name: string,
    private readonly o: SyslogTcpOptions,
    processor: ChannelProcessor,
    private readonly logger: Logger,
  ) {
    this.counter = sourceCounter(name);
    const label = `Syslog TCP source ${name}`;
    this.deliverer = new Deliverer(label, processor, this.counter, logger, true);
    this.bad = new BadEventLog(label, logger, this.counter, o.eventSize);
    this.listener = new TcpListener({
      host: o.host,
      port: o.port,
      tls: o.tls,
      logger,
      label,
      counter: this.counter,
      handler: (s) => this.connection(s),
    });
  }

  get boundPort(): number | undefined {
    return this.listener.port;
  }

  async start(): Promise<void> {
    this.counter.start();
    await this.listener.start();
  }

  async stop(): Promise<void> {
    this.deliverer.stop();
    await this.listener.stop();
    this.counter.stop();
    this.logger.info({ metrics: this.counter.snapshot() }, `Syslog TCP source ${this.name} stopped`);
  }

  private connection(socket: net.Socket): ConnectionHandler {
    const utils = new SyslogUtils({ eventSize: this.o.eventSize, keepFields: this.o.keepFields, custom: customFormatter(this.o.format) });
    let extra: Promise<[string, string][]> | undefined;
    const o = this.o;
    const headers = () => (extra ??= clientHeaders(socket.remoteAddress, socket.remotePort, o.clientIPHeader, o.clientHostnameHeader));
    const send = async (events: Event[]) => {
      if (events.length === 0) return;
      const add = await headers();
      if (add.length > 0) for (const e of events) for (const [k, v] of add) e.headers[k] = v;
      await this.deliverer.deliver(events);
    };
    return {
      data: async (chunk) => {
        const max = this.deliverer.maxBatch;
        let batch: Event[] = [];
        for (let pos = 0; pos < chunk.length; ) {
          const r = utils.extract(chunk, pos);
          pos = r.pos;
          if (!r.event) continue;
          this.bad.note(r.event.headers[EVENT_STATUS]);
          batch.push(r.event);
          if (batch.length >= max) {
            await send(batch);
            batch = [];
          }
        }
        await send(batch);
      },
      end: async () => {
        const last = utils.flush();
        if (last) {
          this.logger.debug('connection closed in the middle of a message; delivering what was received');
          await send([last]);
        }
      },
    };
  }
}

export const formatPrefix = {
  'format.':
    'A custom format tried before RFC 5424 and RFC 3164 (Flume code only): format.regex, format.search, format.replace, ' +
    'format.dateFormat.',
};

export function formatOf(raw: Readonly<Record<string, string>>): CustomFormat {
  return { regex: raw['format.regex'], search: raw['format.search'], replace: raw['format.replace'], dateFormat: raw['format.dateFormat'] };
}

export function formatProblems(raw: Readonly<Record<string, string>>): { prop: string; message: string }[] {
  const out: { prop: string; message: string }[] = [];
  for (const k of ['format.regex', 'format.search'] as const) {
    const p = raw[k] !== undefined ? javaRegexProblem(raw[k]) : undefined;
    if (p) out.push({ prop: k, message: p });
  }
  if (raw['format.dateFormat'] !== undefined) {
    try {
      compileDateFormat(raw['format.dateFormat']);
    } catch (err) {
      out.push({ prop: 'format.dateFormat', message: (err as Error).message });
    }
  }
  return out;
}

const SYSLOG_NOTES =
  "Headers and body as Flume's SyslogUtils for the same bytes (Facility, Severity, priority, version, timestamp, host, " +
  'flume.syslog.status), with its quirks: priority and version carried over to later messages, lenient dates, ' +
  'RFC 5424 fractions read as milliseconds and the offset ignored when a fraction is present, header order as Java prints it. ' +
  'Better than Flume: the body keeps the received bytes (Flume replaces bytes that are not UTF-8 with U+FFFD); ' +
  'see docs/syslog.md.';

export const syslogTcpSource = defineComponent({
  kind: 'source',
  type: 'syslogtcp',
  fqcn: 'org.apache.flume.source.SyslogTcpSource',
  summary: 'Syslog messages (RFC 3164 / RFC 5424), one per line, over TCP or TLS.',
  notes:
    `${SYSLOG_NOTES} An event the channel refuses is retried with the connection paused (Flume drops it); a message ` +
    'cut off by the client closing the connection is delivered (Flume drops it); messages read together are committed in ' +
    'one transaction. Key stores must be PKCS12 or PEM (Node cannot read JKS).',
  properties: {
    host: prop.string({ required: true, doc: 'Host name or IP address to listen on (Flume fails to bind without it).' }),
    port: prop.int({ required: true, min: 0, max: 65535, doc: 'TCP port to listen on.' }),
    eventSize: prop.int({
      default: 2500,
      doc:
        'Maximum bytes of one message, `<pri>` included; a longer one is cut and flagged Incomplete (a size smaller than `<pri>` ' +
        'never cuts, as in Flume).',
    }),
    keepFields: keepFieldsProp,
    ...clientProps,
    ...sourceSslProps,
  },
  prefixes: formatPrefix,
  check: (c, raw) => {
    const out: { prop: string; message: string }[] = formatProblems(raw);
    if (c.ssl && !c.keystore && !globalSsl('keystore').path) {
      out.push({ prop: 'ssl', message: 'keystore must be specified when SSL is enabled' });
    }
    const ks = c.ssl ? storeProblem(c.keystore, c['keystore-type'], 'keystore') : undefined;
    if (ks) out.push({ prop: 'keystore', message: ks });
    return out;
  },
  create: (c, ctx) => {
    const ssl = sourceSsl(c, ctx.raw);
    return new SyslogTcpSource(
      ctx.name,
      {
        host: c.host,
        port: c.port,
        eventSize: c.eventSize,
        keepFields: chooseFieldsToKeep(c.keepFields),
        format: formatOf(ctx.raw),
        clientIPHeader: c.clientIPHeader,
        clientHostnameHeader: c.clientHostnameHeader,
        tls: ssl.ssl ? serverSecureOptions(ssl, `Syslog TCP source ${ctx.name}`) : undefined,
      },
      ctx.processor,
      ctx.logger,
    );
  },
});
