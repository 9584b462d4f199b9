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
