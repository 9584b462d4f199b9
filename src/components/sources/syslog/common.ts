/**
 * What the three syslog sources share: the client address headers as Java prints them, delivery to the channels with
 * retries (Flume drops an event the channel refuses; here the connection is paused and the batch retried), the TCP
 * listener (plain or TLS) with one handler per connection, and the property declarations.
 */
import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import { prop } from '../../../config/spec.js';
import type { Event } from '../../../core/event.js';
import type { ChannelProcessor } from '../../../core/source.js';
import type { Logger } from '../../../core/logging.js';
import { ChannelError, errorMessage, FlumeError } from '../../../core/errors.js';
import type { CounterGroup } from '../../../monitoring/counters.js';

export class SyslogSourceError extends FlumeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('FLUME_SYSLOG_SOURCE', message, options);
  }
}

/** Java's InetAddress.getHostAddress(): IPv4-mapped addresses as IPv4, IPv6 in full lower-case groups ("0:0:0:0:0:0:0:1"). */
export function javaHostAddress(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!net.isIPv6(ip)) return ip;
  const [addr, scope] = ip.split('%');
  const [head, tail] = addr!.includes('::') ? addr!.split('::') : [addr!, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = groups.map((g) => parseInt(g, 16).toString(16)).join(':');
  return scope ? `${out}%${scope}` : out;
}

const hostCache = new Map<string, { name: Promise<string>; until: number }>();

/** Java's InetSocketAddress.getHostName(): the reverse-resolved name (hosts file, DNS), or the address. Cached 30 s as Java does. */
export function javaHostName(ip: string, port: number): Promise<string> {
  const now = Date.now();
  const hit = hostCache.get(ip);
  if (hit && hit.until > now) return hit.name;
  const fallback = javaHostAddress(ip);
  const name = dns.promises
    .lookupService(ip, port > 0 ? port : 1)
    .then((r) => r.hostname || fallback)
    .catch(() => fallback);
  if (hostCache.size > 1024) hostCache.clear();
  hostCache.set(ip, { name, until: now + 30_000 });
  return name;
}

/** Delivers batches in order; a batch the channel refuses is retried (with backoff) until accepted or the source stops. */
export class Deliverer {
  private stopping = false;
  private failures = 0;
  constructor(
    private readonly what: string,
    private readonly processor: ChannelProcessor,
    private readonly counter: CounterGroup,
    private readonly logger: Logger,
    /** The input is flow-controlled (TCP): ask the channels before each batch (ChannelProcessor.pace); never for UDP. */
    private readonly paced = false,
  ) {}

  stop(): void {
    this.stopping = true;
  }

  get maxBatch(): number {
    return Math.max(1, this.processor.maxBatchSize);
  }

  /** Resolves once committed; false when the source stopped first (the events were not committed). */
  async deliver(events: Event[]): Promise<boolean> {
    if (events.length === 0) return true;
    if (this.paced) {
      const wait = this.processor.pace?.();
      if (wait) await wait;
    }
    this.counter.add('EventReceivedCount', events.length);
    for (let attempt = 0; ; attempt++) {
      try {
        if (events.length === 1) await this.processor.processEvent(events[0]!);
        else await this.processor.processEventBatch(events);
        this.counter.add('EventAcceptedCount', events.length);
        if (attempt > 0) {
          const msg = `${this.what}: the channel accepted the events after retrying`;
          this.logger.info({ events: events.length, attempts: attempt + 1 }, msg);
        }
        return true;
      } catch (err) {
        this.counter.increment('ChannelWriteFail');
        if (!(err instanceof ChannelError)) {
          this.logger.error({ err: errorMessage(err), events: events.length }, `${this.what}: error processing events, events dropped`);
          return true;
        }
        if (this.stopping) {
          this.logger.warn({ events: events.length }, `${this.what}: stopping while the channel refuses events; they were not committed`);
          return false;
        }
        if (this.failures++ % 50 === 0) {
          const msg = `${this.what}: the channel refused events; pausing the input and retrying`;
          this.logger.warn({ err: errorMessage(err), events: events.length }, msg);
        }
        await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** Math.min(attempt, 6))));
      }
    }
  }
}

export interface ConnectionHandler {
  /** Handles one chunk; the socket is paused until it resolves. */
  data(chunk: Buffer): Promise<void>;
  /** The peer closed its side (or the connection broke). */
  end(): Promise<void>;
}

export interface TcpListenOptions {
  host?: string;
  port: number;
  tls?: tls.SecureContextOptions;
  logger: Logger;
  label: string;
  counter: CounterGroup;
  handler: (socket: net.Socket) => ConnectionHandler;
}

/** A TCP (or TLS) listener; every connection is read chunk by chunk, paused while its handler works. */
export class TcpListener {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  constructor(private readonly o: TcpListenOptions) {}

  get port(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  start(): Promise<void> {
    const onConn = (s: net.Socket) => this.serve(s);
    const server = this.o.tls
      ? tls.createServer({ ...this.o.tls, allowHalfOpen: true }, onConn)
      : net.createServer({ allowHalfOpen: true }, onConn);
    if (this.o.tls) {
      server.on('tlsClientError', (err) => this.o.logger.warn({ err: errorMessage(err) }, `${this.o.label}: TLS handshake failed`));
    }
    return new Promise((resolve, reject) => {
      const where = `${this.o.host ?? '*'}:${this.o.port}`;
      server.once('error', (err) =>
        reject(new SyslogSourceError(`${this.o.label}: cannot listen on ${where}: ${errorMessage(err)}`, { cause: err })),
      );
      server.listen({ host: this.o.host, port: this.o.port }, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.o.logger.error({ err: errorMessage(err) }, `${this.o.label}: server error`));
        this.server = server;
        this.o.logger.info({ host: this.o.host, port: this.port, tls: !!this.o.tls }, `${this.o.label} listening`);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    await new Promise<void>((r) => {
      s.close(() => r());
      for (const c of this.sockets) c.destroy();
    });
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    this.o.counter.set('OpenConnectionCount', this.sockets.size);
    const h = this.o.handler(socket);
    const queue: Buffer[] = [];
    let busy = false;
    let ended = false; // the peer finished sending (FIN) or the connection closed
    let finished = false;
    const pump = async () => {
      if (busy) return;
      busy = true;
      socket.pause();
      try {
        while (queue.length > 0) await h.data(queue.shift()!);
        if (ended && !finished) {
          finished = true;
          await h.end();
          if (!socket.destroyed) socket.end();
        }
      } catch (err) {
        this.o.logger.error({ err: errorMessage(err) }, `${this.o.label}: connection handler failed; closing the connection`);
        socket.destroy();
      } finally {
        busy = false;
        if (!socket.destroyed) socket.resume();
      }
    };
    socket.on('data', (c: Buffer) => {
      queue.push(c);
      void pump();
    });
    socket.on('end', () => {
      ended = true;
      void pump();
    });
    socket.on('error', (err) => this.o.logger.debug({ err: errorMessage(err) }, `${this.o.label}: connection error`));
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.o.counter.set('OpenConnectionCount', this.sockets.size);
      ended = true;
      void pump();
    });
  }
}

/**
 * Flume logs a WARN for every Invalid or Incomplete event ("Event created from Invalid Syslog data.", "Event size
 * larger than specified event size"); here the first one and then one per 1000, with the running count.
 */
export class BadEventLog {
  private invalid = 0;
  private incomplete = 0;
  constructor(
    private readonly label: string,
    private readonly logger: Logger,
    private readonly counter: CounterGroup,
    private readonly eventSize: number,
  ) {}

  note(status: string | undefined): void {
    if (status === 'Invalid') {
      this.counter.increment('EventReadFail');
      if (this.invalid++ % 1000 === 0) {
        this.logger.warn({ invalidEvents: this.invalid }, `${this.label}: event created from invalid syslog data`);
      }
    } else if (status === 'Incomplete' && this.incomplete++ % 1000 === 0) {
      const msg =
        `${this.label}: event size larger than specified event size: ${this.eventSize}. ` +
        'You should consider increasing your event size.';
      this.logger.warn({ incompleteEvents: this.incomplete }, msg);
    }
  }
}

export const keepFieldsProp = prop.string({
  default: 'none',
  doc:
    '`none`/`false`: the body is the message text; `all`/`true`: the whole line; or a list naming any of priority, version, ' +
    'timestamp, hostname, put back before the body.',
});

export const clientProps = {
  clientIPHeader: prop.string({ doc: 'Header that receives the client IP address (as Java prints it).' }),
  clientHostnameHeader: prop.string({ doc: 'Header that receives the client host name (reverse lookup, hosts file first).' }),
};

/** The client headers for a connection or datagram, resolved once. */
export async function clientHeaders(
  ip: string | undefined,
  port: number | undefined,
  ipHeader?: string,
  nameHeader?: string,
): Promise<[string, string][]> {
  const out: [string, string][] = [];
  if (ipHeader !== undefined) out.push([ipHeader, ip ? javaHostAddress(ip) : '']);
  if (nameHeader !== undefined) out.push([nameHeader, ip ? await javaHostName(ip, port ?? 0) : '']);
  return out;
}
