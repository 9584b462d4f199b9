/**
 * The sink conformance suite against the sinks that need a real service: Kafka (records read back from the topic) and
 * HDFS (files read back over WebHDFS). Their destination-failure cases (broker or NameNode down) run in
 * test/integration/{kafka,hdfs}/outage.test.ts, which restart private service instances.
 */
import { afterAll, beforeAll } from 'vitest';
import { kafkaSink } from '../../../src/components/sinks/kafka.js';
import type { HdfsSink } from '../../../src/components/sinks/hdfs/sink.js';
import type { Sink } from '../../../src/core/sink.js';
import { create } from '../../support/context.js';
import { useServices, type Services } from '../../support/services.js';
import { sinkConformance } from '../../conformance/sink-suite.js';
import { client, createTopic, readTopic, uniqueName } from '../kafka/helpers.js';
import { clientFor, ls, makeSink } from '../hdfs/helpers.js';

let svc: Services<'kafka' | 'hdfs'>;
beforeAll(async () => {
  svc = await useServices(['kafka', 'hdfs']);
});
afterAll(async () => {
  await svc?.release();
});

sinkConformance({
  name: 'kafka',
  failure: { none: 'a broker outage needs a private broker: test/integration/kafka/outage.test.ts' },
  setup: async (channel) => {
    const topic = uniqueName('sink-conformance');
    const kafka = client(svc.kafka.brokers);
    await createTopic(kafka, topic, 3);
    const made: Sink[] = [];
    return {
      newSink: async () => {
        const sink = create(
          kafkaSink,
          { 'kafka.bootstrap.servers': svc.kafka.bootstrap, 'kafka.topic': topic, 'kafka.producer.acks': '-1' },
          { name: 'k1', channel },
        ) as Sink;
        await sink.start();
        made.push(sink);
        return sink;
      },
      delivered: async (expected) => (await readTopic(kafka, topic, expected, 30_000)).map((r) => r.value.toString()),
      stop: async () => {
        for (const s of made) await s.stop().catch(() => undefined);
      },
    };
  },
});

sinkConformance({
  name: 'hdfs',
  failure: { none: 'a NameNode outage needs a private HDFS: test/integration/hdfs/outage.test.ts' },
  setup: async (channel) => {
    const dir = `/conformance/${uniqueName('hdfs')}`;
    const hdfsSvc = svc as unknown as Services<'hdfs'>;
    const fs = clientFor(hdfsSvc);
    const made: HdfsSink[] = [];
    return {
      newSink: async () => {
        const { sink } = makeSink(
          hdfsSvc,
          { 'hdfs.path': dir, 'hdfs.fileType': 'DataStream', 'hdfs.rollCount': '0', 'hdfs.rollSize': '0', 'hdfs.rollInterval': '0' },
          channel,
        );
        await sink.start();
        made.push(sink);
        return sink;
      },
      delivered: async () => {
        for (const s of made) await s.settle();
        const out: string[] = [];
        for (const f of await ls(fs, dir))
          out.push(
            ...(await fs.open(`${dir}/${f}`))
              .toString()
              .split('\n')
              .filter((l) => l),
          );
        return out;
      },
      stop: async () => {
        for (const s of made) await s.stop().catch(() => undefined);
      },
    };
  },
});
