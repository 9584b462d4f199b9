/**
 * `org.apache.flume.source.twitter.TwitterSource` (Flume has no short alias for it): Flume's configuration, today's
 * X (Twitter) API v2 streams. See source.ts and docs/twitter.md.
 */
import { defineComponent, prop } from '../../../config/spec.js';
import { TwitterSource } from './source.js';

export { TwitterSource } from './source.js';

export const TWITTER_NOTES = [
  'Reads the X (Twitter) API v2 sampled stream (`/2/tweets/sample/stream`); Flume 1.11 read the v1.1 `statuses/sample`',
  'stream (twitter4j), which no longer exists. consumerKey/consumerSecret obtain an app-only bearer token',
  '(`POST /oauth2/token`); accessToken and accessTokenSecret are accepted and not used (v2 streams take only app-only auth).',
  "Each batch is one event with no headers whose body is an Avro container file with Flume's `Doc` schema, byte-identical",
  "to what Avro 1.11's DataFileWriter writes for the same records (checked with Avro 1.11; null codec, 64 000-byte blocks).",
  "Every field of Flume's record is filled from v2: `source` is the app name (v1.1 gave an HTML link), `created_at` is UTC",
  "(Flume formats the JVM's local time and appends a literal Z), `text` is the whole text (twitter4j gave 140 characters",
  'and a link), media_url_https is the preview image for videos.',
  'A batch is also cut by a timer once maxBatchDurationMillis has passed (Flume waits for the next tweet).',
  "EventAcceptedCount counts committed tweets (Flume's stays 0: a bug). A batch the channel refuses is retried",
  "(Flume folds it into the next one). As in Flume, maxBatchSize must not exceed the channel's transactionCapacity.",
  "flume-ts adds `keywords` (filtered stream, one rule per phrase, the app's other rules deleted; Flume 1.11 ignored",
  'this key, so a config carrying it switches from the sampled to the filtered stream) and `apiBaseUrl`,',
  "and reconnects with the API's backoff (network 250 ms linear to 16 s, HTTP 5 s doubling to 320 s, 429 60 s doubling",
  'or until x-rate-limit-reset). See docs/twitter.md.',
].join(' ');

export const twitterSource = defineComponent({
  kind: 'source',
  type: 'org.apache.flume.source.twitter.TwitterSource',
  summary: "Streams tweets (X API v2 sampled or filtered stream) as Avro containers with Flume's Twitter schema, one event per batch.",
  compatibility: 'partial',
  notes: TWITTER_NOTES,
  properties: {
    consumerKey: prop.string({
      required: true,
      secret: true,
      doc: "The app's API key (OAuth consumer key); with consumerSecret it obtains an app-only bearer token.",
    }),
    consumerSecret: prop.string({ required: true, secret: true, doc: "The app's API key secret (OAuth consumer secret)." }),
    accessToken: prop.string({ secret: true, doc: 'Accepted for Flume configs; not used (v2 streams take app-only authentication).' }),
    accessTokenSecret: prop.string({ secret: true, doc: 'Accepted for Flume configs; not used.' }),
    maxBatchSize: prop.int({
      default: 1000,
      doc: 'Tweets per event (one Avro container per batch); 0 or less: one tweet per event, as Flume.',
    }),
    maxBatchDurationMillis: prop.int({
      default: 1000,
      doc: 'A batch is cut when this long (ms) has passed since the previous one.',
    }),
    keywords: prop.string({
      doc:
        'flume-ts: comma-separated phrases; when set, reads the filtered stream with one rule per phrase (words of a phrase must all ' +
        "match, any phrase matches) and deletes the app's other rules. Unset: the sampled stream.",
    }),
    apiBaseUrl: prop.string({
      default: 'https://api.twitter.com',
      doc:
        'flume-ts: base URL of the API (token, rules and stream endpoints are resolved against it), ' +
        'e.g. https://api.x.com or a test server.',
      check: (v) => (/^https?:\/\/[^/]/i.test(v) ? undefined : `expected an http:// or https:// URL, got "${v}"`),
    }),
  },
  check: (c) => {
    const u = /^http:\/\/([^/:]+|\[[^\]]+\])/i.exec(c.apiBaseUrl);
    if (!u || /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i.test(u[1]!)) return [];
    return [
      {
        prop: 'apiBaseUrl',
        severity: 'warning',
        message:
          `apiBaseUrl ${c.apiBaseUrl} is plain http: the consumer key and secret and the bearer token ` +
          'would cross the network unencrypted',
        hint: 'use https://',
      },
    ];
  },
  batchSize: (c) => c.maxBatchSize,
  create: (c, ctx) =>
    new TwitterSource(
      ctx.name,
      {
        consumerKey: c.consumerKey,
        consumerSecret: c.consumerSecret,
        maxBatchSize: c.maxBatchSize,
        maxBatchDurationMillis: c.maxBatchDurationMillis,
        keywords: (c.keywords ?? '').split(','),
        apiBaseUrl: c.apiBaseUrl,
      },
      ctx.processor,
      ctx.logger,
    ),
});
