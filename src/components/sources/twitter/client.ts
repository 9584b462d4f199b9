/**
 * The HTTP side of the Twitter source: the app-only bearer token (POST /oauth2/token), the filtered stream's rules
 * (/2/tweets/search/stream/rules) and opening a stream. Every failure is a TwitterApiError saying which backoff applies.
 * Secrets (consumer key/secret, bearer token) only ever go into request headers, never into messages.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { FlumeError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logging.js';
import { rateLimitReset, type FailureKind } from './backoff.js';
import { describeErrors, type ApiError } from './tweet.js';

const USER_AGENT = 'flume-ts-twitter-source';
const MAX_REPLY_BYTES = 1 << 20;

export class TwitterApiError extends FlumeError {
  readonly kind: FailureKind;
  readonly status?: number;
  readonly resetAtMs?: number;
  constructor(code: string, message: string, o: { kind: FailureKind; status?: number; resetAtMs?: number; cause?: unknown }) {
    super(code, message, { cause: o.cause, retriable: true });
    this.kind = o.kind;
    this.status = o.status;
    this.resetAtMs = o.resetAtMs;
  }
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface RequestOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Aborts the request (the source is stopping). */
  signal?: AbortSignal;
}

/** Sends a request; resolves with the response (headers received), body unread. */
export function send(url: URL, o: RequestOptions): Promise<IncomingMessage> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, ...o.headers };
    if (o.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(o.body));
    const req = mod.request(url, { method: o.method, headers, timeout: o.timeoutMs, signal: o.signal }, resolve);
    req.on('timeout', () => req.destroy(new FlumeError('FLUME_TWITTER_NETWORK', `no answer within ${o.timeoutMs} ms`)));
    req.on('error', (err) => reject(networkError(url, err)));
    req.end(o.body);
  });
}

export function networkError(url: URL, err: unknown): TwitterApiError {
  const e = err as NodeJS.ErrnoException;
  const what = e.code ? `${e.code}: ${e.message}` : String(e?.message ?? err);
  const msg = `cannot reach ${url.origin}${url.pathname} (${what})`;
  return new TwitterApiError('FLUME_TWITTER_NETWORK', msg, { kind: 'network', cause: err });
}

/** Reads a whole (small) reply body. */
export function readBody(res: IncomingMessage, url: URL): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REPLY_BYTES) chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (err) => reject(networkError(url, err)));
    res.on('aborted', () => reject(networkError(url, new FlumeError('FLUME_TWITTER_NETWORK', 'reply cut off'))));
  });
}

export async function request(url: URL, o: RequestOptions): Promise<HttpReply> {
  const res = await send(url, o);
  const body = await readBody(res, url);
  return { status: res.statusCode ?? 0, headers: res.headers, body };
}

/** The API's own words about a failed request (its `title`/`detail`, or v1.1-style `errors[].message`). */
export function apiDetail(body: string): string {
  try {
    const j = JSON.parse(body) as { title?: string; detail?: string; errors?: ApiError[]; error?: string };
    if (Array.isArray(j.errors) && j.errors.length > 0) return describeErrors(j.errors);
    const parts = [j.title, j.detail ?? j.error].filter((x) => typeof x === 'string');
    if (parts.length > 0) return parts.join(': ');
  } catch {
    /* not JSON */
  }
  return body.replace(/\s+/g, ' ').slice(0, 200);
}

/** The error for a non-2xx reply: 429 → rate-limit (with its reset time); network-level for none; http otherwise. */
export function httpError(
  what: string,
  reply: { status: number; headers: IncomingHttpHeaders },
  detail: string,
  hint = '',
): TwitterApiError {
  const { status } = reply;
  const kind: FailureKind = status === 429 ? 'rate-limit' : 'http';
  const resetAtMs = status === 429 ? rateLimitReset(reply.headers['x-rate-limit-reset']) : undefined;
  const code = status === 429 ? 'FLUME_TWITTER_RATE_LIMIT' : status === 401 || status === 403 ? 'FLUME_TWITTER_AUTH' : 'FLUME_TWITTER_HTTP';
  const msg = `${what}: HTTP ${status}${detail ? ` (${detail})` : ''}${hint ? `; ${hint}` : ''}`;
  return new TwitterApiError(code, msg, { kind, status, resetAtMs });
}

/** RFC 1738 encoding of the consumer key and secret, as the token endpoint asks. */
const formEncode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** POST oauth2/token with Basic auth of the consumer key and secret: the app-only bearer token. */
export async function fetchBearerToken(base: URL, key: string, secret: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const url = new URL('oauth2/token', base);
  const basic = Buffer.from(`${formEncode(key)}:${formEncode(secret)}`, 'utf8').toString('base64');
  const reply = await request(url, {
    method: 'POST',
    timeoutMs,
    signal,
    headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: 'grant_type=client_credentials',
  });
  if (reply.status !== 200) {
    const hint =
      reply.status === 401 || reply.status === 403
        ? "check consumerKey and consumerSecret (the app's API key and API key secret in the developer portal) " +
          'and that the app is not suspended'
        : '';
    throw httpError(`bearer token request to ${url.origin}${url.pathname}`, reply, apiDetail(reply.body), hint);
  }
  let token: unknown;
  try {
    const j = JSON.parse(reply.body) as { token_type?: string; access_token?: unknown };
    if (String(j.token_type).toLowerCase() === 'bearer') token = j.access_token;
  } catch {
    /* handled below */
  }
  if (typeof token !== 'string' || token === '') {
    const msg = `bearer token reply from ${url.origin}${url.pathname} has no bearer access_token`;
    throw new TwitterApiError('FLUME_TWITTER_AUTH', msg, { kind: 'http', status: 200 });
  }
  return token;
}

interface Rule {
  id: string;
  value: string;
  tag?: string;
}

async function rulesCall(base: URL, token: string, timeoutMs: number, body?: unknown): Promise<Record<string, unknown>> {
  const url = new URL('2/tweets/search/stream/rules', base);
  const reply = await request(url, {
    method: body === undefined ? 'GET' : 'POST',
    timeoutMs,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (reply.status < 200 || reply.status > 299) {
    throw httpError(`stream rules request to ${url.origin}${url.pathname}`, reply, apiDetail(reply.body));
  }
  try {
    return JSON.parse(reply.body) as Record<string, unknown>;
  } catch {
    const msg = `stream rules reply from ${url.origin}${url.pathname} is not JSON`;
    throw new TwitterApiError('FLUME_TWITTER_HTTP', msg, { kind: 'http', status: reply.status });
  }
}

/** One rule per keyword phrase (words of a phrase are ANDed, phrases ORed: v1.1 `track` semantics). */
export function keywordRules(keywords: readonly string[]): string[] {
  return [...new Set(keywords.map((k) => k.trim().replace(/\s+/g, ' ')).filter((k) => k !== ''))];
}

/**
 * Makes the app's filtered-stream rules exactly the keyword rules: deletes every other rule (the stream delivers
 * the matches of all of the app's rules) and adds the missing ones. Returns what changed.
 */
export async function syncRules(
  base: URL,
  token: string,
  values: readonly string[],
  tag: string,
  timeoutMs: number,
  logger: Logger,
): Promise<{ added: number; deleted: number }> {
  const current = await rulesCall(base, token, timeoutMs);
  const existing = (Array.isArray(current.data) ? current.data : []) as Rule[];
  const wanted = new Set(values);
  const stale = existing.filter((r) => !wanted.has(r.value));
  if (stale.length > 0) {
    logger.info({ rules: stale.map((r) => r.value) }, 'deleting filtered-stream rules that are not in keywords');
    await rulesCall(base, token, timeoutMs, { delete: { ids: stale.map((r) => r.id) } });
  }
  const have = new Set(existing.map((r) => r.value));
  const add = values.filter((v) => !have.has(v));
  if (add.length > 0) {
    const res = await rulesCall(base, token, timeoutMs, { add: add.map((value) => ({ value, tag })) });
    const errors = (Array.isArray(res.errors) ? res.errors : []) as ApiError[];
    const real = errors.filter((e) => e.title !== 'DuplicateRule');
    if (real.length > 0) {
      const msg = `the API refused keyword rules: ${describeErrors(real)}; check the keywords property`;
      throw new TwitterApiError('FLUME_TWITTER_RULES', msg, { kind: 'http' });
    }
    logger.info({ rules: add }, 'added filtered-stream rules');
  }
  return { added: add.length, deleted: stale.length };
}
