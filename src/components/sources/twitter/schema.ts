/**
 * The Avro record Flume's TwitterSource writes (flume-twitter-source 1.11, createAvroSchema): record `Doc` with no
 * namespace (Flume's `Schema.createRecord("Doc", "adoc", null, false)` passes "adoc" as the *doc*), `id` a plain string,
 * every other field a union of its type and null (type first, no defaults). The JSON below is exactly Java's
 * `Schema.toString()` of that schema (checked with Avro 1.11), which is what Flume stores as `avro.schema`.
 */

type Primitive = 'string' | 'int' | 'long' | 'boolean';

const FIELDS: readonly (readonly [name: string, type: Primitive])[] = [
  ['id', 'string'],
  ['user_friends_count', 'int'],
  ['user_location', 'string'],
  ['user_description', 'string'],
  ['user_statuses_count', 'int'],
  ['user_followers_count', 'int'],
  ['user_name', 'string'],
  ['user_screen_name', 'string'],
  ['created_at', 'string'],
  ['text', 'string'],
  ['retweet_count', 'long'],
  ['retweeted', 'boolean'],
  ['in_reply_to_user_id', 'long'],
  ['source', 'string'],
  ['in_reply_to_status_id', 'long'],
  ['media_url_https', 'string'],
  ['expanded_url', 'string'],
];

/** Flume's schema as a JSON object (key order as Java prints it: type, name, doc, fields). */
export const TWITTER_SCHEMA = {
  type: 'record',
  name: 'Doc',
  doc: 'adoc',
  fields: FIELDS.map(([name, type]) => ({ name, type: name === 'id' ? type : [type, 'null'] })),
} as const;

/** Java's `Schema.toString()` of Flume's schema (compact JSON). */
export const TWITTER_SCHEMA_JSON = JSON.stringify(TWITTER_SCHEMA);

/** One record. Longs are bigint: tweet and user ids exceed 2^53. */
export interface TwitterDoc {
  id: string;
  user_friends_count: number | null;
  user_location: string | null;
  user_description: string | null;
  user_statuses_count: number | null;
  user_followers_count: number | null;
  user_name: string | null;
  user_screen_name: string | null;
  created_at: string | null;
  text: string | null;
  retweet_count: bigint | null;
  retweeted: boolean | null;
  in_reply_to_user_id: bigint | null;
  source: string | null;
  in_reply_to_status_id: bigint | null;
  media_url_https: string | null;
  expanded_url: string | null;
}

/** A record with only its id set (every other field null), in schema field order. */
export function emptyDoc(id: string): TwitterDoc {
  return {
    id,
    user_friends_count: null,
    user_location: null,
    user_description: null,
    user_statuses_count: null,
    user_followers_count: null,
    user_name: null,
    user_screen_name: null,
    created_at: null,
    text: null,
    retweet_count: null,
    retweeted: null,
    in_reply_to_user_id: null,
    source: null,
    in_reply_to_status_id: null,
    media_url_https: null,
    expanded_url: null,
  };
}
