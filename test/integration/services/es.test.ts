import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices, type Services } from '../../support/services.js';

describe('real Elasticsearch 8 on loopback', () => {
  let svc: Services<'es'>;
  let client: Client | undefined;
  beforeAll(async () => {
    svc = await useServices(['es']);
  });
  afterAll(async () => {
    await client?.close();
    await svc?.release();
  });

  it('@elastic/elasticsearch 8.19 indexes a document, refreshes and finds it by search', async () => {
    client = new Client({ node: svc.es.node });
    // (The minimal distribution has no rest-root module, so GET / is absent; every other response carries
    // the X-Elastic-Product header the 8.x client checks.)
    const index = `smoke-${Date.now()}`;
    const created = await client.index({ index, id: '1', document: { message: 'hello from flume-ts', seq: 1 } }, { meta: true });
    expect(created.statusCode).toBe(201);
    expect(created.headers['x-elastic-product']).toBe('Elasticsearch');
    const nodes = await client.nodes.info();
    expect(Object.values(nodes.nodes)[0].version).toMatch(/^8\./);
    await client.indices.refresh({ index });
    const res = await client.search<{ message: string; seq: number }>({ index, query: { match: { message: 'flume-ts' } } });
    expect(res.hits.hits).toHaveLength(1);
    expect(res.hits.hits[0]._source).toEqual({ message: 'hello from flume-ts', seq: 1 });
    await client.indices.delete({ index });
  });
});
