/**
 * The classic Flume example end to end with the real agent (bin/flume-ts) and a real HDFS: netcat → memory → hdfs
 * with hdfs.fileType = DataStream, writeFormat = Text, batchSize = 100, rollSize = 0, rollCount = 10000. Lines typed
 * into netcat are, byte for byte, the content of the new FlumeData.<timestamp> file read back through WebHDFS.
 * (Needs `npm run build`: bin/flume-ts runs dist/.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canConnect, freePort, sendLines, startAgent, waitFor, type AgentProcess } from '../../support/agent-process.js';
import { useServices, type Services } from '../../support/services.js';
import type { WebHdfsClient } from '../../../src/components/sinks/hdfs/webhdfs.js';
import { clientFor, ls } from './helpers.js';

let svc: Services<'hdfs'>;
let c: WebHdfsClient;
let agent: AgentProcess | undefined;
const dir = `/user/x/flume_example_${process.pid}`;

beforeAll(async () => {
  svc = await useServices(['hdfs']);
  c = clientFor(svc);
});
afterAll(async () => {
  await agent?.stop('SIGKILL');
  await c?.delete(dir, true).catch(() => undefined);
  c?.destroy();
  await svc?.release();
});

describe('agent end to end: netcat → memory → hdfs (the classic example)', () => {
  it('writes exactly the lines sent through netcat into FlumeData.<timestamp>', async () => {
    const port = await freePort();
    const conf = `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = hdfs
a1.sinks.k1.channel = c1
a1.sinks.k1.hdfs.path = hdfs://${svc.hdfs.host}:${svc.hdfs.rpcPort}${dir}
a1.sinks.k1.hdfs.fileType = DataStream
a1.sinks.k1.hdfs.writeFormat = Text
a1.sinks.k1.hdfs.batchSize = 100
a1.sinks.k1.hdfs.rollSize = 0
a1.sinks.k1.hdfs.rollCount = 10000
# flume-ts: the NameNode's WebHDFS (HTTP) address, as the harness does not use the default port 9870
a1.sinks.k1.hdfs.webhdfs.address = ${svc.hdfs.host}:${svc.hdfs.httpPort}
`;
    const t0 = Date.now();
    agent = startAgent(conf);
    await waitFor(() => canConnect(port), 'netcat port');
    const lines = Array.from({ length: 1000 }, (_, i) => `hello hdfs ${i} ${'é'.repeat(i % 3)}`);
    const replies = await sendLines(port, lines);
    expect(replies.every((r) => r === 'OK')).toBe(true);
    // the sink commits after each flush: the lines are readable while the file is still in use
    const file = await waitFor(async () => {
      const names = await ls(c, dir);
      if (names.length !== 1) return undefined;
      const st = await c.getFileStatus(`${dir}/${names[0]}`);
      return st && st.length === Buffer.byteLength(lines.join('\n') + '\n') ? names[0] : undefined;
    }, 'all lines in HDFS');
    expect(file).toMatch(/^FlumeData\.\d{13}\.tmp$/);
    expect(Number(file!.split('.')[1])).toBeGreaterThanOrEqual(t0);
    expect(await agent.stop('SIGTERM')).toBe(0);
    agent = undefined;
    const names = await ls(c, dir);
    expect(names).toEqual([file!.replace(/\.tmp$/, '')]);
    expect((await c.open(`${dir}/${names[0]}`)).toString('utf8')).toBe(lines.join('\n') + '\n');
  }, 120_000);
});
