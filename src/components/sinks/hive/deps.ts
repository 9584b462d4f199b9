// The hive sink's connections, made when it starts (loaded lazily: agents without a hive sink never load the
// metastore client, the ORC writer or WebHDFS): one metastore client and one WebHDFS client per file system.
import type { Logger } from '../../../core/logging.js';
import { FailoverClient } from '../hdfs/failover.js';
import { type HdfsClient, WebHdfsClient } from '../hdfs/webhdfs.js';
import { hadoopConfDirs, loadHadoopConf, resolveTarget } from '../hdfs/hadoop-conf.js';
import { MetastoreClient } from './metastore/client.js';
import type { HiveSerializer } from './serializers.js';
import type { WriterDeps } from './writer.js';

export interface DepsOptions {
  metaStoreUri: string;
  webhdfsAddress: string | undefined;
  user: string;
  callTimeout: number;
  serializer: HiveSerializer;
  txnsPerBatch: number;
  autoCreatePartitions: boolean;
  logger: Logger;
}

export function connectDeps(o: DepsOptions): WriterDeps & { close(): void } {
  const ms = new MetastoreClient(o.metaStoreUri, o.callTimeout);
  const clients = new Map<string, HdfsClient>();
  const clientFor = (baseUrls: string[]): HdfsClient => {
    const key = baseUrls.join(' ');
    let c = clients.get(key);
    if (!c) {
      const each = baseUrls.map((baseUrl) => new WebHdfsClient({ baseUrl, user: o.user, timeoutMs: o.callTimeout }));
      c = each.length === 1 ? each[0]! : new FailoverClient(each, baseUrls, o.logger);
      clients.set(key, c);
    }
    return c;
  };
  const conf = loadHadoopConf(hadoopConfDirs());
  return {
    ms,
    hdfs: (location) => {
      const t = resolveTarget(location, { conf, user: o.user, address: o.webhdfsAddress });
      return { fs: clientFor(t.baseUrls), path: t.path };
    },
    serializer: o.serializer,
    txnsPerBatch: o.txnsPerBatch,
    autoCreatePartitions: o.autoCreatePartitions,
    logger: o.logger,
    close: () => {
      ms.close();
      for (const c of clients.values()) c.destroy();
    },
  };
}
