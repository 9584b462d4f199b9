/**
 * The sink conformance suite against the hbase2 sink and a real HBase 2.5: bodies read back with HBase's Java client
 * (the pCol values of SimpleHBase2EventSerializer). The destination fails by disabling the table (its regions close:
 * every put fails until `timeout`) and recovers by enabling it. The outage of the whole HBase (a restart) runs in
 * test/integration/hbase/restart.test.ts on a private instance.
 */
import { afterAll, beforeAll } from 'vitest';
import { hbase2Sink } from '../../../src/components/sinks/hbase/index.js';
import type { Sink } from '../../../src/core/sink.js';
import { hbaseTool } from '../../../scripts/services/hbase.mjs';
import { sinkConformance } from '../../conformance/sink-suite.js';
import { create } from '../../support/context.js';
import { type Services, useServices } from '../../support/services.js';
import { createTable, scanUntil } from '../hbase/helpers.js';

let svc: Services<'hbase'>;
beforeAll(async () => {
  svc = await useServices(['hbase']);
}, 240_000);
afterAll(async () => {
  await svc?.release();
});

let n = 0;
sinkConformance({
  name: 'hbase2',
  setup: async (channel) => {
    const table = `conf_${process.pid}_${n++}`;
    await createTable(svc.hbase.quorum, table, ['cf']);
    const made: Sink[] = [];
    return {
      newSink: async () => {
        const raw = { table, columnFamily: 'cf', zookeeperQuorum: svc.hbase.quorum, timeout: '3000', 'serializer.incrementColumn': 'hits' };
        const sink = create(hbase2Sink, raw, { name: 'k1', channel }) as Sink;
        await sink.start();
        made.push(sink);
        return sink;
      },
      delivered: async (expected) =>
        (await scanUntil(svc.hbase.quorum, table, (c) => c.filter((x) => x.qualifier === 'pCol').length >= expected, 30_000))
          .filter((c) => c.qualifier === 'pCol')
          .map((c) => c.value.toString()),
      fail: async (on) => {
        await hbaseTool(svc.hbase.quorum, [on ? 'disable' : 'enable', table]);
      },
      stop: async () => {
        for (const s of made) await s.stop().catch(() => undefined);
      },
    };
  },
});
