import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { TwitterSource } from '../../../../src/components/sources/twitter/index.js';
import { ReconnectBackoff, type FailureKind } from '../../../../src/components/sources/twitter/backoff.js';
import { ChannelFullError } from '../../../../src/core/errors.js';
import type { ChannelProcessor } from '../../../../src/core/source.js';
import type { Event } from '../../../../src/core/event.js';
import { BEARER, KEY, SECRET, TwitterStandIn, tweet, tweetId, type Step } from './stand-in.js';
import { readContainers } from './avro-read.js';
import { waitFor } from '../../../support/agent-process.js';

/** The API's policy, 100× faster (a 429 with a reset time still waits for it). */
class FastBackoff extends ReconnectBackoff {
  readonly waits: { kind: FailureKind; ms: number }[] = [];
  override next(kind: FailureKind, now = Date.now(), resetAtMs?: number): number {
    const ms = super.next(kind, now, resetAtMs);
    this.waits.push({ kind, ms });
    return kind === 'rate-limit' && resetAtMs !== undefined ? ms : ms / 100;
  }
}

class Collector implements ChannelProcessor {
  readonly events: Event[] = [];
  refuse = 0;
  attempts = 0;
  readonly maxBatchSize = 1000;
  async processEvent(e: Event): Promise<void> {
    this.attempts++;
    if (this.refuse > 0) {
      this.refuse--;
      throw new ChannelFullError("Space for commit to queue couldn't be acquired");
    }
    this.events.push(e);
  }
  async processEventBatch(events: Event[]): Promise<void> {
    for (const e of events) await this.processEvent(e);
  }
  ids(): string[] {
    return this.events.flatMap((e) => readContainers(e.body).flatMap((c) => c.docs.map((d) => d.id)));
  }
}

let standIn: TwitterStandIn | undefined;
let source: TwitterSource | undefined;
let logText = '';

afterEach(async () => {
  await source?.stop();
  await standIn?.stop();
  source = undefined;
  standIn = undefined;
  logText = '';
});

function logger() {
  const sink = new Writable({ write: (c, _e, cb) => ((logText += c.toString()), cb()) });
  return pino({ level: 'debug' }, sink);
}

async function setUp(o: { maxBatchSize?: number; maxBatchDurationMillis?: number; keywords?: string; stallTimeoutMs?: number } = {}) {
  standIn = await new TwitterStandIn().start();
  const processor = new Collector();
  const backoff = new FastBackoff();
  source = new TwitterSource(
    'r1',
    {
      consumerKey: KEY,
      consumerSecret: SECRET,
      maxBatchSize: o.maxBatchSize ?? 1000,
      maxBatchDurationMillis: o.maxBatchDurationMillis ?? 1000,
      keywords: (o.keywords ?? '').split(','),
      apiBaseUrl: standIn.url,
      backoff,
      stallTimeoutMs: o.stallTimeoutMs,
    },
    processor,
    logger(),
  );
  return { standIn, processor, backoff, source };
}

const DISCONNECT = JSON.stringify({
  errors: [
    {
      title: 'operational-disconnect',
      disconnect_type: 'UpstreamOperationalDisconnect',
      detail: 'This stream has been disconnected upstream for operational reasons.',
      type: 'https://api.twitter.com/2/problems/operational-disconnect',
    },
  ],
});
const RATE_LIMITED = () => ({
  'x-rate-limit-limit': '50',
  'x-rate-limit-remaining': '0',
  'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + 1),
});

const lines = (from: number, to: number, o: Parameters<typeof tweet>[1] = {}): Step[] =>
  Array.from({ length: to - from }, (_, k) => ({ line: tweet(from + k, o) }));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => tweetId(from + k));

function expectNoSecrets(): void {
  for (const s of [KEY, SECRET, BEARER, Buffer.from(`${KEY}:${SECRET}`).toString('base64')]) expect(logText).not.toContain(s);
  expect(logText).not.toContain(encodeURIComponent(SECRET));
}

describe('Twitter source against a stand-in v2 API', () => {
  it('survives a disconnect, junk lines, error objects and a 429; every tweet arrives once, in order', async () => {
    const t = await setUp({ maxBatchSize: 7, maxBatchDurationMillis: 60_000 });
    const half = tweet(5);
    t.standIn.script(
      {
        steps: [
          { keepalive: true },
          ...lines(0, 5),
          { raw: half.slice(0, 40) },
          { pauseMs: 20 },
          { raw: `${half.slice(40)}\r\n` },
          { line: '{"data": {"id": "17900000' },
          { line: 'not json at all' },
          { line: '[1,2]' },
          { line: JSON.stringify({ errors: [{ title: 'Invalid Request', detail: 'partial error' }] }) },
          ...lines(6, 10),
          { keepalive: true },
        ],
        then: 'destroy',
      },
      { reply: 429, headers: RATE_LIMITED() },
      // after an operational-disconnect the source must not read on (tweets 90…94 never arrive)
      { steps: [...lines(10, 25), { line: DISCONNECT }, ...lines(90, 95)], then: 'hold' },
      { reply: 503, body: '{"title":"Service Unavailable"}' },
      { steps: lines(25, 30), then: 'hold' },
    );
    await t.source.start();
    // 30 tweets, batches of 7: 28 go by size; the last 2 when the source stops.
    await waitFor(() => t.source.tweetsRead === 30 && t.processor.ids().length >= 28, '30 tweets read, 28 delivered');
    await t.source.stop();
    expect(t.processor.ids()).toEqual(range(0, 30));
    expect(t.standIn.problems).toEqual([]);
    expect(t.standIn.tokenRequests).toHaveLength(1);
    expect(t.standIn.streamRequests.map((r) => r.path)).toEqual(Array(5).fill('/2/tweets/sample/stream'));
    const q = t.standIn.streamRequests[0]!.query;
    expect(q.get('expansions')).toBe('author_id,attachments.media_keys');
    expect(q.get('user.fields')).toContain('public_metrics');
    expect(q.get('media.fields')).toContain('preview_image_url');
    expect(t.backoff.waits.map((w) => w.kind)).toEqual(['network', 'rate-limit', 'network', 'http']);
    expect(t.backoff.waits[1]!.ms).toBeGreaterThanOrEqual(1000);
    expect(t.backoff.waits[3]!.ms).toBe(5000);
    // the 429 was honoured: the next connection came no earlier than the reset time allowed
    expect(t.standIn.streamRequests[2]!.at - t.standIn.streamRequests[1]!.at).toBeGreaterThanOrEqual(900);
    const c = t.source.counter;
    expect([c.get('EventReceivedCount'), c.get('EventAcceptedCount'), c.get('EventReadFail')]).toEqual([30, 30, 3]);
    expect(t.processor.events.every((e) => Object.keys(e.headers).length === 0)).toBe(true);
    expect(logText).toContain('operational-disconnect');
    expect(logText).toContain('malformed line in the Twitter stream skipped');
    expectNoSecrets();
  });

  it("fills Flume's record from the tweet and its includes", async () => {
    const t = await setUp({ maxBatchSize: 3, maxBatchDurationMillis: 60_000 });
    t.standIn.script({
      steps: [{ line: tweet(1, { media: true }) }, { line: tweet(2, { reply: true }) }, { line: tweet(3, { retweet: true }) }],
      then: 'hold',
    });
    await t.source.start();
    await waitFor(() => t.processor.events.length === 1, 'one batch');
    const [box] = readContainers(t.processor.events[0]!.body);
    expect(box!.docs).toHaveLength(3);
    expect(box!.docs[0]).toEqual({
      id: tweetId(1),
      user_friends_count: 20,
      user_location: 'Berlin',
      user_description: 'bio',
      user_statuses_count: 30,
      user_followers_count: 10,
      user_name: 'User 1',
      user_screen_name: 'user1',
      created_at: '2024-05-01T12:00:01Z',
      text: 'tweet 1 héllo 🐦 "quoted" \\ end',
      retweet_count: 2n,
      retweeted: false,
      in_reply_to_user_id: -1n,
      source: 'Twitter for iPhone',
      in_reply_to_status_id: -1n,
      media_url_https: 'https://pbs.twimg.com/media/a.jpg',
      expanded_url: `https://twitter.com/user/status/${tweetId(1)}/photo/1`,
    });
    expect(box!.docs[1]).toMatchObject({
      in_reply_to_user_id: 9000000000000000001n,
      in_reply_to_status_id: 1789999999999999999n,
      retweeted: false,
      media_url_https: null,
    });
    expect(box!.docs[2]).toMatchObject({ retweeted: true, in_reply_to_user_id: -1n });
  });

  it('cuts a batch by time even when no further tweet arrives', async () => {
    const t = await setUp({ maxBatchSize: 1000, maxBatchDurationMillis: 100 });
    t.standIn.script({ steps: [...lines(0, 3), { pauseMs: 300 }, ...lines(3, 5)], then: 'hold' });
    await t.source.start();
    await waitFor(() => t.processor.ids().length === 5, 'five tweets');
    expect(t.processor.ids()).toEqual(range(0, 5)); // the last ones went by the timer: no tweet came after them
  });

  it('retries a batch the channel refuses, without losing or repeating tweets', async () => {
    const t = await setUp({ maxBatchSize: 5, maxBatchDurationMillis: 60_000 });
    t.processor.refuse = 3;
    t.standIn.script({ steps: lines(0, 20), then: 'hold' });
    await t.source.start();
    await waitFor(() => t.processor.ids().length === 20, '20 tweets');
    expect(t.processor.ids()).toEqual(range(0, 20));
    expect(t.source.counter.get('ChannelWriteFail')).toBe(3);
    expect(t.source.counter.get('EventAcceptedCount')).toBe(20);
  });

  it('a refused token is logged with what to check, retried with backoff, and the source recovers', async () => {
    const t = await setUp({ maxBatchSize: 1 });
    t.standIn.tokenReplies = [401, 403];
    t.standIn.script({ steps: lines(0, 2), then: 'hold' });
    await t.source.start();
    await waitFor(() => t.processor.ids().length === 2, 'tweets after the token was granted');
    expect(t.standIn.tokenRequests).toHaveLength(3);
    expect(t.backoff.waits.map((w) => [w.kind, w.ms])).toEqual([
      ['http', 5000],
      ['http', 10000],
    ]);
    expect(logText).toMatch(/"level":50.*HTTP 401.*check consumerKey and consumerSecret/);
    expect(logText).toContain('Unable to verify your credentials');
    expectNoSecrets();
  });

  it('a bearer token the stream refuses is replaced by a new one', async () => {
    const t = await setUp({ maxBatchSize: 1 });
    t.standIn.script(
      { reply: 401, body: '{"title":"Unauthorized","detail":"Unauthorized","status":401}' },
      { steps: lines(0, 1), then: 'hold' },
    );
    await t.source.start();
    await waitFor(() => t.processor.ids().length === 1, 'a tweet');
    expect(t.standIn.tokenRequests).toHaveLength(2);
    expectNoSecrets();
  });

  it("keywords: reads the filtered stream after making the app's rules exactly the keyword phrases", async () => {
    const t = await setUp({ keywords: ' hadoop, big  data,,hadoop ', maxBatchSize: 2 });
    t.standIn.rules = [
      { id: '1', value: 'stale rule' },
      { id: '2', value: 'hadoop', tag: 'old' },
    ];
    t.standIn.script({ steps: lines(0, 2), then: 'hold' });
    await t.source.start();
    await waitFor(() => t.processor.ids().length === 2, 'filtered tweets');
    expect(t.standIn.streamRequests.map((r) => r.path)).toEqual(['/2/tweets/search/stream']);
    expect(t.standIn.rules.map((r) => r.value).sort()).toEqual(['big data', 'hadoop']);
    expect(t.standIn.ruleBodies).toEqual([{ delete: { ids: ['1'] } }, { add: [{ value: 'big data', tag: 'flume-ts keywords' }] }]);
    expect(t.standIn.problems).toEqual([]);
  });

  it('a stream that goes silent (no keep-alives) is dropped and reconnected', async () => {
    const t = await setUp({ maxBatchSize: 1, stallTimeoutMs: 300 });
    t.standIn.script({ steps: lines(0, 1), then: 'silent' }, { steps: lines(1, 2), then: 'hold' });
    await t.source.start();
    await waitFor(() => t.processor.ids().length === 2, 'the tweet after the reconnection');
    expect(t.processor.ids()).toEqual(range(0, 2));
    expect(logText).toContain('no data or keep-alive for 300 ms');
    expect(t.backoff.waits.map((w) => w.kind)).toEqual(['network']);
  });

  it('a UTF-8 character split between chunks is decoded whole', async () => {
    const t = await setUp({ maxBatchSize: 1 });
    const line = Buffer.from(`${tweet(0)}\r\n`, 'utf8');
    const cut = line.indexOf(Buffer.from('🐦')) + 2;
    t.standIn.script({ steps: [{ bytes: line.subarray(0, cut) }, { pauseMs: 30 }, { bytes: line.subarray(cut) }], then: 'hold' });
    await t.source.start();
    await waitFor(() => t.processor.events.length === 1, 'the tweet');
    expect(readContainers(t.processor.events[0]!.body)[0]!.docs[0]!.text).toBe('tweet 0 héllo 🐦 "quoted" \\ end');
  });

  it('an unreachable API is retried with the linear network backoff and stop() returns promptly', async () => {
    const t = await setUp();
    await t.standIn.stop();
    await t.source.start();
    await waitFor(() => t.backoff.waits.length >= 3, 'three attempts');
    expect(t.backoff.waits.slice(0, 3).map((w) => [w.kind, w.ms])).toEqual([
      ['network', 250],
      ['network', 500],
      ['network', 750],
    ]);
    const t0 = Date.now();
    await t.source.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    standIn = undefined;
  });
});
