/**
 * One line of a v2 stream (sampled or filtered) → Flume's Twitter record.
 *
 * v2 → Flume field mapping (Flume read twitter4j's v1.1 Status):
 *  id ← data.id; created_at ← data.created_at reformatted `yyyy-MM-dd'T'HH:mm:ss'Z'` (UTC); text ← data.text;
 *  source ← data.source (v2 gives the app name only, v1.1 gave an HTML link); retweet_count ←
 *  data.public_metrics.retweet_count; retweeted ← data.referenced_tweets has a `retweeted` entry (twitter4j's
 *  isRetweet()); in_reply_to_user_id ← data.in_reply_to_user_id, in_reply_to_status_id ← the `replied_to` entry of
 *  referenced_tweets (both -1 when absent, as twitter4j); media_url_https ← the first attached media's url (photos) or
 *  preview_image_url (videos, GIFs); expanded_url ← data.entities.urls entry of that media key; user_* ← the author
 *  in includes.users: name, username (screen name), location, description, public_metrics.following_count
 *  (friends), tweet_count (statuses), followers_count.
 */
import { emptyDoc, type TwitterDoc } from './schema.js';

/** Query parameters that ask the stream for everything the record needs. */
export const STREAM_QUERY = new URLSearchParams({
  'tweet.fields': 'id,text,created_at,author_id,source,public_metrics,in_reply_to_user_id,referenced_tweets,entities,attachments',
  expansions: 'author_id,attachments.media_keys',
  'user.fields': 'id,name,username,location,description,public_metrics',
  'media.fields': 'media_key,type,url,preview_image_url',
}).toString();

/** An error object as the API sends it in a stream or a reply. */
export interface ApiError {
  title?: string;
  detail?: string;
  type?: string;
  disconnect_type?: string;
  message?: string;
}

export type StreamMessage =
  | { kind: 'keepalive' }
  | { kind: 'tweet'; doc: TwitterDoc }
  | { kind: 'errors'; errors: ApiError[]; disconnect: boolean }
  | { kind: 'ignored'; reason: string }
  | { kind: 'malformed'; reason: string };

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? v : null);

function long(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d{1,19}$/.test(v)) {
    const n = BigInt(v);
    if (n < 2n ** 63n && n >= -(2n ** 63n)) return n;
  }
  return null;
}

/** `2024-05-01T12:34:56.000Z` → `2024-05-01T12:34:56Z` (Flume's pattern); null when not a date. */
export function flumeDate(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function findById(list: unknown, key: string, value: unknown): Json | undefined {
  if (!Array.isArray(list) || value === undefined) return undefined;
  return list.find((x): x is Json => isObj(x) && x[key] === value);
}

function referenced(data: Json, type: string): Json | undefined {
  return findById(data.referenced_tweets, 'type', type);
}

function fillUser(doc: TwitterDoc, user: Json | undefined): void {
  if (!user) return;
  const m = isObj(user.public_metrics) ? user.public_metrics : {};
  doc.user_friends_count = int(m.following_count);
  doc.user_statuses_count = int(m.tweet_count);
  doc.user_followers_count = int(m.followers_count);
  doc.user_location = str(user.location);
  doc.user_description = str(user.description);
  doc.user_screen_name = str(user.username);
  doc.user_name = str(user.name);
}

function fillMedia(doc: TwitterDoc, data: Json, includes: Json): void {
  const keys = isObj(data.attachments) ? data.attachments.media_keys : undefined;
  const first = Array.isArray(keys) ? keys[0] : undefined;
  if (typeof first !== 'string') return;
  const media = findById(includes.media, 'media_key', first);
  if (media) doc.media_url_https = str(media.url) ?? str(media.preview_image_url);
  const urls = isObj(data.entities) ? data.entities.urls : undefined;
  const entity = findById(urls, 'media_key', first);
  if (entity) doc.expanded_url = str(entity.expanded_url);
}

/** The record of one tweet object (`data`) with its `includes`. */
export function toDoc(data: Json, includes: Json): TwitterDoc {
  const doc = emptyDoc(String(data.id));
  doc.created_at = flumeDate(data.created_at);
  doc.text = str(data.text);
  doc.source = str(data.source);
  const metrics = isObj(data.public_metrics) ? data.public_metrics : {};
  doc.retweet_count = long(metrics.retweet_count);
  doc.retweeted = referenced(data, 'retweeted') !== undefined;
  doc.in_reply_to_user_id = long(data.in_reply_to_user_id) ?? -1n;
  doc.in_reply_to_status_id = long(referenced(data, 'replied_to')?.id) ?? -1n;
  fillMedia(doc, data, includes);
  fillUser(doc, findById(includes.users, 'id', data.author_id));
  return doc;
}

const DISCONNECT_TITLES = new Set(['operational-disconnect', 'ConnectionException']);

/** Parses one line of the stream (without its line break). */
export function parseStreamLine(line: string): StreamMessage {
  if (line.trim() === '') return { kind: 'keepalive' };
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch (err) {
    return { kind: 'malformed', reason: `not JSON (${(err as Error).message})` };
  }
  if (!isObj(msg)) return { kind: 'malformed', reason: 'not a JSON object' };
  const data = msg.data;
  if (isObj(data)) {
    if (typeof data.id !== 'string' && typeof data.id !== 'number') return { kind: 'malformed', reason: 'tweet without an id' };
    return { kind: 'tweet', doc: toDoc(data, isObj(msg.includes) ? msg.includes : {}) };
  }
  if (Array.isArray(msg.errors)) {
    const errors = msg.errors.filter(isObj) as ApiError[];
    const disconnect = errors.some((e) => e.disconnect_type !== undefined || DISCONNECT_TITLES.has(String(e.title)));
    return { kind: 'errors', errors, disconnect };
  }
  return { kind: 'ignored', reason: `no data (keys: ${Object.keys(msg).slice(0, 5).join(', ')})` };
}

/** A short, log-safe description of API error objects. */
export function describeErrors(errors: readonly ApiError[]): string {
  return errors
    .slice(0, 3)
    .map((e) => [e.title, e.disconnect_type, e.detail ?? e.message].filter((x) => x !== undefined).join(': '))
    .join('; ');
}
