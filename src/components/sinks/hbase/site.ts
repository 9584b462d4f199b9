/**
 * HBase's client configuration as Flume's HBase sinks see it: HBaseConfiguration.create() reads the hbase-site.xml
 * first on the class path, and Flume's launcher puts the agent's --conf directory first there. flume-ts looks in the
 * --conf directory (FLUME_CONF_DIR), then $HBASE_CONF_DIR, else $HBASE_HOME/conf. The keys read are those of
 * Kerberos (the server principal, hbase.rpc.protection) and of idle connections; the rest is not used.
 */
import path from 'node:path';
import { addFirstSiteFile, HadoopConf } from '../hdfs/hadoop-conf.js';

/** Directories searched for hbase-site.xml, in order. */
export function hbaseConfDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  if (env.FLUME_CONF_DIR) dirs.push(env.FLUME_CONF_DIR);
  if (env.HBASE_CONF_DIR) dirs.push(env.HBASE_CONF_DIR);
  else if (env.HBASE_HOME) dirs.push(path.join(env.HBASE_HOME, 'conf'));
  return dirs;
}

/** The first hbase-site.xml of `dirs` (an empty configuration when there is none). */
export function loadHBaseSite(dirs: readonly string[] = hbaseConfDirs()): HadoopConf {
  const conf = new HadoopConf();
  addFirstSiteFile(conf, dirs, 'hbase-site.xml');
  return conf;
}

/** hbase.ipc.client.connection.minIdleTimeBeforeClose (HBase's default: 120000 ms). */
export function idleCloseMs(site: HadoopConf): number {
  const v = Number(site.get('hbase.ipc.client.connection.minIdleTimeBeforeClose') ?? '120000');
  return Number.isFinite(v) && v > 0 ? v : 120_000;
}
