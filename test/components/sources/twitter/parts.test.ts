import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { ReconnectBackoff, rateLimitReset } from '../../../../src/components/sources/twitter/backoff.js';
import { flumeDate, parseStreamLine, toDoc } from '../../../../src/components/sources/twitter/tweet.js';
import { SYNC_INTERVAL, TwitterAvroWriter, loadTwitterAvro } from '../../../../src/components/sources/twitter/avro-container.js';
import { emptyDoc, TWITTER_SCHEMA_JSON } from '../../../../src/components/sources/twitter/schema.js';
import { keywordRules } from '../../../../src/components/sources/twitter/client.js';
import { readContainers } from './avro-read.js';

/** Java's Schema.toString() of the schema Flume 1.11's TwitterSource builds (printed by Avro 1.11). */
const JAVA_SCHEMA =
  '{"type":"record","name":"Doc","doc":"adoc","fields":[{"name":"id","type":"string"},{"name":"user_friends_count","type":["int","null"]},' +
  '{"name":"user_location","type":["string","null"]},{"name":"user_description","type":["string","null"]},' +
  '{"name":"user_statuses_count","type":["int","null"]},{"name":"user_followers_count","type":["int","null"]},' +
  '{"name":"user_name","type":["string","null"]},{"name":"user_screen_name","type":["string","null"]},' +
  '{"name":"created_at","type":["string","null"]},{"name":"text","type":["string","null"]},{"name":"retweet_count","type":["long","null"]},' +
  '{"name":"retweeted","type":["boolean","null"]},{"name":"in_reply_to_user_id","type":["long","null"]},' +
  '{"name":"source","type":["string","null"]},{"name":"in_reply_to_status_id","type":["long","null"]},' +
  '{"name":"media_url_https","type":["string","null"]},{"name":"expanded_url","type":["string","null"]}]}';

describe('Twitter source parts', () => {
  it('the schema is Flume\'s, as Java prints it ("adoc" is the doc, not a namespace)', () => {
    expect(TWITTER_SCHEMA_JSON).toBe(JAVA_SCHEMA);
  });

  it('containers: header with only avro.schema, 64 000-byte blocks, one sync marker, 64-bit longs', async () => {
    const w = await loadTwitterAvro();
    const docs = Array.from({ length: 600 }, (_, i) => ({
      ...emptyDoc(String(i)),
      text: 'x'.repeat(500),
      retweet_count: 2n ** 62n,
      in_reply_to_user_id: -(2n ** 63n),
    }));
    const sync = Buffer.alloc(16, 7);
    const buf = w.container(docs, sync);
    const [c] = readContainers(buf);
    expect(Object.keys(c!.meta)).toEqual(['avro.schema']);
    expect(c!.sync).toEqual(sync);
    const recordBytes = w.encodeRecord(docs[0]!).length;
    expect(c!.blocks).toBe(Math.ceil(600 / Math.ceil(SYNC_INTERVAL / recordBytes)));
    expect(c!.docs.map((d) => d.id)).toEqual(docs.map((d) => d.id));
    expect(c!.docs[0]!.retweet_count).toBe(2n ** 62n);
    expect(c!.docs[0]!.in_reply_to_user_id).toBe(-(2n ** 63n));
    expect(w.container(docs.slice(0, 1)).subarray(-16)).not.toEqual(w.container(docs.slice(0, 1)).subarray(-16)); // fresh sync each
  });

  it('a value that does not fit the schema is a FlumeError naming the tweet', () => {
    const w = new TwitterAvroWriter(avro);
    expect(() => w.encodeRecord({ ...emptyDoc('42'), user_friends_count: 1.5 })).toThrow(/tweet 42 does not fit/);
  });

  it('stream lines', () => {
    expect(parseStreamLine('').kind).toBe('keepalive');
    expect(parseStreamLine('\r').kind).toBe('keepalive');
    expect(parseStreamLine('{"x":').kind).toBe('malformed');
    expect(parseStreamLine('"str"').kind).toBe('malformed');
    expect(parseStreamLine('{"data":{"text":"no id"}}').kind).toBe('malformed');
    expect(parseStreamLine('{"meta":{}}').kind).toBe('ignored');
    expect(parseStreamLine('{"errors":[{"title":"operational-disconnect"}]}')).toMatchObject({ kind: 'errors', disconnect: true });
    expect(parseStreamLine('{"errors":[{"title":"Not Found Error"}]}')).toMatchObject({ kind: 'errors', disconnect: false });
    expect(parseStreamLine('{"data":{"id":"1","text":"t"},"errors":[{"title":"Not Found Error"}]}').kind).toBe('tweet');
  });

  it("a tweet with nothing but an id maps to nulls and twitter4j's -1 reply ids", () => {
    expect(toDoc({ id: '5' }, {})).toEqual({ ...emptyDoc('5'), retweeted: false, in_reply_to_user_id: -1n, in_reply_to_status_id: -1n });
    const video = toDoc(
      { id: '6', attachments: { media_keys: ['7_1'] }, author_id: 'u', public_metrics: { retweet_count: 'x' } },
      { media: [{ media_key: '7_1', type: 'video', preview_image_url: 'https://pbs.twimg.com/v.jpg' }], users: [{ id: 'other' }] },
    );
    expect(video).toMatchObject({
      media_url_https: 'https://pbs.twimg.com/v.jpg',
      expanded_url: null,
      user_name: null,
      retweet_count: null,
    });
    expect(toDoc({ id: '7', in_reply_to_user_id: '99999999999999999999' }, {}).in_reply_to_user_id).toBe(-1n); // beyond a long
  });

  it("dates in Flume's pattern, UTC", () => {
    expect(flumeDate('2024-05-01T12:34:56.789Z')).toBe('2024-05-01T12:34:56Z');
    expect(flumeDate('2024-05-01T14:34:56+02:00')).toBe('2024-05-01T12:34:56Z');
    expect(flumeDate('yesterday')).toBeNull();
    expect(flumeDate(undefined)).toBeNull();
  });

  it('backoff as the API asks', () => {
    const b = new ReconnectBackoff();
    expect(Array.from({ length: 66 }, () => b.next('network')).slice(0, 4)).toEqual([250, 500, 750, 1000]);
    expect(b.next('network')).toBe(16_000);
    expect([b.next('http'), b.next('http'), b.next('http')]).toEqual([5000, 10_000, 20_000]);
    for (let i = 0; i < 10; i++) b.next('http');
    expect(b.next('http')).toBe(320_000);
    expect([b.next('rate-limit'), b.next('rate-limit')]).toEqual([60_000, 120_000]);
    expect(b.next('rate-limit', 1_000_000, 1_030_000)).toBe(30_000);
    expect(b.next('rate-limit', 1_000_000, 900_000)).toBe(1000); // reset already passed
    b.reset();
    expect([b.next('network'), b.next('http'), b.next('rate-limit')]).toEqual([250, 5000, 60_000]);
    expect(rateLimitReset('1700000000')).toBe(1_700_000_000_000);
    expect(rateLimitReset('soon')).toBeUndefined();
    expect(rateLimitReset(undefined)).toBeUndefined();
  });

  it('keyword phrases', () => {
    expect(keywordRules([' hadoop', 'big   data ', '', 'hadoop', '#flume'])).toEqual(['hadoop', 'big data', '#flume']);
  });
});
