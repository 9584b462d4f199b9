/**
 * The elasticsearch sink against the real Elasticsearch 8.19 of the harness: a whole netcat → memory →
 * elasticsearch agent (the course-style properties) delivering 100 000 lines as LogStash documents in the daily
 * index, a mapping conflict going to the dead-letter file, and the start-up checks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices, type Services } from '../../support/services.js';
import { freePort, sendLines, startAgent, tmpDir, waitFor, type AgentProcess } from '../../support/agent-process.js';
import { createEvent } from '../../../src/core/event.js';
import { channel, count, es, makeSink, utcDay } from './helpers.js';

let svc: Services<'es'>;
const tag = `it${process.pid}`;

beforeAll(async () => {
  svc = await useServices(['es']);
});
afterAll(async () => {
  await es(svc.es.node, 'DELETE', `/${tag}-*`).catch(() => undefined);
  await svc?.release();
});

describe('elasticsearch sink on Elasticsearch 8.19', () => {
  let agent: AgentProcess | undefined;
  afterAll(async () => {
    agent?.child.kill('SIGTERM');
    await agent?.exited;
  });

  it('a netcat → memory → elasticsearch agent delivers 100 000 lines as LogStash documents in the daily index', async () => {
    const port = await freePort();
    const index = `${tag}-course`;
    const conf = `
a1.sources = r1
a1.sinks = k1
a1.channels = c1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.interceptors = i1 i2
a1.sources.r1.interceptors.i1.type = timestamp
a1.sources.r1.interceptors.i2.type = host
a1.sources.r1.interceptors.i2.hostHeader = host
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 200000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = elasticsearch
a1.sinks.k1.hostNames = ${svc.es.host}:${svc.es.port}
a1.sinks.k1.indexName = ${index}
a1.sinks.k1.indexType = logs
a1.sinks.k1.clusterName = elasticsearch
a1.sinks.k1.batchSize = 1000
a1.sinks.k1.serializer = org.apache.flume.sink.elasticsearch.ElasticSearchLogStashEventSerializer
a1.sinks.k1.channel = c1
`;
    agent = startAgent(conf);
    await waitFor(async () => (await import('../../support/agent-process.js')).canConnect(port), 'netcat port', 60_000);
    const t0 = Date.now();
    const total = 100_000;
    const lines = Array.from({ length: total }, (_, i) => `line ${String(i).padStart(6, '0')} from the course example`);
    const replies = await sendLines(port, lines);
    expect(replies.filter((r) => r === 'OK')).toHaveLength(total);
    await waitFor(async () => (await count(svc.es.node, `${index}-*`)) >= total, 'all documents indexed', 150_000, 500);
    const t1 = Date.now();
    expect(await count(svc.es.node, `${index}-*`)).toBe(total);
    // the daily index of the event's timestamp header, in UTC
    const days = new Set([utcDay(t0), utcDay(t1)]);
    const indices = Object.keys((await es(svc.es.node, 'GET', `/${index}-*`)).json);
    expect(indices.every((n) => days.has(n.slice(index.length + 1)))).toBe(true);
    // the LogStash layout, for the first, a middle and the last line
    for (const i of [0, 54_321, total - 1]) {
      const msg = lines[i]!;
      const r = await es(svc.es.node, 'POST', `/${index}-*/_search`, { query: { term: { '@message.keyword': msg } } });
      expect(r.json.hits.total.value).toBe(1);
      const hit = r.json.hits.hits[0];
      const src = hit._source;
      expect(Object.keys(src)).toEqual(['@message', '@timestamp', '@source_host', '@fields']);
      expect(src['@message']).toBe(msg);
      const ts = Number(src['@fields'].timestamp);
      expect(src['@timestamp']).toBe(new Date(ts).toISOString());
      expect(hit._index).toBe(`${index}-${utcDay(ts)}`);
      expect(src['@source_host']).toBe(src['@fields'].host);
    }
    // the agent's log says how the transport port and the Flume-only properties were read
    expect(agent.stderr()).toMatch(/indexType = logs is ignored/);
  }, 240_000);

  it('a mapping conflict goes to the dead-letter file, the rest is indexed, /metrics counters say so', async () => {
    const index = `${tag}-dlq`;
    await es(svc.es.node, 'PUT', `/${index}`, { mappings: { properties: { '@fields': { properties: { n: { type: 'long' } } } } } });
    const dlq = path.join(tmpDir(), 'rejected.jsonl');
    const ch = channel();
    const logs: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => logs.push(JSON.parse(s)) });
    const sink = makeSink(
      {
        hostNames: svc.es.node,
        indexName: index,
        indexNameBuilder: 'org.apache.flume.sink.elasticsearch.SimpleIndexNameBuilder',
        deadLetterFile: dlq,
        batchSize: '100',
      },
      ch,
      logger,
    );
    await sink.start();
    const tx = ch.begin();
    tx.putAll(Array.from({ length: 10 }, (_, i) => createEvent(`doc ${i}`, { n: i === 3 || i === 7 ? `not a number ${i}` : String(i) })));
    await tx.commit();
    expect(await sink.process()).toBe('READY');
    expect(ch.size()).toBe(0);
    expect(await count(svc.es.node, index)).toBe(8);
    const rejected = readFileSync(dlq, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejected.map((r) => r.body)).toEqual(['doc 3', 'doc 7']);
    for (const r of rejected) {
      expect(r).toMatchObject({ index, status: 400, sink: 'k1' });
      expect(r.reason).toMatch(/parsing_exception|number_format_exception/);
      expect(r.document['@message']).toBe(r.body);
    }
    expect(sink.counter.get('DocumentRejectedCount')).toBe(2);
    expect(sink.counter.get('DeadLetterWriteCount')).toBe(2);
    expect(sink.counter.snapshot().DocumentRejectedCount).toBe('2');
    const warned = logs.filter((l) => l.index === index && typeof l.reason === 'string');
    expect(warned).toHaveLength(2);
    await sink.stop();
  });

  it('a pipeline that does not exist blocks (rolls back) instead of dead-lettering every document', async () => {
    // (the harness's distribution has no ingest modules: every pipeline is missing, so only this path can be tested)
    const index = `${tag}-pipe`;
    const ch = channel();
    const dlq = path.join(tmpDir(), 'rejected.jsonl');
    const sink = makeSink({ hostNames: svc.es.node, indexName: index, pipeline: 'no-such-pipeline', deadLetterFile: dlq }, ch);
    await sink.start();
    const tx = ch.begin();
    tx.putAll([createEvent('a'), createEvent('b')]);
    await tx.commit();
    await expect(sink.process()).rejects.toThrow(/pipeline with id \[no-such-pipeline\] does not exist/);
    expect(ch.size()).toBe(2);
    expect(sink.counter.get('DocumentRejectedCount')).toBe(0);
    await sink.stop();
  });

  it('warns when clusterName differs from the cluster, and documentIdHeader makes a resend overwrite', async () => {
    const index = `${tag}-ids`;
    const ch = channel();
    const logs: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => logs.push(JSON.parse(s).msg) });
    const sink = makeSink(
      {
        hostNames: svc.es.node,
        indexName: index,
        indexNameBuilder: 'SimpleIndexNameBuilder',
        clusterName: 'other',
        documentIdHeader: 'id',
      },
      ch,
      logger,
    );
    await sink.start();
    for (let round = 0; round < 2; round++) {
      const tx = ch.begin();
      tx.putAll(Array.from({ length: 5 }, (_, i) => createEvent(`v${round}`, { id: `doc-${i}` })));
      await tx.commit();
      await sink.process();
    }
    expect(await count(svc.es.node, index)).toBe(5);
    expect((await es(svc.es.node, 'GET', `/${index}/_doc/doc-2`)).json._source['@message']).toBe('v1');
    const warned = () => logs.some((m) => /clusterName = other but .* belongs to cluster "flume-ts-test"/.test(m));
    await waitFor(warned, 'cluster warning', 10_000);
    await sink.stop();
  });
});
