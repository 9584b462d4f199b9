/**
 * The sink conformance suite against every in-process sink. The RPC sinks deliver to the matching flume-ts source
 * over a gate channel (closing the gate makes the source refuse, i.e. the destination fail). The Kafka and HDFS sinks
 * run their failure and restart cases against real services in test/integration/{kafka,hdfs}/outage.test.ts.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { nullSink } from '../../src/components/sinks/null.js';
import { loggerSink } from '../../src/components/sinks/logger.js';
import { fileRollSink } from '../../src/components/sinks/file_roll.js';
import { avroSink } from '../../src/components/sinks/avro.js';
import { thriftSink } from '../../src/components/sinks/thrift.js';
import { httpSink } from '../../src/components/sinks/http.js';
import { ircSink } from '../../src/components/sinks/irc/index.js';
import net from 'node:net';
import { avroSource } from '../../src/components/sources/avro.js';
import { thriftSource } from '../../src/components/sources/thrift.js';
import type { RpcSource } from '../../src/components/rpc/rpc-source.js';
import { DefaultChannelProcessor } from '../../src/core/channel-processor.js';
import { ReplicatingChannelSelector } from '../../src/components/selectors/replicating.js';
import type { AnySpec } from '../../src/config/spec.js';
import type { Channel } from '../../src/core/channel.js';
import type { Sink } from '../../src/core/sink.js';
import { create, silentLogger } from '../support/context.js';
import { GateChannel } from './gate-channel.js';
import { sinkConformance, type SinkHandle } from './sink-suite.js';

/** A sink factory over `spec` with fixed properties; every instance is stopped by the handle. */
function instances(spec: AnySpec, channel: Channel, raw: () => Record<string, string>) {
  const made: Sink[] = [];
  return {
    newSink: async () => {
      const sink = create(spec, raw(), { name: 'k1', channel }) as Sink;
      await sink.start();
      made.push(sink);
      return sink;
    },
    stopAll: async () => {
      for (const s of made) await s.stop().catch(() => undefined);
    },
  };
}

for (const [name, spec] of [
  ['null', nullSink],
  ['logger', loggerSink],
] as const) {
  sinkConformance({
    name,
    failure: { none: 'no destination that can fail: the events are dropped or logged' },
    setup: async (channel): Promise<SinkHandle> => {
      const i = instances(spec, channel, () => ({ batchSize: '100' }));
      return { newSink: i.newSink, delivered: async () => undefined, stop: i.stopAll };
    },
  });
}

sinkConformance({
  name: 'file_roll',
  setup: async (channel): Promise<SinkHandle> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'file-roll-conformance-'));
    const i = instances(fileRollSink, channel, () => ({ 'sink.directory': dir, 'sink.rollInterval': '0', 'sink.batchSize': '100' }));
    return {
      newSink: i.newSink,
      delivered: async () =>
        fs.readdirSync(dir).flatMap((f) =>
          fs
            .readFileSync(path.join(dir, f), 'utf8')
            .split('\n')
            .filter((l) => l),
        ),
      // the directory removed (with the open file) and created again, as an operator's mistake and its repair
      fail: (on) => (on ? fs.rmSync(dir, { recursive: true, force: true }) : void fs.mkdirSync(dir, { recursive: true })),
      stop: async () => {
        await i.stopAll();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

for (const [name, spec, sourceSpec] of [
  ['avro', avroSink, avroSource],
  ['thrift', thriftSink, thriftSource],
] as const) {
  sinkConformance({
    name,
    setup: async (channel): Promise<SinkHandle> => {
      const gate = new GateChannel('peer');
      await gate.start();
      const processor = new DefaultChannelProcessor(new ReplicatingChannelSelector([gate], []), [], silentLogger);
      const source = create(sourceSpec, { bind: '127.0.0.1', port: '0' }, { name: 'r1', processor }) as unknown as RpcSource;
      await source.start();
      const i = instances(spec, channel, () => ({ hostname: '127.0.0.1', port: String(source.boundPort), 'batch-size': '100' }));
      return {
        newSink: i.newSink,
        delivered: async () => [...gate.committed],
        fail: (on) => void (gate.full = on),
        stop: async () => {
          await i.stopAll();
          await source.stop();
          await gate.stop();
        },
      };
    },
  });
}

/** http: a node:http endpoint that answers 200; failing = the endpoint stops listening (connection refused). */
sinkConformance({
  name: 'http',
  failure: 'backoff', // Flume's HttpSink rolls back and backs off on a failed POST; it never throws
  setup: async (channel): Promise<SinkHandle> => {
    const got: string[] = [];
    const server = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        got.push(Buffer.concat(parts).toString());
        res.end();
      });
    });
    const listen = (port: number) => new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    await listen(0);
    const port = (server.address() as { port: number }).port;
    const raw = () => ({ endpoint: `http://127.0.0.1:${port}/`, 'rollback.200': 'false', 'backoff.200': 'false' });
    const i = instances(httpSink, channel, raw);
    return {
      newSink: i.newSink,
      delivered: async () => [...got],
      fail: async (on) => {
        if (on) {
          server.closeAllConnections();
          await new Promise<void>((r) => server.close(() => r()));
        } else await listen(port);
      },
      stop: async () => {
        await i.stopAll();
        server.closeAllConnections();
        server.close();
      },
    };
  },
});

/**
 * irc: a tiny in-test IRC server (the real ngircd runs in test/components/sinks/irc.test.ts and test/integration/longtail)
 * that records the PRIVMSGs to #flume of clients that sent NICK, USER and JOIN #flume. IRC has no acknowledgement, so
 * failing = the server ends every connection and stops listening (a write after the server's FIN fails, a reconnect is
 * refused); recovering = listening again on the same port.
 */
sinkConformance({
  name: 'irc',
  setup: async (channel): Promise<SinkHandle> => {
    const got: string[] = [];
    const conns = new Set<net.Socket>();
    const server = net.createServer((sock) => {
      conns.add(sock);
      sock.on('close', () => conns.delete(sock));
      sock.on('error', () => undefined);
      const seen = new Set<string>();
      let buf = '';
      sock.setEncoding('utf8');
      sock.on('data', (d: string) => {
        buf += d;
        for (let nl = buf.indexOf('\r\n'); nl >= 0; nl = buf.indexOf('\r\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 2);
          const [cmd = '', arg = ''] = line.split(' ');
          const command = cmd.toUpperCase();
          if (command === 'NICK' || command === 'USER') seen.add(command);
          else if (command === 'JOIN' && arg === '#flume') seen.add('JOIN');
          else if (command === 'PRIVMSG' && line.startsWith('PRIVMSG #flume :') && seen.size === 3) got.push(line.slice(16));
        }
      });
    });
    const listen = (port: number) => new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    await listen(0);
    const port = (server.address() as net.AddressInfo).port;
    const i = instances(ircSink, channel, () => ({ hostname: '127.0.0.1', port: String(port), nick: 'flumets', chan: 'flume' }));
    return {
      newSink: i.newSink,
      // the server reads what the sink wrote asynchronously: wait (bounded) for the expected distinct bodies
      delivered: async (expected) => {
        const end = Date.now() + 5000;
        while (new Set(got).size < expected && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
        return [...got];
      },
      fail: async (on) => {
        if (!on) return listen(port);
        const closing = new Promise<void>((r) => server.close(() => r()));
        // end() and wait for the client's FIN: by then the client has seen ours, and its next write fails
        await Promise.all([...conns].map((c) => new Promise<void>((r) => (c.once('close', () => r()), c.end()))));
        await closing;
      },
      stop: async () => {
        await i.stopAll();
        for (const c of conns) c.destroy();
        if (server.listening) await new Promise<void>((r) => server.close(() => r()));
      },
    };
  },
});
