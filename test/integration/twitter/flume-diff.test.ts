/**
 * Differential test: the same agent configuration and the same tweets through real Apache Flume 1.11's TwitterSource
 * (twitter4j reading the v1.1 stream, served by the stand-in as v1.1 statuses) and through flume-ts (reading the
 * v2 stream, the same tweets as v2 objects with includes). Both write the event bodies with file_roll; the Avro
 * records read back must be equal field for field, except `source`, which v2 gives without v1.1's HTML link.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent, tmpDir, waitFor as waitForTs, type AgentProcess } from '../../support/agent-process.js';
import { startFlumeAgent, type FlumeAgent } from '../../support/services.js';
import { KEY, SECRET, TwitterStandIn, tweet, tweetId, tweetV1, type Step } from '../../components/sources/twitter/stand-in.js';
import { readContainers } from '../../components/sources/twitter/avro-read.js';
import type { TwitterDoc } from '../../../src/components/sources/twitter/schema.js';

const N = 300;
const kinds = (i: number) => ({ media: i % 3 === 0, reply: i % 4 === 0, retweet: i % 11 === 0 && i % 4 !== 0 });
/**
 * N tweets, then one more every 700 ms (longer than maxBatchDurationMillis): Flume cuts a batch only when a tweet
 * arrives, so the last of the N leave only when a later tweet comes. Only the first N are compared.
 */
const script = (render: (i: number) => string) => ({
  steps: Array.from({ length: N }, (_, i): Step => ({ line: render(i) })),
  then: 'hold' as const,
  tail: { everyMs: 700, line: (k: number) => render(N + k) },
});

const conf = (api: string, dir: string) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = org.apache.flume.source.twitter.TwitterSource
a1.sources.r1.channels = c1
a1.sources.r1.consumerKey = ${KEY}
a1.sources.r1.consumerSecret = ${SECRET}
a1.sources.r1.accessToken = 1234-token
a1.sources.r1.accessTokenSecret = token-secret
a1.sources.r1.maxBatchSize = 100
a1.sources.r1.maxBatchDurationMillis = 500
a1.sources.r1.apiBaseUrl = ${api}
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 100
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${dir}
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.serializer = TEXT
a1.sinks.k1.sink.serializer.appendNewline = false
`;

/** The records of the first N tweets in the sink's files. */
function docsIn(dir: string): TwitterDoc[] {
  const buf = Buffer.concat(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => fs.readFileSync(path.join(dir, f))),
  );
  return readContainers(buf)
    .flatMap((c) => c.docs)
    .filter((d) => BigInt(d.id) < BigInt(tweetId(N)));
}

let flume: FlumeAgent | undefined;
let ts: AgentProcess | undefined;
const standIns: TwitterStandIn[] = [];
afterAll(async () => {
  await ts?.stop('SIGTERM');
  await flume?.stop(15_000);
  for (const s of standIns) await s.stop();
});

describe('Twitter source: flume-ts (v2) against Flume 1.11 (v1.1), same config, same tweets', () => {
  it('writes the same Avro records', async () => {
    const v1 = await new TwitterStandIn().start();
    const v2 = await new TwitterStandIn().start();
    standIns.push(v1, v2);
    v1.script(script((i) => tweetV1(i, kinds(i))));
    v2.script(script((i) => tweet(i, kinds(i))));
    const flumeDir = tmpDir('flume-twitter-java-');
    const tsDir = tmpDir('flume-twitter-ts-');
    const flumeConf = path.join(tmpDir('flume-twitter-conf-'), 'flume.conf');
    fs.writeFileSync(flumeConf, conf(v1.url, flumeDir));
    flume = startFlumeAgent({
      confFile: flumeConf,
      name: 'a1',
      heap: '256m',
      args: ['--no-reload-conf'],
      logLevel: process.env.TW_DEBUG ? 'DEBUG' : undefined,
      props: { 'twitter4j.streamBaseURL': `${v1.url}/1.1/`, 'user.timezone': 'UTC' },
    });
    ts = startAgent(conf(v2.url, tsDir));
    await waitForTs(() => docsIn(tsDir).length === N, 'flume-ts output', 60_000, 100);
    await waitForTs(() => !flume!.alive() || docsIn(flumeDir).length === N, 'Flume output', process.env.TW_DEBUG ? 40_000 : 180_000, 250);
    expect(flume.alive()).toBe(true);
    const metaKeys = (dir: string) =>
      readContainers(fs.readFileSync(path.join(dir, fs.readdirSync(dir).sort()[0]!))).map((c) => Object.keys(c.meta));
    expect(metaKeys(tsDir)[0]).toEqual(metaKeys(flumeDir)[0]); // ['avro.schema'], same schema text (readContainers checks it)
    const java = docsIn(flumeDir);
    const ours = docsIn(tsDir);
    expect(java.map((d) => d.id)).toEqual(ours.map((d) => d.id));
    // v1.1 gave the app as an HTML link, v2 gives its name
    expect(java[0]!.source).toBe('<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>');
    const normal = java.map((d) => ({ ...d, source: d.source?.replace(/<[^>]*>/g, '') ?? null }));
    expect(ours).toEqual(normal);
    expect(v1.problems).toEqual([]);
    expect(v2.problems).toEqual([]);
  });
});
