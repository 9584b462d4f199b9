/**
 * The HBase RPC client against a real HBase 2.5 (the harness's standalone instance): region lookup through ZooKeeper
 * and hbase:meta, puts and increments in Multi calls, a missing table and column family, and a region split while
 * writing. Everything written is read back with HBase's own Java client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HBaseClient, type Mutation } from '../../../src/components/sinks/hbase/client.js';
import { hbaseTool } from '../../../scripts/services/hbase.mjs';
import { type Services, useServices } from '../../support/services.js';
import { counter, createTable, scan } from './helpers.js';

let svc: Services<'hbase'>;
let client: HBaseClient;
const tag = `${process.pid}`;
const cf = Buffer.from('cf');

beforeAll(async () => {
  svc = await useServices(['hbase']);
  client = new HBaseClient({ quorum: svc.hbase.quorum, znodeParent: '/hbase', timeoutMs: 60_000 });
  await client.start();
}, 240_000);
afterAll(async () => {
  client?.close();
  await svc?.release();
});

const put = (row: string, q: string, v: string): Mutation => ({
  type: 'put',
  row: Buffer.from(row),
  cells: [{ family: cf, qualifier: Buffer.from(q), value: Buffer.from(v) }],
});
const inc = (row: string, q: string, n: bigint): Mutation => ({
  type: 'increment',
  row: Buffer.from(row),
  cells: [{ family: cf, qualifier: Buffer.from(q), amount: n }],
});

describe('HBase RPC client against HBase 2.5', () => {
  it('locates regions of a pre-split table and writes puts, binary values, empty values and increments', async () => {
    const t = `client_${tag}`;
    await createTable(svc.hbase.quorum, t, ['cf'], ['g', 'p']);
    expect((await client.locate(t, Buffer.from('a'))).end.toString()).toBe('g');
    expect((await client.locate(t, Buffer.from('h'))).start.toString()).toBe('g');
    expect((await client.locate(t, Buffer.from('zz'))).end.length).toBe(0);
    await client.checkTable(t, cf);
    const bin = Buffer.from([0, 255, 10, 13, 0x80]);
    await client.mutate(t, [
      put('a1', 'q', 'v-a'),
      put('h1', 'q', 'v-h'),
      put('z1', 'q', ''),
      { ...put('b1', 'bin', ''), cells: [{ family: cf, qualifier: Buffer.from('bin'), value: bin }] },
    ]);
    await client.mutate(t, [inc('cnt', 'n', 5n), inc('cnt', 'n', -2n), inc('x', 'n', 1n)]);
    const cells = await scan(svc.hbase.quorum, t);
    const get = (row: string, q: string) => cells.find((c) => c.row === row && c.qualifier === q);
    expect(get('a1', 'q')?.value.toString()).toBe('v-a');
    expect(get('h1', 'q')?.value.toString()).toBe('v-h');
    expect(get('z1', 'q')?.value.length).toBe(0);
    expect(get('b1', 'bin')?.value).toEqual(bin);
    expect(counter(get('cnt', 'n'))).toBe(3n);
    expect(counter(get('x', 'n'))).toBe(1n);
  }, 120_000);

  it('refuses a missing table and a missing column family with a clear message', async () => {
    await expect(client.checkTable(`nosuch_${tag}`, cf)).rejects.toThrow(/not found in hbase:meta; create it first/);
    const t = `cfcheck_${tag}`;
    await createTable(svc.hbase.quorum, t, ['cf']);
    await expect(client.checkTable(t, Buffer.from('other'))).rejects.toThrow(/has no column family other/);
    await expect(
      client.mutate(t, [
        { ...put('r', 'q', 'v'), cells: [{ family: Buffer.from('other'), qualifier: Buffer.from('q'), value: Buffer.from('v') }] },
      ]),
    ).rejects.toThrow(/NoSuchColumnFamily/);
  }, 120_000);

  it('keeps writing while the region splits: nothing lost', async () => {
    const t = `split_${tag}`;
    await createTable(svc.hbase.quorum, t, ['cf']);
    let n = 0;
    let splitting = true;
    const split = hbaseTool(svc.hbase.quorum, ['split', t, 'row-00500']).finally(() => (splitting = false));
    const writer = (async () => {
      while ((splitting || n < 1000) && n < 50_000) {
        const batch: Mutation[] = [];
        for (let i = 0; i < 50; i++, n++) batch.push(put(`row-${String(n).padStart(5, '0')}`, 'q', `v${n}`));
        await client.mutate(t, batch);
        if (n >= 1000) await new Promise((r) => setTimeout(r, 100)); // keep writing through the split, not flooding
      }
    })();
    await Promise.all([split, writer]);
    const regions = (await hbaseTool(svc.hbase.quorum, ['regions', t])).split('\n').filter((l) => l.trim());
    expect(regions.length).toBe(2);
    await client.mutate(t, [put('row-99999', 'q', 'after')]); // through the daughters (stale cache → relocate)
    const rows = new Set((await scan(svc.hbase.quorum, t)).map((c) => c.row));
    expect(n).toBeGreaterThanOrEqual(1000);
    expect(rows.size).toBe(n + 1);
  }, 180_000);
});
