/**
 * The elasticsearch sink without Elasticsearch: Flume 1.9's document layouts and index names, hostNames mapping,
 * and the delivery rules against a node:http server that answers like Elasticsearch's bulk API.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { create, memory, propMap, tmpDirSync } from './es-helpers.js';
import { createEvent } from '../../../src/core/event.js';
import { resolveTimeZone } from '../../../src/components/shared/bucket-path.js';
import {
  dynamicDocument,
  fieldValue,
  logstashDocument,
  parseTtl,
  simpleIndexNamer,
  timeBasedIndexNamer,
} from '../../../src/components/sinks/elasticsearch/document.js';
import { mapHostNames } from '../../../src/components/sinks/elasticsearch/client.js';
import { elasticsearchSink, type ElasticSearchSink } from '../../../src/components/sinks/elasticsearch/index.js';
import { parseComponent } from '../../../src/config/component-props.js';

const UTC = resolveTimeZone('UTC')!;
const TS = '1764541180123'; // 2025-11-30T22:19:40.123Z

describe('documents (Flume 1.9 serializers)', () => {
  it('LogStash layout: @message, @timestamp from the timestamp header, @source… from headers, every header in @fields', () => {
    const e = createEvent('hello world', { timestamp: TS, host: 'web1', source: 'app', type: 'access', src_path: '/var/log/a' });
    const doc = JSON.parse(logstashDocument(e));
    expect(Object.keys(doc)).toEqual(['@message', '@timestamp', '@source', '@type', '@source_host', '@source_path', '@fields']);
    expect(doc['@message']).toBe('hello world');
    expect(doc['@timestamp']).toBe('2025-11-30T22:19:40.123Z');
    expect(doc['@source_host']).toBe('web1');
    expect(doc['@fields']).toEqual({ timestamp: TS, host: 'web1', source: 'app', type: 'access', src_path: '/var/log/a' });
  });

  it('LogStash: @-headers suppress the derived fields; no headers gives an empty @fields', () => {
    expect(JSON.parse(logstashDocument(createEvent('x')))).toEqual({ '@message': 'x', '@fields': {} });
    const doc = JSON.parse(logstashDocument(createEvent('x', { timestamp: TS, '@timestamp': 'given', host: ' ' })));
    expect(doc).toEqual({ '@message': 'x', '@fields': { timestamp: TS, '@timestamp': 'given', host: ' ' } });
    expect(() => logstashDocument(createEvent('x', { timestamp: 'soon' }))).toThrow(/not a number/);
  });

  it('ContentBuilderUtil: JSON bodies and headers are embedded, other text stays a string', () => {
    expect(fieldValue(Buffer.from('{"a":1,"b":[1,2]}'))).toBe('{"a":1,"b":[1,2]}');
    expect(fieldValue(Buffer.from('{\n  "big": 12345678901234567890\n}'))).toBe('{   "big": 12345678901234567890 }');
    expect(fieldValue(Buffer.from('{not json'))).toBe('"{not json"');
    expect(fieldValue(Buffer.from('[1,2]'))).toBe('"[1,2]"'); // no '{' in the first 20 bytes: text
    expect(fieldValue(Buffer.from(`${' '.repeat(25)}{"a":1}`))).toBe(JSON.stringify(`${' '.repeat(25)}{"a":1}`));
    expect(fieldValue('{"k":"v"}')).toBe('{"k":"v"}');
    const doc = JSON.parse(logstashDocument(createEvent('{"user":"u1","n":2}', { meta: '{"x":true}' })));
    expect(doc).toEqual({ '@message': { user: 'u1', n: 2 }, '@fields': { meta: { x: true } } });
  });

  it('Dynamic layout: body, then every header at the top level', () => {
    const doc = JSON.parse(dynamicDocument(createEvent('b', { h1: 'v1', h2: '{"z":0}' })));
    expect(doc).toEqual({ body: 'b', h1: 'v1', h2: { z: 0 } });
    expect(dynamicDocument(createEvent('b'))).toBe('{"body":"b"}');
  });
});

describe('index names', () => {
  it('TimeBasedIndexNameBuilder: <name>-yyyy-MM-dd in UTC from timestamp, then @timestamp, then now', () => {
    const n = timeBasedIndexNamer('flume', 'yyyy-MM-dd', UTC, () => Date.UTC(2024, 1, 29, 12));
    expect(n.name(createEvent('', { timestamp: TS }))).toBe('flume-2025-11-30');
    expect(n.name(createEvent('', { timestamp: String(Date.UTC(2025, 11, 31, 23, 59, 59, 999)) }))).toBe('flume-2025-12-31');
    expect(n.name(createEvent('', { timestamp: String(Date.UTC(2026, 0, 1)) }))).toBe('flume-2026-01-01');
    expect(n.name(createEvent('', { '@timestamp': TS }))).toBe('flume-2025-11-30');
    expect(n.name(createEvent(''))).toBe('flume-2024-02-29');
    expect(() => n.name(createEvent('', { timestamp: '12:00' }))).toThrow(/not a number/);
  });

  it('escapes in indexName, dateFormat and timeZone', () => {
    const n = timeBasedIndexNamer('logs-%{app}', 'yyyy.MM.dd.HH', resolveTimeZone('Asia/Tokyo')!);
    expect(n.name(createEvent('', { app: 'web', timestamp: TS }))).toBe('logs-web-2025.12.01.07');
    expect(simpleIndexNamer('idx-%{app}').name(createEvent('', { app: 'db' }))).toBe('idx-db');
    expect(() => simpleIndexNamer('idx-%Y').name(createEvent(''))).toThrow(/indexName/);
  });

  it('ttl as ElasticSearchSink.parseTTL', () => {
    expect(parseTtl('5d')).toBe(5 * 86_400_000);
    expect(parseTtl('7')).toBe(7 * 86_400_000);
    expect(parseTtl('500ms')).toBe(500);
    expect(parseTtl('2w')).toBe(14 * 86_400_000);
    expect(parseTtl('5D')).toBe(0);
    expect(parseTtl('d5')).toBe(0);
  });
});

describe('configuration', () => {
  const diags = (raw: Record<string, string>) => parseComponent(elasticsearchSink, propMap(raw), { label: 'sink k1' }).diagnostics;

  it('maps the transport port to the HTTP port and keeps URLs', () => {
    const m = mapHostNames('127.0.0.1:9300, es2 ,es3:9201,https://es4:9243/', 'transport');
    expect(m.hosts).toEqual(['http://127.0.0.1:9200', 'http://es2:9200', 'http://es3:9201', 'https://es4:9243']);
    expect(m.notes).toHaveLength(2);
    expect(mapHostNames('es:9200', 'rest').hosts).toEqual(['http://es:9200']);
    const creds = mapHostNames('https://u%40x:p%3Aw@es:9243', 'transport');
    expect(creds).toMatchObject({ hosts: ['https://es:9243'], username: 'u@x', password: 'p:w' });
  });

  it('accepts the Flume 1.9 User Guide example and rejects what Flume rejects', () => {
    const ug = {
      hostNames: '127.0.0.1:9200,127.0.0.2:9300',
      indexName: 'foo_index',
      indexType: 'bar_type',
      clusterName: 'foobar_cluster',
      batchSize: '500',
      ttl: '5d',
      serializer: 'org.apache.flume.sink.elasticsearch.ElasticSearchDynamicSerializer',
    };
    expect(diags(ug).filter((d) => d.severity === 'error')).toEqual([]);
    expect(diags({ ...ug, ttl: '5x' }).some((d) => d.severity === 'error' && /ttl must be greater than 0/.test(d.message))).toBe(true);
    expect(diags({ ...ug, serializer: 'com.example.Mine' }).some((d) => d.severity === 'error')).toBe(true);
    expect(diags({ ...ug, batchSize: '0' }).some((d) => d.severity === 'error')).toBe(true);
    expect(diags({ indexName: 'x' }).some((d) => d.severity === 'error')).toBe(true);
    expect(diags({ ...ug, 'indexNameBuilder.dateFormat': 'yyyy-ww' }).some((d) => d.severity === 'error')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Delivery against a fake bulk endpoint

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

type Answer = (docs: string[]) => { status: number; body: unknown };

async function fakeEs(answer: Answer): Promise<{ url: string; bulks: string[][] }> {
  const bulks: string[][] = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url!.startsWith('/_cluster/health')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"cluster_name":"c","status":"green"}');
        return;
      }
      const lines = Buffer.concat(chunks)
        .toString()
        .split('\n')
        .filter((l) => l !== '');
      bulks.push(lines);
      const a = answer(lines.filter((_, i) => i % 2 === 1));
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, bulks };
}

const item = (status: number, error?: object) => ({ index: error ? { status, error } : { status } });
const mappingError = { type: 'document_parsing_exception', reason: '[1:30] failed to parse field [@fields.n] of type [long]' };

async function sinkWith(raw: Record<string, string>, events: number) {
  const ch = memory();
  const tx = ch.begin();
  tx.putAll(Array.from({ length: events }, (_, i) => createEvent(`line ${i}`, { timestamp: TS, n: i === 1 ? 'text' : String(i) })));
  await tx.commit();
  const sink = create(elasticsearchSink, raw, { channel: ch, name: 'k1' }) as ElasticSearchSink;
  await sink.start();
  return { ch, sink };
}

describe('delivery', () => {
  it('one bulk request per transaction, to the daily index; all 201 → commit', async () => {
    const { url, bulks } = await fakeEs((docs) => ({ status: 200, body: { errors: false, items: docs.map(() => item(201)) } }));
    const { ch, sink } = await sinkWith({ hostNames: url, batchSize: '3' }, 5);
    expect(await sink.process()).toBe('READY');
    expect(await sink.process()).toBe('READY');
    expect(ch.size()).toBe(0);
    expect(bulks.map((b) => b.length)).toEqual([6, 4]);
    expect(JSON.parse(bulks[0]![0]!)).toEqual({ index: { _index: 'flume-2025-11-30' } });
    expect(JSON.parse(bulks[0]![1]!)['@message']).toBe('line 0');
    expect(sink.counter.get('EventDrainSuccessCount')).toBe(5);
    await sink.stop();
  });

  it('a document rejected for good goes to the dead-letter file and the rest commits', async () => {
    const dir = tmpDirSync();
    const dlq = path.join(dir, 'rejected.jsonl');
    const answer = (d: string) => (d.includes('"text"') ? item(400, mappingError) : item(201));
    const { url } = await fakeEs((docs) => ({ status: 200, body: { errors: true, items: docs.map(answer) } }));
    const { ch, sink } = await sinkWith({ hostNames: url, batchSize: '10', deadLetterFile: dlq, documentIdHeader: 'n' }, 4);
    expect(await sink.process()).toBe('READY');
    expect(ch.size()).toBe(0);
    const lines = readFileSync(dlq, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ sink: 'k1', index: 'flume-2025-11-30', status: 400, body: 'line 1', headers: { n: 'text' } });
    expect(lines[0].reason).toMatch(/document_parsing_exception/);
    expect(lines[0].document['@message']).toBe('line 1');
    expect(sink.counter.get('DocumentRejectedCount')).toBe(1);
    expect(sink.counter.get('DeadLetterWriteCount')).toBe(1);
    await sink.stop();
  });

  it('onRejected = retry rolls back like Flume 1.9; 429 items, 503 and no server roll back', async () => {
    let mode = 'reject';
    const { url, bulks } = await fakeEs((docs) => {
      if (mode === '503') return { status: 503, body: { error: 'unavailable' } };
      const first = item(mode === '429' ? 429 : 400, mappingError);
      return { status: 200, body: { errors: true, items: docs.map((_, i) => (i === 0 ? first : item(201))) } };
    });
    const { ch, sink } = await sinkWith({ hostNames: url, onRejected: 'retry' }, 3);
    await expect(sink.process()).rejects.toThrow(/rejected/);
    expect(ch.size()).toBe(3);
    mode = '429';
    await expect(sink.process()).rejects.toThrow(/failed for now/);
    mode = '503';
    await expect(sink.process()).rejects.toThrow(/HTTP 503/);
    expect(ch.size()).toBe(3);
    expect(bulks).toHaveLength(3);
    server!.closeAllConnections();
    await new Promise((r) => server!.close(r));
    server = undefined;
    await expect(sink.process()).rejects.toThrow(/no response/);
    expect(ch.size()).toBe(3);
    expect(sink.counter.get('RollbackCount')).toBe(4);
    await sink.stop();
  });

  it('an event that cannot become a document is rejected without a request', async () => {
    const { url, bulks } = await fakeEs((docs) => ({ status: 200, body: { errors: false, items: docs.map(() => item(201)) } }));
    const ch = memory();
    const tx = ch.begin();
    tx.put(createEvent('bad', { timestamp: 'yesterday' }));
    await tx.commit();
    const sink = create(elasticsearchSink, { hostNames: url }, { channel: ch, name: 'k1' }) as ElasticSearchSink;
    await sink.start();
    await sink.process();
    expect(ch.size()).toBe(0);
    expect(bulks).toHaveLength(0);
    expect(sink.counter.get('DocumentRejectedCount')).toBe(1);
    await sink.stop();
  });
});
