/**
 * Flume's HttpSink (flume-ng-sinks/flume-http-sink/.../HttpSink.java @ 1.11): one event per transaction, its body
 * POSTed to `endpoint`. What happens next depends on the reply's status code, looked up as Flume does (the exact code,
 * then `<first digit>XX`, then the default) in three tables: rollback.CODE (roll back and send again, else commit),
 * backoff.CODE (return BACKOFF, else READY) and incrementMetrics.CODE (count EventDrainSuccessCount).
 *
 * Flume's defaults are kept although they surprise: defaultRollback = true and defaultBackoff = true apply to 200 as
 * well, so without `rollback.2XX = false` every event is posted again forever; and defaultIncrementMetrics = false, so
 * EventDrainSuccessCount stays 0. `flume-ts validate` warns about the first. No response (connection refused, timeout)
 * rolls back, counts EventWriteFail and backs off. An empty body is committed without a request.
 */
import http from 'node:http';
import https from 'node:https';
import { defineComponent, prop, type SpecProblem } from '../../config/spec.js';
import type { Channel } from '../../core/channel.js';
import { bodyLength, type Event } from '../../core/event.js';
import { ChannelError, FlumeError, errorMessage } from '../../core/errors.js';
import type { Status } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logging.js';
import type { Sink } from '../../core/sink.js';
import { sinkCounter, type CounterGroup } from '../../monitoring/counters.js';

export interface HttpSinkOptions {
  endpoint: string;
  connectTimeout: number;
  requestTimeout: number;
  contentTypeHeader: string;
  acceptHeader: string;
  defaultBackoff: boolean;
  defaultRollback: boolean;
  defaultIncrementMetrics: boolean;
  backoff: Record<string, boolean>;
  rollback: Record<string, boolean>;
  incrementMetrics: Record<string, boolean>;
}

/** HttpSink.findOverrideValue: the exact code, then e.g. `2XX` (upper-case XX only), then the default. */
export function findOverride(code: string, overrides: Readonly<Record<string, boolean>>, dflt: boolean): boolean {
  return overrides[code] ?? overrides[`${code.slice(0, 1)}XX`] ?? dflt;
}

/** HttpSink.parseConfigOverrides: `NAME.KEY = value` → KEY → Boolean.valueOf(value). */
export function overrides(raw: Readonly<Record<string, string>>, name: string): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith(`${name}.`)) out[k.slice(name.length + 1)] = v.toLowerCase() === 'true';
  }
  return out;
}

/** No HTTP status came back (refused, reset, timed out). */
export class HttpPostError extends FlumeError {
  constructor(message: string, cause?: unknown) {
    super('FLUME_HTTP_POST', message, { cause, retriable: true });
  }
}

export class HttpSink implements Sink {
  readonly counter: CounterGroup;
  private readonly url: URL;
  private agent?: http.Agent;

  constructor(
    readonly name: string,
    readonly channel: Channel,
    private readonly logger: Logger,
    private readonly o: HttpSinkOptions,
  ) {
    this.counter = sinkCounter(name);
    this.url = new URL(o.endpoint);
  }

  async start(): Promise<void> {
    this.logger.info({ endpoint: this.o.endpoint }, 'Starting HttpSink');
    const Agent = this.url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 1 });
    this.counter.start();
  }

  async stop(): Promise<void> {
    this.logger.info('Stopping HttpSink');
    this.agent?.destroy();
    this.counter.stop();
  }

  async process(): Promise<Status> {
    const tx = this.channel.begin();
    let event: Event | undefined;
    try {
      event = (await tx.take(1))[0];
    } catch (err) {
      await tx.rollback();
      this.counter.increment(err instanceof ChannelError ? 'ChannelReadFail' : 'EventWriteFail');
      this.logger.error({ err: errorMessage(err) }, 'Error sending HTTP request, retrying');
      return 'BACKOFF';
    }
    if (!event || bodyLength(event) === 0) {
      await tx.commit();
      if (event) this.logger.warn('Processed empty event');
      return 'BACKOFF';
    }
    this.counter.increment('EventDrainAttemptCount');
    let status: number;
    try {
      status = await this.post(event.body);
    } catch (err) {
      await tx.rollback();
      this.counter.increment('EventWriteFail');
      this.logger.error({ err: errorMessage(err), endpoint: this.o.endpoint }, 'Error opening connection, or request timed out');
      return 'BACKOFF';
    }
    return this.afterReply(status, tx);
  }

  private async afterReply(status: number, tx: ReturnType<Channel['begin']>): Promise<Status> {
    const code = String(status);
    const rollback = findOverride(code, this.o.rollback, this.o.defaultRollback);
    const backoff = findOverride(code, this.o.backoff, this.o.defaultBackoff);
    try {
      if (rollback) await tx.rollback();
      else await tx.commit();
    } catch (err) {
      if (tx.state === 'OPEN') await tx.rollback();
      this.counter.increment(err instanceof ChannelError ? 'ChannelReadFail' : 'EventWriteFail');
      this.logger.error({ err: errorMessage(err) }, 'Error sending HTTP request, retrying');
      return 'BACKOFF';
    }
    if (findOverride(code, this.o.incrementMetrics, this.o.defaultIncrementMetrics)) this.counter.increment('EventDrainSuccessCount');
    if (rollback) {
      this.logger.info(`Got status code ${status} from HTTP server. Rolled back event ${backoff ? 'and backed off.' : 'for retry.'}`);
    }
    return backoff ? 'BACKOFF' : 'READY';
  }

  /** POSTs one body; resolves with the status once the reply is read; rejects when no reply came in time. */
  private post(body: Buffer): Promise<number> {
    const mod = this.url.protocol === 'https:' ? https : http;
    const headers = { 'Content-Type': this.o.contentTypeHeader, Accept: this.o.acceptHeader, 'Content-Length': String(body.length) };
    return new Promise<number>((resolve, reject) => {
      const req = mod.request(this.url, { method: 'POST', headers, agent: this.agent }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', (err) => reject(new HttpPostError(`reading the reply from ${this.o.endpoint}: ${err.message}`, err)));
      });
      req.on('error', (err) => reject(new HttpPostError(`POST ${this.o.endpoint}: ${err.message}`, err)));
      // HttpURLConnection's read timeout: no reply data for requestTimeout ms
      const rt = this.o.requestTimeout;
      req.setTimeout(rt, () => req.destroy(new FlumeError('FLUME_HTTP_TIMEOUT', `no reply within requestTimeout ${rt} ms`)));
      req.on('socket', (sock) => {
        if (!sock.connecting) return; // a kept-alive connection
        const ms = this.o.connectTimeout;
        const t = setTimeout(() => req.destroy(new FlumeError('FLUME_HTTP_TIMEOUT', `not connected within connectTimeout ${ms} ms`)), ms);
        sock.once('connect', () => clearTimeout(t));
        req.once('close', () => clearTimeout(t));
      });
      req.end(body);
    });
  }
}

const NAMES = ['backoff', 'rollback', 'incrementMetrics'] as const;

/** validate: codes that never match, and a 200 that would be rolled back (sent again forever) or backed off. */
export function httpSinkProblems(
  c: { defaultRollback: boolean; defaultBackoff: boolean },
  raw: Readonly<Record<string, string>>,
): SpecProblem[] {
  const out: SpecProblem[] = [];
  for (const n of NAMES) {
    for (const key of Object.keys(overrides(raw, n))) {
      if (!/^(\d{3}|\dXX)$/.test(key)) {
        out.push({
          prop: `${n}.${key}`,
          severity: 'warning',
          message: `"${key}" never matches a status code (use a code like 503 or a group like 5XX, upper-case XX)`,
        });
      }
    }
  }
  const which = (n: 'rollback' | 'backoff'): string =>
    raw[`${n}.200`] !== undefined
      ? `${n}.200`
      : raw[`${n}.2XX`] !== undefined
        ? `${n}.2XX`
        : n === 'rollback'
          ? 'defaultRollback'
          : 'defaultBackoff';
  if (findOverride('200', overrides(raw, 'rollback'), c.defaultRollback)) {
    out.push({
      prop: which('rollback'),
      severity: 'warning',
      message: "a 200 reply rolls the event back, so every event is posted again forever (Flume's default)",
      hint: "add rollback.2XX = false, backoff.2XX = false and incrementMetrics.2XX = true, as in Flume's User Guide example",
    });
  } else if (findOverride('200', overrides(raw, 'backoff'), c.defaultBackoff)) {
    out.push({
      prop: which('backoff'),
      severity: 'warning',
      message: "the sink backs off after every successful post (Flume's defaultBackoff = true), which slows it to a few events per second",
      hint: 'add backoff.2XX = false',
    });
  }
  return out;
}

export const httpSink = defineComponent({
  kind: 'sink',
  type: 'http',
  fqcn: 'org.apache.flume.sink.http.HttpSink',
  summary: "POSTs each event body to an HTTP endpoint; the reply's status code decides commit/rollback, backoff and metrics.",
  notes:
    "One event per request and per transaction, as Flume. Flume's surprising defaults are kept: defaultRollback = true and " +
    'defaultBackoff = true also apply to 2XX replies (every event is posted again forever unless rollback.2XX = false; ' +
    '`flume-ts validate` warns), and defaultIncrementMetrics = false. connectTimeout bounds the TCP (and TLS) connect, ' +
    "requestTimeout the wait for reply data (HttpURLConnection's read timeout); connections are kept alive. The endpoint " +
    'must be http:// or https:// (Flume accepted any java.net.URL and failed at the first event). An empty channel is ' +
    'not logged as "Processed empty event" (Flume logs it at WARN on every poll); an empty body still is. Redirects are ' +
    'not followed: a 3XX reply goes through the tables like any other code.',
  properties: {
    endpoint: prop.string({
      required: true,
      doc: 'URL to POST each event body to.',
      check: (v) => {
        try {
          const u = new URL(v);
          return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : `Endpoint URL invalid: ${v} is not http:// or https://`;
        } catch {
          return `Endpoint URL invalid: "${v}"`;
        }
      },
    }),
    connectTimeout: prop.int({ default: 5000, min: 1, doc: 'Milliseconds to wait for the connection to the endpoint.' }),
    requestTimeout: prop.int({ default: 5000, min: 1, doc: 'Milliseconds to wait for the reply (read timeout).' }),
    contentTypeHeader: prop.string({ default: 'text/plain', doc: 'Content-Type header of each request.' }),
    acceptHeader: prop.string({ default: 'text/plain', doc: 'Accept header of each request.' }),
    defaultBackoff: prop.boolean({ default: true, doc: 'Back off after a reply whose code has no backoff.CODE override (2XX included).' }),
    defaultRollback: prop.boolean({
      default: true,
      doc: 'Roll back (post again) after a reply whose code has no rollback.CODE override (2XX included).',
    }),
    defaultIncrementMetrics: prop.boolean({
      default: false,
      doc: 'Count EventDrainSuccessCount for a reply whose code has no incrementMetrics.CODE override.',
    }),
  },
  prefixes: {
    'backoff.': 'backoff.CODE = true|false for a status code (503) or a group (5XX).',
    'rollback.': 'rollback.CODE = true|false for a status code (503) or a group (5XX).',
    'incrementMetrics.': 'incrementMetrics.CODE = true|false for a status code (200) or a group (2XX).',
  },
  check: (c, raw) => httpSinkProblems(c, raw),
  batchSize: () => 1,
  create: (c, ctx) =>
    new HttpSink(ctx.name, ctx.channel, ctx.logger, {
      endpoint: c.endpoint,
      connectTimeout: c.connectTimeout,
      requestTimeout: c.requestTimeout,
      contentTypeHeader: c.contentTypeHeader,
      acceptHeader: c.acceptHeader,
      defaultBackoff: c.defaultBackoff,
      defaultRollback: c.defaultRollback,
      defaultIncrementMetrics: c.defaultIncrementMetrics,
      backoff: overrides(ctx.raw, 'backoff'),
      rollback: overrides(ctx.raw, 'rollback'),
      incrementMetrics: overrides(ctx.raw, 'incrementMetrics'),
    }),
});
