/**
 * The Twitter source: reads the API v2 sampled stream (or, with `keywords`, the filtered stream), turns each tweet
 * into Flume's Twitter record and hands each batch to the channel as ONE event whose body is an Avro container file,
 * exactly as Flume's TwitterSource did over the v1.1 stream. See docs/twitter.md.
 *
 * A batch is cut when it holds maxBatchSize tweets or maxBatchDurationMillis has passed since the previous batch
 * (checked on each tweet, as Flume does, and also by a timer so that tweets never wait for the next one). A batch the
 * channel refuses is retried (the stream is not read meanwhile); it is given up only when the agent stops.
 */
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelProcessor, EventDrivenSource } from '../../../core/source.js';
import type { Logger } from '../../../core/logging.js';
import { FlumeError, errorMessage } from '../../../core/errors.js';
import { sourceCounter } from '../../../monitoring/counters.js';
import { ReconnectBackoff } from './backoff.js';
import { apiDetail, fetchBearerToken, httpError, keywordRules, readBody, send, syncRules, TwitterApiError } from './client.js';
import { loadTwitterAvro, type TwitterAvroWriter } from './avro-container.js';
import { describeErrors, parseStreamLine, STREAM_QUERY } from './tweet.js';
import type { TwitterDoc } from './schema.js';

export interface TwitterSourceOptions {
  consumerKey: string;
  consumerSecret: string;
  maxBatchSize: number;
  maxBatchDurationMillis: number;
  keywords: readonly string[];
  apiBaseUrl: string;
  /** Reconnect when nothing (not even a keep-alive newline) arrived for this long. */
  stallTimeoutMs?: number;
  /** Connect / reply timeout of API requests. */
  requestTimeoutMs?: number;
  /** The reconnection policy (tests pass a faster one). */
  backoff?: ReconnectBackoff;
}

const MAX_LINE_CHARS = 16 << 20;
const RULE_TAG = 'flume-ts keywords';
const STATS_INTERVAL = 1000;

export class TwitterSource implements EventDrivenSource {
  readonly mode = 'eventDriven';
  readonly name: string;
  readonly counter;
  private readonly o: Required<Omit<TwitterSourceOptions, 'backoff'>>;
  private readonly base: URL;
  private readonly rules: string[];
  private readonly processor: ChannelProcessor;
  private readonly logger: Logger;
  private readonly backoff: ReconnectBackoff;
  private writer?: TwitterAvroWriter;
  private running = false;
  private abort = new AbortController();
  private loop?: Promise<void>;
  private response?: IncomingMessage;
  private token?: string;
  private rulesSynced = false;
  private docs: TwitterDoc[] = [];
  private batchEnd = 0;
  private batchTimer?: NodeJS.Timeout;
  private deliveries: Promise<void> = Promise.resolve();
  private docCount = 0;
  /** Connections accepted by the API (for tests and logs). */
  connections = 0;

  constructor(name: string, o: TwitterSourceOptions, processor: ChannelProcessor, logger: Logger) {
    this.name = name;
    this.counter = sourceCounter(name);
    const { backoff, ...rest } = o;
    this.o = { ...rest, stallTimeoutMs: o.stallTimeoutMs ?? 30_000, requestTimeoutMs: o.requestTimeoutMs ?? 30_000 };
    this.backoff = backoff ?? new ReconnectBackoff();
    this.base = new URL(o.apiBaseUrl.endsWith('/') ? o.apiBaseUrl : `${o.apiBaseUrl}/`);
    this.rules = keywordRules(o.keywords);
    this.processor = processor;
    this.logger = logger;
  }

  /** Tweets read from the stream so far. */
  get tweetsRead(): number {
    return this.docCount;
  }

  private get filtered(): boolean {
    return this.rules.length > 0;
  }

  async start(): Promise<void> {
    this.counter.start();
    this.writer = await loadTwitterAvro();
    this.running = true;
    this.abort = new AbortController();
    this.batchEnd = Date.now() + this.o.maxBatchDurationMillis;
    this.loop = this.run();
    this.logger.info(
      { api: this.base.origin, stream: this.filtered ? 'filtered' : 'sampled', keywords: this.filtered ? this.rules : undefined },
      'Twitter source started',
    );
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    this.response?.destroy();
    await this.loop;
    this.flush();
    await this.deliveries;
    clearTimeout(this.batchTimer);
    this.counter.stop();
    this.logger.info({ tweets: this.docCount }, 'Twitter source stopped');
  }

  // ---- connection loop

  private async run(): Promise<void> {
    while (this.running) {
      let failure: unknown;
      try {
        await this.connectAndRead();
        failure = new TwitterApiError('FLUME_TWITTER_NETWORK', 'the stream was closed by the server', { kind: 'network' });
      } catch (err) {
        failure = err;
      }
      this.response = undefined;
      if (!this.running) break;
      await this.waitBeforeReconnect(failure);
    }
  }

  private async waitBeforeReconnect(failure: unknown): Promise<void> {
    const err = failure instanceof TwitterApiError ? failure : undefined;
    if (err?.status === 401) this.token = undefined; // the bearer token was refused: request a new one
    const delay = this.backoff.next(err?.kind ?? 'network', Date.now(), err?.resetAtMs);
    const fields = { err: errorMessage(failure), code: err?.code, retryInMs: delay };
    const refused = err?.code === 'FLUME_TWITTER_AUTH' || err?.code === 'FLUME_TWITTER_RULES';
    if (refused) this.logger.error(fields, 'Twitter API refused the source');
    else this.logger.warn(fields, 'Twitter stream interrupted; reconnecting');
    try {
      await sleep(delay, undefined, { signal: this.abort.signal });
    } catch {
      /* stopped */
    }
  }

  private async connectAndRead(): Promise<void> {
    const timeoutMs = this.o.requestTimeoutMs;
    if (this.token === undefined) {
      this.token = await fetchBearerToken(this.base, this.o.consumerKey, this.o.consumerSecret, timeoutMs, this.abort.signal);
      this.logger.info('obtained an app-only bearer token');
    }
    if (this.filtered && !this.rulesSynced) {
      await syncRules(this.base, this.token, this.rules, RULE_TAG, timeoutMs, this.logger);
      this.rulesSynced = true;
    }
    const path = this.filtered ? '2/tweets/search/stream' : '2/tweets/sample/stream';
    const url = new URL(`${path}?${STREAM_QUERY}`, this.base);
    const headers = { Authorization: `Bearer ${this.token}` };
    const res = await send(url, { method: 'GET', timeoutMs, signal: this.abort.signal, headers });
    if (!this.running) {
      res.destroy();
      return;
    }
    if (res.statusCode !== 200) throw await this.refused(res, url);
    this.response = res;
    this.backoff.reset();
    this.connections++;
    this.logger.info({ stream: `${url.origin}${url.pathname}` }, 'connected to the Twitter stream');
    await this.readStream(res);
  }

  private async refused(res: IncomingMessage, url: URL): Promise<TwitterApiError> {
    const body = await readBody(res, url).catch(() => '');
    const status = res.statusCode ?? 0;
    let hint = '';
    if (status === 401) {
      hint = 'the bearer token was refused; a new one will be requested';
    } else if (status === 403) {
      hint = 'check that the app (consumerKey) has access to this stream endpoint in the developer portal';
    }
    return httpError(`stream request to ${url.origin}${url.pathname}`, { status, headers: res.headers }, apiDetail(body), hint);
  }

  // ---- reading the stream

  private async readStream(res: IncomingMessage): Promise<void> {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    let stall: NodeJS.Timeout | undefined;
    const armStall = (): void => {
      clearTimeout(stall);
      stall = setTimeout(
        () => res.destroy(new FlumeError('FLUME_TWITTER_NETWORK', `no data or keep-alive for ${this.o.stallTimeoutMs} ms`)),
        this.o.stallTimeoutMs,
      );
    };
    armStall();
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        armStall();
        const scanned = pending.length; // no '\n' before this: an unfinished line is not scanned again
        pending += decoder.write(chunk);
        let nl = pending.indexOf('\n', scanned);
        for (; nl >= 0; nl = pending.indexOf('\n')) {
          const line = pending.charCodeAt(nl - 1) === 13 ? pending.slice(0, nl - 1) : pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          const disconnect = await this.onLine(line);
          if (disconnect !== undefined) {
            res.destroy();
            throw new TwitterApiError('FLUME_TWITTER_NETWORK', `the API disconnected the stream (${disconnect})`, { kind: 'network' });
          }
        }
        if (pending.length > MAX_LINE_CHARS) {
          this.counter.increment('EventReadFail');
          this.logger.warn({ chars: pending.length }, 'stream line longer than 16 Mi characters skipped');
          pending = '';
        }
      }
    } catch (err) {
      if (err instanceof TwitterApiError) throw err;
      const msg = `the stream connection failed (${errorMessage(err)})`;
      throw new TwitterApiError('FLUME_TWITTER_NETWORK', msg, { kind: 'network', cause: err });
    } finally {
      clearTimeout(stall);
    }
  }

  /** Handles one line; returns the reason when the API said it disconnects us. */
  private async onLine(line: string): Promise<string | undefined> {
    const msg = parseStreamLine(line);
    switch (msg.kind) {
      case 'tweet':
        await this.add(msg.doc);
        return undefined;
      case 'errors': {
        const errors = describeErrors(msg.errors);
        this.logger.warn({ errors }, 'error object in the Twitter stream');
        return msg.disconnect ? errors : undefined;
      }
      case 'ignored':
        this.logger.debug({ reason: msg.reason }, 'stream message ignored');
        return undefined;
      case 'malformed':
        this.counter.increment('EventReadFail');
        this.logger.warn({ reason: msg.reason, line: line.slice(0, 120) }, 'malformed line in the Twitter stream skipped');
        return undefined;
      default:
        return undefined; // keep-alive
    }
  }

  // ---- batching and delivery

  private async add(doc: TwitterDoc): Promise<void> {
    this.docs.push(doc);
    this.docCount++;
    if (this.docCount % STATS_INTERVAL === 0) {
      this.logger.info({ tweets: this.docCount, connections: this.connections }, 'Twitter source progress');
    }
    if (this.docs.length >= this.o.maxBatchSize || Date.now() >= this.batchEnd) {
      await this.flush();
    } else if (this.batchTimer === undefined) {
      this.batchTimer = setTimeout(
        () => {
          this.batchTimer = undefined;
          if (this.docs.length > 0 && Date.now() >= this.batchEnd - 1) void this.flush();
        },
        Math.max(this.batchEnd - Date.now(), 0),
      );
    }
  }

  /** Cuts the current batch and queues its delivery; resolves when every queued batch is delivered. */
  private flush(): Promise<void> {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    this.batchEnd = Date.now() + this.o.maxBatchDurationMillis;
    if (this.docs.length === 0) return this.deliveries;
    const docs = this.docs;
    this.docs = [];
    this.deliveries = this.deliveries.then(() => this.deliver(docs));
    return this.deliveries;
  }

  private async deliver(docs: TwitterDoc[]): Promise<void> {
    this.counter.add('EventReceivedCount', docs.length);
    let body: Buffer;
    try {
      body = this.writer!.container(docs);
    } catch (err) {
      this.counter.increment('GenericProcessingFail');
      this.logger.error({ err: errorMessage(err), tweets: docs.length }, 'could not serialize a batch of tweets; skipped');
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.processor.processEvent({ headers: {}, body });
        this.counter.add('EventAcceptedCount', docs.length);
        return;
      } catch (err) {
        this.counter.increment('ChannelWriteFail');
        if (!this.running) {
          const what = 'channel refused the last batch while stopping; these tweets are lost';
          this.logger.error({ err: errorMessage(err), tweets: docs.length }, what);
          return;
        }
        if (attempt === 0) this.logger.warn({ err: errorMessage(err), tweets: docs.length }, 'channel refused a batch of tweets; retrying');
        await sleep(Math.min(100 * 2 ** attempt, 5_000), undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
  }
}
