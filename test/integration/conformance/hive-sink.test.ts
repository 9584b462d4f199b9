/**
 * The sink conformance suite against the hive sink, a real Hive 4.0.1 metastore and HDFS; bodies read back with Hive's
 * own ACID reader (test/integration/hive/java/HiveAcidCheck.java). The destination fails by replacing the table's
 * directory with a plain file (every delta write fails) and recovers when the directory is put back. The metastore
 * outage and kill -9 cases run in test/integration/hive/sink.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { WebHdfsClient } from '../../../src/components/sinks/hdfs/webhdfs.js';
import { hiveSink } from '../../../src/components/sinks/hive/index.js';
import { MetastoreClient } from '../../../src/components/sinks/hive/metastore/client.js';
import type { Sink } from '../../../src/core/sink.js';
import { sinkConformance } from '../../conformance/sink-suite.js';
import { create } from '../../support/context.js';
import { type Services, useServices } from '../../support/services.js';
import { runHiveJava } from '../hive/helpers.js';

let svc: Services<'hdfs' | 'hive'>;
let ms: MetastoreClient;
let hdfs: WebHdfsClient;
let tmp: string;
beforeAll(async () => {
  svc = await useServices(['hdfs', 'hive']);
  ms = new MetastoreClient(svc.hive.metastore, 60_000);
  hdfs = new WebHdfsClient({ baseUrl: `http://${svc.hdfs.host}:${svc.hdfs.httpPort}`, user: svc.hdfs.user, timeoutMs: 60_000 });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hive-conformance-'));
  await ms.createDatabase('logsdb', `${svc.hive.warehouse}/logsdb.db`);
}, 600_000);
afterAll(async () => {
  ms?.close();
  hdfs?.destroy();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  await svc?.release();
});

let n = 0;
sinkConformance({
  name: 'hive',
  setup: async (channel) => {
    const table = `conf_${Date.now().toString(36)}_${n++}`;
    const location = `${svc.hive.warehouse}/logsdb.db/${table}`;
    const dir = new URL(location).pathname;
    await ms.createTable({
      db: 'logsdb',
      table,
      location,
      cols: [{ name: 'body', type: 'string' }],
      buckets: { n: 1, cols: ['body'] },
      parameters: { transactional: 'true' },
    });
    await hdfs.mkdirs(dir);
    const made: Sink[] = [];
    return {
      newSink: async () => {
        const raw = {
          'hive.metastore': svc.hive.metastore,
          'hive.database': 'logsdb',
          'hive.table': table,
          'hive.webhdfs.address': `http://${svc.hdfs.host}:${svc.hdfs.httpPort}`,
          serializer: 'DELIMITED',
          'serializer.fieldnames': 'body',
          batchSize: '100',
          callTimeout: '5000',
        };
        const sink = create(hiveSink, raw, { name: 'k1', channel }) as Sink;
        await sink.start();
        made.push(sink);
        return sink;
      },
      delivered: async () =>
        runHiveJava(path.join(tmp, 'classes'), 'HiveAcidCheck', [svc.hive.metastore, 'logsdb', table], { HADOOP_USER_NAME: svc.hdfs.user }),
      fail: async (on) => {
        if (on) {
          await hdfs.rename(dir, `${dir}.away`);
          await hdfs.create(dir, Buffer.from('not a directory'));
        } else {
          await hdfs.delete(dir);
          await hdfs.rename(`${dir}.away`, dir);
        }
      },
      stop: async () => {
        for (const s of made) await s.stop().catch(() => undefined);
      },
    };
  },
});
