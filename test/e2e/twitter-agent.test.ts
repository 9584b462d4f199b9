import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect, freePort, sendLines, startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';
import { BEARER, KEY, SECRET, TwitterStandIn, tweet, tweetId, type Step } from '../components/sources/twitter/stand-in.js';
import { readContainers } from '../components/sources/twitter/avro-read.js';

let agent: AgentProcess | undefined;
let standIn: TwitterStandIn | undefined;
afterEach(async () => {
  await agent?.stop('SIGKILL');
  await standIn?.stop();
  agent = undefined;
  standIn = undefined;
});

/** The course's Twitter agent (its HDFS sink swapped for file_roll writing the event bodies as they are). */
function courseConf(api: string, dir: string, extra = ''): string {
  return `TwitterAgent.sources = Twitter
TwitterAgent.channels = MemChannel
TwitterAgent.sinks = Files

TwitterAgent.sources.Twitter.type = org.apache.flume.source.twitter.TwitterSource
TwitterAgent.sources.Twitter.channels = MemChannel
TwitterAgent.sources.Twitter.consumerKey = ${KEY}
TwitterAgent.sources.Twitter.consumerSecret = ${SECRET}
TwitterAgent.sources.Twitter.accessToken = 1234567890-AccessTokenValueXYZ
TwitterAgent.sources.Twitter.accessTokenSecret = AccessTokenSecretValueXYZ
TwitterAgent.sources.Twitter.maxBatchSize = 50
TwitterAgent.sources.Twitter.maxBatchDurationMillis = 200
TwitterAgent.sources.Twitter.apiBaseUrl = ${api}

TwitterAgent.channels.MemChannel.type = memory
TwitterAgent.channels.MemChannel.capacity = 10000
TwitterAgent.channels.MemChannel.transactionCapacity = 100

TwitterAgent.sinks.Files.type = file_roll
TwitterAgent.sinks.Files.channel = MemChannel
TwitterAgent.sinks.Files.sink.directory = ${dir}
TwitterAgent.sinks.Files.sink.rollInterval = 0
TwitterAgent.sinks.Files.sink.serializer = text
TwitterAgent.sinks.Files.sink.serializer.appendNewline = false
${extra}`;
}

const SECRETS = [KEY, SECRET, BEARER, '1234567890-AccessTokenValueXYZ', 'AccessTokenSecretValueXYZ'];
const lines = (from: number, to: number): Step[] =>
  Array.from({ length: to - from }, (_, k) => ({ line: tweet(from + k, { media: (from + k) % 5 === 0, reply: (from + k) % 7 === 0 }) }));

function readDocs(dir: string) {
  const buf = Buffer.concat(
    readdirSync(dir)
      .sort()
      .map((f) => readFileSync(path.join(dir, f))),
  );
  return readContainers(buf);
}

describe('agent end to end: Twitter source (course config) → memory → file_roll', () => {
  it("writes every tweet once, as Avro containers with Flume's schema, across a disconnect and a 429", async () => {
    standIn = await new TwitterStandIn().start();
    standIn.script(
      { steps: [{ keepalive: true }, ...lines(0, 120), { keepalive: true }], then: 'destroy' },
      { reply: 429, headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + 1) } },
      { steps: lines(120, 260), then: 'end' },
      { steps: [...lines(260, 300), { keepalive: true }], then: 'hold' },
    );
    const dir = tmpDir('flume-ts-twitter-');
    const mport = await freePort();
    agent = startAgent(courseConf(standIn.url, dir), ['-Dflume.monitoring.type=http', `-Dflume.monitoring.port=${mport}`], 'TwitterAgent');
    await waitFor(() => readDocs(dir).flatMap((c) => c.docs).length >= 300, '300 tweets in the files', 60_000, 100);
    const metrics = (await (await fetch(`http://127.0.0.1:${mport}/metrics`)).json()) as Record<string, Record<string, string>>;
    expect(metrics['SOURCE.Twitter']).toMatchObject({ Type: 'SOURCE', EventReceivedCount: '300', EventAcceptedCount: '300' });
    expect(await agent.stop('SIGTERM')).toBe(0);
    const containers = readDocs(dir);
    const docs = containers.flatMap((c) => c.docs);
    expect(docs.map((d) => d.id)).toEqual(Array.from({ length: 300 }, (_, i) => tweetId(i)));
    expect(containers.every((c) => c.docs.length >= 1 && c.docs.length <= 50)).toBe(true);
    expect(docs[5]).toMatchObject({
      media_url_https: 'https://pbs.twimg.com/media/a.jpg',
      user_screen_name: 'user2',
      created_at: '2024-05-01T12:00:05Z',
    });
    expect(docs[7]!.in_reply_to_status_id).toBe(1789999999999999999n);
    expect(standIn.problems).toEqual([]);
    expect(standIn.tokenRequests).toHaveLength(1);
    expect(standIn.streamRequests.length).toBe(4);
    const log = agent.stderr();
    expect(log.match(/connected to the Twitter stream/g)).toHaveLength(3);
    expect(log).toContain('HTTP 429');
    for (const s of SECRETS) expect(log).not.toContain(s);
  });

  it('a refused token: the error says what to check, the agent stays up and its other sources keep working', async () => {
    standIn = await new TwitterStandIn().start();
    standIn.tokenReplies = Array(10).fill(403);
    const dir = tmpDir('flume-ts-twitter-');
    const port = await freePort();
    const conf = courseConf(
      standIn.url,
      dir,
      `TwitterAgent.sources.Nc.type = netcat
TwitterAgent.sources.Nc.bind = 127.0.0.1
TwitterAgent.sources.Nc.port = ${port}
TwitterAgent.sources.Nc.channels = MemChannel
`,
    ).replace('TwitterAgent.sources = Twitter', 'TwitterAgent.sources = Twitter Nc');
    agent = startAgent(conf, [], 'TwitterAgent');
    await waitFor(() => /check consumerKey and consumerSecret/.test(agent!.stderr()), 'the token error', 30_000, 50);
    await waitFor(() => canConnect(port), 'netcat port');
    expect(await sendLines(port, ['still up'])).toEqual(['OK']);
    expect(agent.child.exitCode).toBeNull();
    const log = agent.stderr();
    expect(log).toMatch(/FLUME_TWITTER_AUTH/);
    expect(log).toMatch(/"retryInMs":5000/);
    for (const s of SECRETS) expect(log).not.toContain(s);
  });
});
