/**
 * The sink conformance suite against the sinks that need a real service: Kafka (records read back from the topic), HDFS
 * (files read back over WebHDFS) and Elasticsearch (documents searched back). Their destination-failure cases (broker,
 * NameNode or Elasticsearch down) run in test/integration/{kafka,hdfs,elasticsearch}/outage.test.ts, which restart
 * private service instances.
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
import { elasticsearchSink } from '../../../src/components/sinks/elasticsearch/index.js';
import { es } from '../elasticsearch/helpers.js';

let svc: Services<'kafka' | 'hdfs' | 'es'>;
beforeAll(async () => {
  svc = await useServices(['kafka', 'hdfs', 'es']);
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

sinkConformance({
  name: 'elasticsearch',
  failure: { none: 'an Elasticsearch outage needs a private instance: test/integration/elasticsearch/outage.test.ts' },
  setup: async (channel) => {
    const index = uniqueName('sink-conformance');
    const made: Sink[] = [];
    return {
      newSink: async () => {
        const sink = create(
          elasticsearchSink,
          { hostNames: svc.es.node, indexName: index, indexNameBuilder: 'SimpleIndexNameBuilder', batchSize: '100' },
          { name: 'k1', channel },
        ) as Sink;
        await sink.start();
        made.push(sink);
        return sink;
      },
      delivered: async () => {
        await es(svc.es.node, 'POST', `/${index}/_refresh`);
        const r = await es(svc.es.node, 'GET', `/${index}/_search?size=10000`);
        return ((r.json?.hits?.hits ?? []) as { _source: Record<string, unknown> }[]).map((h) => String(h._source['@message']));
      },
      stop: async () => {
        for (const s of made) await s.stop().catch(() => undefined);
        await es(svc.es.node, 'DELETE', `/${index}`);
      },
    };
  },
});
