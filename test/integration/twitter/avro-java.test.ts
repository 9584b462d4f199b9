import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureArtifacts } from '../../../scripts/services/lib.mjs';
import { TwitterSource } from '../../../src/components/sources/twitter/index.js';
import type { ChannelProcessor } from '../../../src/core/source.js';
import type { Event } from '../../../src/core/event.js';
import { KEY, SECRET, TwitterStandIn, tweet, tweetId, type Step } from '../../components/sources/twitter/stand-in.js';
import { waitFor } from '../../support/agent-process.js';

/**
 * The Twitter source's event bodies read by Avro 1.11 (the jar Apache Flume 1.11 ships) with the schema Flume's
 * TwitterSource builds as reader schema, then re-written by Avro's own DataFileWriter with the same sync marker:
 * the bytes must be identical, so Flume-era readers (Hive/Spark/avro-tools jobs) read them as Flume's.
 */
const N = 1200;
let standIn: TwitterStandIn;
let bodies: Buffer[] = [];
let javaOut: string[] = [];

function streamSteps(): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < N; i++) {
    const msg = JSON.parse(tweet(i, { media: i % 3 === 0, reply: i % 4 === 0, retweet: i % 11 === 0 })) as {
      data: { text: string };
      includes: unknown;
    };
    if (i % 10 === 0) msg.data.text = `${'long text ✓ '.repeat(25)}\u0000\n\t\u2028`;
    if (i % 13 === 0) msg.includes = {}; // author not expanded: user fields null
    steps.push({ line: JSON.stringify(msg) });
    if (i % 100 === 0) steps.push({ keepalive: true });
  }
  return steps;
}

beforeAll(async () => {
  const lib = path.join(ensureArtifacts('flume'), '*');
  standIn = await new TwitterStandIn().start();
  standIn.script({ steps: streamSteps(), then: 'hold' });
  const events: Event[] = [];
  const processor: ChannelProcessor = {
    maxBatchSize: 1000,
    processEvent: async (e) => void events.push(e),
    processEventBatch: async (es) => void events.push(...es),
  };
  const source = new TwitterSource(
    'r1',
    {
      consumerKey: KEY,
      consumerSecret: SECRET,
      maxBatchSize: 500,
      maxBatchDurationMillis: 60_000,
      keywords: [],
      apiBaseUrl: standIn.url,
    },
    processor,
    pino({ level: 'warn' }),
  );
  await source.start();
  await waitFor(() => source.tweetsRead === N, 'every tweet read', 60_000);
  await source.stop(); // the last 200 tweets go out as a third batch
  bodies = events.map((e) => e.body);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flume-ts-twitter-java-'));
  const files = bodies.map((b, i) => {
    const f = path.join(dir, `batch-${i}.avro`);
    writeFileSync(f, b);
    return f;
  });
  execFileSync('javac', ['-d', dir, '-cp', lib, path.join(import.meta.dirname, 'java', 'TwitterAvroCheck.java')], { stdio: 'pipe' });
  javaOut = execFileSync('java', ['-Xmx256m', '-cp', `${dir}${path.delimiter}${lib}`, 'TwitterAvroCheck', ...files], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
    .trimEnd()
    .split('\n');
}, 240_000);

afterAll(async () => {
  await standIn?.stop();
});

describe("Twitter source output read by Avro 1.11 (Flume's jar) with Flume's schema", () => {
  it("every batch is a container Avro reads with Flume's schema, byte-identical to Avro's own DataFileWriter output", () => {
    expect(bodies.map((b) => b.length > 64_000)).toEqual([true, true, false]); // the full batches hold several blocks
    const heads = javaOut.filter((l) => l.startsWith('file '));
    expect(heads.map((l) => l.replace(/^file \S+ /, ''))).toEqual([
      'schemaEqual=true identical=true records=500',
      'schemaEqual=true identical=true records=500',
      'schemaEqual=true identical=true records=200',
    ]);
  });

  it('Java reads every tweet once, in order, with the values the source put in', () => {
    const records = javaOut.filter((l) => !l.startsWith('file ')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.id)).toEqual(Array.from({ length: N }, (_, i) => tweetId(i)));
    expect(records[13]).toMatchObject({ user_name: null, user_friends_count: null, created_at: '2024-05-01T12:00:13Z' });
    expect(records[3]).toMatchObject({
      user_friends_count: 20,
      user_screen_name: 'user0',
      media_url_https: 'https://pbs.twimg.com/media/a.jpg',
      retweet_count: 6,
    });
    expect(records[11]).toMatchObject({ retweeted: true, in_reply_to_user_id: -1 });
  });
});
