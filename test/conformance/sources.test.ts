/**
 * The source conformance suite against every in-process source. The RPC sources are driven by the matching flume-ts
 * sink as their client (a refused batch is an EventDeliveryError there). The Kafka source (offsets committed only
 * after the channel commit) runs against a real broker in test/integration/conformance/sources.test.ts, the jms source
 * (settled only after the channel commit) against Artemis in test/integration/jms/jms.test.ts.
 */
import net from 'node:net';
import { NetcatSource } from '../../src/components/sources/netcat.js';
import { netcatUdpSource, type NetcatUdpSource } from '../../src/components/sources/netcatudp.js';
import { seqSource, type SequenceGeneratorSource } from '../../src/components/sources/seq.js';
import { avroSource } from '../../src/components/sources/avro.js';
import { thriftSource } from '../../src/components/sources/thrift.js';
import { avroSink } from '../../src/components/sinks/avro.js';
import { thriftSink } from '../../src/components/sinks/thrift.js';
import type { RpcSource } from '../../src/components/rpc/rpc-source.js';
import type { RpcSink } from '../../src/components/rpc/rpc-sink.js';
import { httpSource } from '../../src/components/sources/http/index.js';
import type { HttpSource } from '../../src/components/sources/http/source.js';
import { stressSource, type StressSource } from '../../src/components/sources/stress.js';
import { createEvent } from '../../src/core/event.js';
import type { ChannelProcessor } from '../../src/core/source.js';
import { create, memory, silentLogger } from '../support/context.js';
import { syslogTcpSource, type SyslogTcpSource } from '../../src/components/sources/syslogtcp.js';
import { multiportSyslogTcpSource, type MultiportSyslogTcpSource } from '../../src/components/sources/multiport_syslogtcp.js';
import { syslogUdpSource, type SyslogUdpSource } from '../../src/components/sources/syslogudp.js';
import { scribeSource, type ScribeSource } from '../../src/components/sources/scribe/index.js';
import { decodeScribeReply, encodeScribeCall } from '../../src/components/sources/scribe/protocol.js';
import { execSource, type ExecSource } from '../../src/components/sources/exec.js';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { taildirSource, type TaildirSource } from '../../src/components/sources/taildir/index.js';
import { spoolDirSource, type SpoolDirectorySource } from '../../src/components/sources/spooldir/index.js';
import path from 'node:path';
import { tmpDir } from '../support/agent-process.js';
import { TwitterSource } from '../../src/components/sources/twitter/source.js';
import { KEY, SECRET, TwitterStandIn, tweet, tweetId } from '../components/sources/twitter/stand-in.js';
import { readContainers } from '../components/sources/twitter/avro-read.js';
import { sourceConformance, type ProducerSourceHandle, type PushSourceHandle } from './source-suite.js';

/** Sends lines over one connection and reads one reply per line: all `OK` is an acknowledgement. */
function netcatSend(port: number, lines: string[]): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      const replies = got.split('\n').filter((l) => l);
      if (replies.length >= lines.length) {
        s.end();
        resolve(replies.every((r) => r === 'OK'));
      }
    });
    s.on('error', reject);
    s.write(lines.map((l) => l + '\n').join(''));
  });
}

sourceConformance({
  name: 'netcat',
  kind: 'push',
  start: async (processor) => {
    const src = new NetcatSource(
      'r1',
      { bind: '127.0.0.1', port: 0, maxLineLength: 512, ackEveryEvent: true, encoding: 'utf-8' },
      processor,
      silentLogger,
    );
    await src.start();
    return { send: (lines) => netcatSend(src.boundPort!, lines), stop: () => src.stop() };
  },
});

/** An RPC source with the matching sink as its client: the sink's batch is acknowledged or it throws. */
async function rpcHandle(source: RpcSource, sinkSpec: typeof avroSink | typeof thriftSink): Promise<PushSourceHandle> {
  await source.start();
  const ch = memory('client', 1000, 100);
  await ch.start();
  const sink = create(
    sinkSpec,
    // one batch at a time (avro's batches-in-flight = 1): each send() is acknowledged or throws
    {
      hostname: '127.0.0.1',
      port: String(source.boundPort),
      'batch-size': '100',
      ...(sinkSpec === avroSink ? { 'batches-in-flight': '1' } : {}),
    },
    { name: 'k1', channel: ch },
  ) as RpcSink;
  await sink.start();
  return {
    send: async (bodies) => {
      const tx = ch.begin();
      tx.putAll(bodies.map((b) => createEvent(b)));
      await tx.commit();
      try {
        await sink.process();
        return true;
      } catch {
        return false;
      } finally {
        // a refused batch stays in the client's channel (rolled back); the test resends it itself
        while (ch.size() > 0) {
          const t = ch.begin();
          await t.take(100);
          await t.commit();
        }
      }
    },
    stop: async () => {
      await sink.stop();
      await source.stop();
    },
  };
}

for (const [name, spec, sink] of [
  ['avro', avroSource, avroSink],
  ['thrift', thriftSource, thriftSink],
] as const) {
  sourceConformance({
    name,
    kind: 'push',
    start: (processor: ChannelProcessor) =>
      rpcHandle(create(spec, { bind: '127.0.0.1', port: '0' }, { name: 'r1', processor }) as unknown as RpcSource, sink),
  });
}

sourceConformance({
  name: 'seq',
  kind: 'poll',
  start: async (processor) => {
    const src = create(seqSource, { batchSize: '5', totalEvents: '1000' }, { name: 'r1', processor }) as SequenceGeneratorSource;
    await src.start();
    return { process: () => src.process(), expected: (n) => Array.from({ length: n }, (_, i) => String(i)), stop: () => src.stop() };
  },
});

/**
 * netcatudp has no acknowledgement and UDP no back-pressure (Flume drops a datagram the channel refuses, counting
 * it): its entry checks that each datagram is committed and that the source keeps receiving after refusals.
 */
sourceConformance({
  name: 'netcatudp',
  kind: 'push',
  start: async (processor) => {
    let accepted = 0;
    let refused = 0;
    const counting: ChannelProcessor = Object.assign(Object.create(processor) as ChannelProcessor, {
      processEvent: (e: Parameters<ChannelProcessor['processEvent']>[0]) =>
        processor.processEvent(e).then(
          () => void accepted++,
          (err: unknown) => {
            refused++;
            throw err;
          },
        ),
    });
    const src = create(netcatUdpSource, { bind: '127.0.0.1', port: '0' }, { name: 'r1', processor: counting }) as NetcatUdpSource;
    await src.start();
    const dgram = await import('node:dgram');
    const sock = dgram.createSocket('udp4');
    return {
      send: async (bodies) => {
        const [a0, r0] = [accepted, refused];
        for (const b of bodies) await new Promise<void>((r) => sock.send(b + '\n', src.boundPort!, '127.0.0.1', () => r()));
        const end = Date.now() + 10_000;
        while (accepted - a0 + refused - r0 < bodies.length && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
        return accepted - a0 === bodies.length;
      },
      stop: async () => {
        sock.close();
        await src.stop();
      },
    };
  },
});

/** http (JSONHandler): one POST per batch; 200 is the acknowledgement, 503 the refusal (channel full). */
sourceConformance({
  name: 'http',
  kind: 'push',
  start: async (processor) => {
    const src = create(httpSource, { bind: '127.0.0.1', port: '0' }, { name: 'r1', processor }) as unknown as HttpSource;
    await src.start();
    return {
      send: async (lines) => {
        const res = await fetch(`http://127.0.0.1:${src.boundPort}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=UTF-8' },
          body: JSON.stringify(lines.map((body) => ({ headers: {}, body }))),
        });
        await res.arrayBuffer();
        return res.status === 200;
      },
      stop: () => src.stop(),
    };
  },
});

sourceConformance({
  name: 'org.apache.flume.source.StressSource',
  kind: 'poll',
  start: async (processor) => {
    const src = create(stressSource, { size: '16', batchSize: '5', maxTotalEvents: '1000' }, { name: 'r1', processor }) as StressSource;
    await src.start();
    return { process: () => src.process(), expected: (n) => Array.from({ length: n }, () => '\x7f'.repeat(16)), stop: () => src.stop() };
  },
});

/** A line-per-event TCP source without acknowledgement: one connection, each body one line (no syslog header). */
async function tcpLines(port: number, stop: () => Promise<void>): Promise<ProducerSourceHandle> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  return {
    produce: (lines) => new Promise<void>((r) => sock.write(lines.map((l) => l + '\n').join(''), () => r())),
    stop: async () => {
      sock.destroy();
      await stop();
    },
  };
}

/**
 * The syslog sources have no acknowledgement; a batch the channel refuses is retried with the connection paused (UDP:
 * queued), so they run as producers: nothing committed while refused, everything exactly once afterwards.
 */
sourceConformance({
  name: 'syslogtcp',
  kind: 'producer',
  start: async (processor) => {
    const src = create(syslogTcpSource, { host: '127.0.0.1', port: '0' }, { name: 'r1', processor }) as unknown as SyslogTcpSource;
    await src.start();
    return tcpLines(src.boundPort!, () => src.stop());
  },
});

sourceConformance({
  name: 'multiport_syslogtcp',
  kind: 'producer',
  start: async (processor) => {
    const src = create(
      multiportSyslogTcpSource,
      { host: '127.0.0.1', ports: '0' },
      { name: 'r1', processor },
    ) as unknown as MultiportSyslogTcpSource;
    await src.start();
    return tcpLines(src.boundPorts[0]!, () => src.stop());
  },
});

sourceConformance({
  name: 'syslogudp',
  kind: 'producer',
  start: async (processor) => {
    const src = create(syslogUdpSource, { host: '127.0.0.1', port: '0' }, { name: 'r1', processor }) as unknown as SyslogUdpSource;
    await src.start();
    const dgram = await import('node:dgram');
    const sock = dgram.createSocket('udp4');
    return {
      // one datagram per body; loopback does not lose them at this rate
      produce: async (bodies) => {
        for (const b of bodies) await new Promise<void>((r) => sock.send(b, src.boundPort!, '127.0.0.1', () => r()));
      },
      stop: async () => {
        sock.close();
        await src.stop();
      },
    };
  },
});

/** Scribe: one Thrift Log call per batch on one framed connection; OK is the acknowledgement, TRY_LATER the refusal. */
sourceConformance({
  name: 'org.apache.flume.source.scribe.ScribeSource',
  kind: 'push',
  start: async (processor) => {
    const src = create(scribeSource, { bind: '127.0.0.1', port: '0' }, { name: 'r1', processor }) as unknown as ScribeSource;
    await src.start();
    const sock = net.connect(src.boundPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
    let buf = Buffer.alloc(0);
    let waiting: ((frame: Buffer) => void) | undefined;
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (waiting && buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
        buf = buf.subarray(4 + frame.length);
        const w = waiting;
        waiting = undefined;
        w(frame);
      }
    });
    let seq = 0;
    return {
      send: async (bodies) => {
        const reply = new Promise<Buffer>((r) => (waiting = r));
        sock.write(
          encodeScribeCall(
            ++seq,
            bodies.map((b) => ({ category: 'c', message: Buffer.from(b) })),
          ),
        );
        const r = decodeScribeReply(await reply);
        if (r.code !== 'OK' && r.code !== 'TRY_LATER') throw new Error(`unexpected Scribe reply ${JSON.stringify(r)}`);
        return r.code === 'OK';
      },
      stop: async () => {
        sock.destroy();
        await src.stop();
      },
    };
  },
});

/** exec: the command follows a file the test appends to; a refused batch is retried with the command's stdout paused. */
sourceConformance({
  name: 'exec',
  kind: 'producer',
  start: async (processor) => {
    const dir = tmpDir('conf-exec-');
    const file = path.join(dir, 'in.log');
    writeFileSync(file, '');
    const src = create(
      execSource,
      { command: `tail -s 0.05 -n +1 -F ${file}`, batchSize: '100', batchTimeout: '20' },
      { name: 'r1', processor },
    ) as unknown as ExecSource;
    await src.start();
    return {
      produce: async (lines) => appendFileSync(file, lines.map((l) => l + '\n').join('')),
      stop: async () => {
        await src.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

/**
 * spooldir: each produce drops a complete file into the directory (written beside it, then renamed in); a file is
 * marked done only after its events are committed, so a refused batch is read again, never skipped.
 */
sourceConformance({
  name: 'spooldir',
  kind: 'producer',
  start: async (processor) => {
    const dir = tmpDir('conf-spool-');
    const spool = path.join(dir, 'spool');
    mkdirSync(spool);
    const src = create(
      spoolDirSource,
      { spoolDir: spool, pollDelay: '20', batchSize: '4' },
      { name: 'r1', processor },
    ) as unknown as SpoolDirectorySource;
    await src.start();
    let n = 0;
    return {
      produce: async (lines) => {
        const tmp = path.join(dir, `f${++n}.log`);
        writeFileSync(tmp, lines.map((l) => l + '\n').join(''));
        renameSync(tmp, path.join(spool, `f${n}.log`));
      },
      // files marked done (renamed with the .COMPLETED suffix) only once all their events are committed
      progress: () => readdirSync(spool).filter((f) => f.endsWith('.COMPLETED')).length,
      stop: async () => {
        await src.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

/** TAILDIR: the test appends to a followed file; the position file moves only after a commit (progress = its bytes). */
sourceConformance({
  name: 'TAILDIR',
  kind: 'producer',
  start: async (processor) => {
    const dir = tmpDir('conf-taildir-');
    const logs = path.join(dir, 'logs');
    mkdirSync(logs);
    const file = path.join(logs, 'app.log');
    writeFileSync(file, '');
    const positionFile = path.join(dir, 'pos.json');
    const src = create(
      taildirSource,
      { filegroups: 'g', 'filegroups.g': `${logs}/app\\.log`, positionFile, batchSize: '4', writePosInterval: '100' },
      { name: 'r1', processor },
    ) as unknown as TaildirSource;
    await src.start();
    return {
      produce: async (lines) => appendFileSync(file, lines.map((l) => l + '\n').join('')),
      progress: () =>
        existsSync(positionFile) ? (JSON.parse(readFileSync(positionFile, 'utf8')) as { pos: number }[]).reduce((n, e) => n + e.pos, 0) : 0,
      stop: async () => {
        await src.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

/**
 * Twitter: the local stand-in for the X API v2 streams a tweet per produced body (its text carries the body); each event
 * is an Avro container of tweets, so what the channel committed is read back from the containers.
 */
const twitterTexts = new Map<string, string>();
sourceConformance({
  name: 'twitter',
  kind: 'producer',
  decode: (e) => readContainers(e.body).flatMap((c) => c.docs.map((d) => twitterTexts.get(String(d.id)) ?? `?${String(d.id)}`)),
  start: async (processor) => {
    const standIn = await new TwitterStandIn().start();
    const queue: string[] = [];
    // the stream holds the connection and writes a queued tweet (or a keep-alive) every 10 ms
    standIn.script({ steps: [], then: 'hold', tail: { everyMs: 10, line: () => queue.shift() ?? '' } });
    const src = new TwitterSource(
      'r1',
      {
        consumerKey: KEY,
        consumerSecret: SECRET,
        maxBatchSize: 4,
        maxBatchDurationMillis: 50,
        keywords: [''],
        apiBaseUrl: standIn.url,
      },
      processor,
      silentLogger,
    );
    await src.start();
    let n = twitterTexts.size;
    return {
      produce: async (bodies) => {
        for (const b of bodies) {
          twitterTexts.set(tweetId(n), b);
          queue.push(tweet(n++));
        }
      },
      stop: async () => {
        await src.stop();
        await standIn.stop();
      },
    };
  },
});
