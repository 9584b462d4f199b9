/**
 * Flume's SyslogUDPSource (`syslogudp`): one syslog message per datagram, parsed by Flume's SyslogUtils rules (see
 * syslog/syslog-utils.ts) with one parser for the whole source, as in Flume (so priority and version carry over
 * between senders too).
 *
 * Better than Flume: the whole datagram is read (Flume's Netty reads at most 2048 bytes and silently cuts the rest);
 * every line of a datagram becomes an event (Flume keeps the first line and drops the rest); an event the channel
 * refuses is retried (Flume drops it) while at most `QUEUE_LIMIT` events wait, beyond which datagrams are dropped with
 * an error (UDP has no way to slow the sender).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { defineComponent, prop } from '../../config/spec.js';
import type { ChannelProcessor, EventDrivenSource } from '../../core/source.js';
import type { Event } from '../../core/event.js';
import type { Logger } from '../../core/logging.js';
import { errorMessage } from '../../core/errors.js';
import { sourceCounter, type CounterGroup } from '../../monitoring/counters.js';
import { BadEventLog, clientHeaders, clientProps, Deliverer, keepFieldsProp, SyslogSourceError } from './syslog/common.js';
import { chooseFieldsToKeep, type KeepFields } from './syslog/keep-fields.js';
import { customFormatter, EVENT_STATUS, SyslogUtils, type CustomFormat } from './syslog/syslog-utils.js';
import { formatOf, formatPrefix, formatProblems } from './syslogtcp.js';

/** Flume's maximum (RFC 5426): a message is never cut below this. */
const MAX_SIZE = 1 << 16;
const QUEUE_LIMIT = 100_000;

export interface SyslogUdpOptions {
  host?: string;
  port: number;
  keepFields: KeepFields | undefined;
  format: CustomFormat;
  clientIPHeader?: string;
  clientHostnameHeader?: string;
}

interface Pending {
  events: Event[];
  extra: Promise<[string, string][]> | undefined;
}

export class SyslogUdpSource implements EventDrivenSource {
  readonly mode = 'eventDriven';
  readonly counter: CounterGroup;
  private socket?: dgram.Socket;
  private readonly utils: SyslogUtils;
  private readonly deliverer: Deliverer;
  private readonly queue: Pending[] = [];
  private queued = 0;
  private draining?: Promise<void>;
  private dropped = 0;
  private readonly bad: BadEventLog;

  constructor(
    readonly name: string,
    private readonly o: SyslogUdpOptions,
    processor: ChannelProcessor,
    private readonly logger: Logger,
  ) {
    this.counter = sourceCounter(name);
    this.utils = new SyslogUtils({ eventSize: MAX_SIZE, keepFields: o.keepFields, custom: customFormatter(o.format) });
    this.deliverer = new Deliverer(`Syslog UDP source ${name}`, processor, this.counter, logger);
    this.bad = new BadEventLog(`Syslog UDP source ${name}`, logger, this.counter, MAX_SIZE);
  }

  get boundPort(): number | undefined {
    return this.socket?.address().port;
  }

  start(): Promise<void> {
    this.counter.start();
    return new Promise((resolve, reject) => {
      const type = this.o.host && net.isIPv4(this.o.host) ? 'udp4' : this.o.host ? 'udp6' : 'udp4';
      const s = dgram.createSocket({ type, reuseAddr: true });
      const where = `${this.o.host ?? '*'}:${this.o.port}`;
      s.once('error', (err) => reject(new SyslogSourceError(`Syslog UDP source ${this.name}: cannot bind ${where}: ${errorMessage(err)}`)));
      s.on('message', (msg, rinfo) => this.datagram(msg, rinfo));
      s.bind(this.o.port, this.o.host, () => {
        s.removeAllListeners('error');
        s.on('error', (err) => this.logger.error({ err: errorMessage(err) }, `Syslog UDP source ${this.name}: socket error`));
        this.socket = s;
        this.logger.info({ host: this.o.host, port: this.boundPort }, `Syslog UDP source ${this.name} listening`);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
    this.deliverer.stop();
    await this.draining;
    this.counter.stop();
    this.logger.info({ metrics: this.counter.snapshot() }, `Syslog UDP source ${this.name} stopped`);
  }

  private datagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const events: Event[] = [];
    for (let pos = 0; pos < msg.length; ) {
      const r = this.utils.extract(msg, pos);
      pos = r.pos;
      if (r.event) events.push(r.event);
    }
    const last = this.utils.flush();
    if (last) events.push(last);
    if (events.length === 0) return;
    for (const e of events) this.bad.note(e.headers[EVENT_STATUS]);
    if (this.queued >= QUEUE_LIMIT) {
      if (this.dropped++ % 1000 === 0) {
        const msg = `Syslog UDP source ${this.name}: the channel is not taking events; datagrams dropped`;
        this.logger.error({ dropped: this.dropped, waiting: this.queued }, msg);
      }
      this.counter.add('ChannelWriteFail', 1);
      return;
    }
    const extra =
      this.o.clientIPHeader !== undefined || this.o.clientHostnameHeader !== undefined
        ? clientHeaders(rinfo.address, rinfo.port, this.o.clientIPHeader, this.o.clientHostnameHeader)
        : undefined;
    this.queue.push({ events, extra });
    this.queued += events.length;
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const max = this.deliverer.maxBatch;
      const batch: Event[] = [];
      while (this.queue.length > 0 && batch.length + this.queue[0]!.events.length <= max) {
        const p = this.queue.shift()!;
        const add = p.extra ? await p.extra : [];
        for (const e of p.events) {
          for (const [k, v] of add) e.headers[k] = v;
          batch.push(e);
        }
      }
      if (batch.length === 0) {
        // a datagram with more lines than a transaction holds
        const p = this.queue.shift()!;
        const add = p.extra ? await p.extra : [];
        for (const e of p.events) for (const [k, v] of add) e.headers[k] = v;
        for (let i = 0; i < p.events.length; i += max) await this.send(p.events.slice(i, i + max));
        continue;
      }
      await this.send(batch);
    }
  }

  private async send(batch: Event[]): Promise<void> {
    const ok = await this.deliverer.deliver(batch);
    this.queued -= batch.length;
    if (!ok) {
      this.queue.length = 0;
      this.queued = 0;
    }
  }
}

export const syslogUdpSource = defineComponent({
  kind: 'source',
  type: 'syslogudp',
  fqcn: 'org.apache.flume.source.SyslogUDPSource',
  summary: 'Syslog messages (RFC 3164 / RFC 5424), one per UDP datagram.',
  notes:
    "Headers and body as Flume's SyslogUtils for the same bytes (see syslogtcp), one parser for the whole source as in Flume. " +
    'Better than Flume: datagrams are read whole (Flume cuts them at 2048 bytes), every line of a datagram is an event ' +
    '(Flume keeps the first), the body keeps the received bytes, and an event the channel refuses is retried (up to ' +
    `${QUEUE_LIMIT} waiting events) instead of dropped. See docs/syslog.md.`,
  properties: {
    host: prop.string({ doc: "Host name or IP address to listen on (all IPv4 addresses when unset, as Flume's code allows)." }),
    port: prop.int({ required: true, min: 0, max: 65535, doc: 'UDP port to listen on.' }),
    keepFields: keepFieldsProp,
    ...clientProps,
  },
  prefixes: formatPrefix,
  check: (_c, raw) => formatProblems(raw),
  create: (c, ctx) =>
    new SyslogUdpSource(
      ctx.name,
      {
        host: c.host,
        port: c.port,
        keepFields: chooseFieldsToKeep(c.keepFields),
        format: formatOf(ctx.raw),
        clientIPHeader: c.clientIPHeader,
        clientHostnameHeader: c.clientHostnameHeader,
      },
      ctx.processor,
      ctx.logger,
    ),
});
