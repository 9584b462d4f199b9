// Apache Hive 4.0.1 standalone metastore (the real HiveMetaStore Thrift server): embedded Derby in the run directory
// (schema created by Hive's own schematool from the distribution's Derby scripts), warehouse on the harness HDFS,
// ACID on (DbTxnManager, concurrency), compactor and housekeeping threads off, Thrift on 127.0.0.1 and a free port.
// Needs HDFS: index.mjs starts hdfs first when hive is asked for.
import fs from 'node:fs';
import path from 'node:path';
import {
  HOST,
  JAVA17_OPENS,
  ensureArtifacts,
  freePort,
  javaBin,
  liveService,
  pidAlive,
  portOpen,
  runSync,
  spawnDaemon,
  stopPid,
  waitFor,
} from './lib.mjs';

/** Ahead of the distribution's derby-10.14.2.0.jar, a debug build whose assertions fail open_txns (pom.xml). */
const DERBY_JAR = 'derby-10.14.1.0.jar';

/** Metastore heap; override with FLUME_TS_HIVE_HEAP. */
const HEAP = process.env.FLUME_TS_HIVE_HEAP ?? '384m';

/** The unpacked distribution (lib/, scripts/metastore/upgrade/derby/). */
export function metastoreHome() {
  const d = ensureArtifacts('hive');
  const sub = fs.readdirSync(d).find((f) => f.startsWith('apache-hive-metastore-'));
  if (!sub) throw new Error(`no apache-hive-metastore-* directory in ${d}`);
  return path.join(d, sub);
}

/** @param {Record<string, string | number | boolean>} props */
function siteXml(props) {
  const body = Object.entries(props)
    .map(([k, v]) => `  <property><name>${k}</name><value>${String(v)}</value></property>`)
    .join('\n');
  return `<?xml version="1.0"?>\n<configuration>\n${body}\n</configuration>\n`;
}

/**
 * @param {string} dir run directory
 * @param {{ fsUri: string, webhdfs?: string }} hdfs
 * @param {number} port
 */
function writeConf(dir, hdfs, port) {
  const conf = path.join(dir, 'conf');
  const logDir = path.join(dir, 'logs');
  fs.mkdirSync(conf, { recursive: true });
  fs.mkdirSync(logDir, { recursive: true });
  const db = path.join(dir, 'metastore_db');
  fs.writeFileSync(
    path.join(conf, 'metastore-site.xml'),
    siteXml({
      'javax.jdo.option.ConnectionURL': `jdbc:derby:;databaseName=${db};create=true`,
      'javax.jdo.option.ConnectionDriverName': 'org.apache.derby.jdbc.EmbeddedDriver',
      'metastore.thrift.port': port,
      'metastore.thrift.bind.host': HOST,
      'metastore.warehouse.dir': `${hdfs.fsUri}/warehouse`,
      'fs.defaultFS': hdfs.fsUri,
      'metastore.schema.verification': true,
      'hive.support.concurrency': true,
      'hive.txn.manager': 'org.apache.hadoop.hive.ql.lockmgr.DbTxnManager',
      'metastore.compactor.initiator.on': false,
      'metastore.compactor.cleaner.on': false,
      'metastore.compactor.worker.threads': 0,
      'metastore.housekeeping.threads.on': false,
      // Two sinks asking for transaction batches at once deadlock in embedded Derby (found after Derby's 20 s
      // derby.locks.deadlockTimeout, lowered below); an open_txns that then took longer than this timeout (Hive's
      // default 1 s) deleted its transactions and started again, piling up until the connection pool ran dry
      // (open_txns timing out for minutes in CI). A production metastore (MySQL, Postgres) does not deadlock there.
      'metastore.txn.opentxn.timeout': '30000ms',
      'metastore.task.threads.always': '',
      'metastore.event.db.notification.api.auth': false,
      // async logging needs the LMAX disruptor, which the distribution does not ship
      'metastore.async.log.enabled': false,
      // no capability-based translation of tables (it refuses ACID tables to clients that declare no capabilities)
      // (a blank value: Hadoop drops empty ones and the default transformer would stay)
      'metastore.metadata.transformer.class': ' ',
      'metastore.server.min.threads': 4,
      'metastore.server.max.threads': 32,
      'dfs.client.use.datanode.hostname': true,
    }),
  );
  fs.writeFileSync(
    path.join(conf, 'metastore-log4j2.properties'),
    [
      'status = WARN',
      'appender.file.type = File',
      'appender.file.name = file',
      `appender.file.fileName = ${path.join(logDir, 'metastore.log')}`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = %d{ISO8601} %p %c: %m%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.file.ref = file',
      'logger.dn.name = DataNucleus',
      'logger.dn.level = WARN',
      '',
    ].join('\n'),
  );
  return { conf, logDir };
}

/**
 * @param {string} dir run directory
 * @returns {Promise<import('./lib.mjs').ServiceInfo>}
 */
export async function start(dir) {
  const home = metastoreHome();
  const hadoopLib = ensureArtifacts('hdfs');
  // hive-exec (after the metastore's own jars): the metastore's TransactionalValidationListener loads the table's
  // input/output format classes (OrcInputFormat, OrcOutputFormat) to accept a transactional table.
  const execLib = ensureArtifacts('hive-exec');
  const hdfs = liveService('hdfs');
  if (!hdfs) throw new Error('hive: the metastore keeps its warehouse on HDFS; start hdfs first (start hdfs hive)');
  const t0 = Date.now();
  const port = await freePort();
  const { conf, logDir } = writeConf(dir, { fsUri: hdfs.urls?.fs ?? `hdfs://${HOST}:${hdfs.ports.rpc}` }, port);
  const jvm = [
    `-Xmx${HEAP}`,
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.net.preferIPv4Stack=true',
    `-Dmetastore.home=${home}`,
    `-Dderby.stream.error.file=${path.join(logDir, 'derby.log')}`,
    // Derby looks for deadlocks after a lock wait of this many seconds (default 20; see metastore.txn.opentxn.timeout)
    '-Dderby.locks.deadlockTimeout=1',
    ...JAVA17_OPENS,
    '-cp',
    [conf, path.join(execLib, DERBY_JAR), path.join(home, 'lib', '*'), path.join(execLib, '*'), path.join(hadoopLib, '*')].join(
      path.delimiter,
    ),
  ];
  const env = { ...process.env, METASTORE_HOME: home, HADOOP_USER_NAME: hdfs.urls?.user ?? process.env.USER ?? 'root' };
  const stdout = path.join(logDir, 'stdout.log');
  runSync(javaBin(), [...jvm, 'org.apache.hadoop.hive.metastore.tools.schematool.MetastoreSchemaTool', '-dbType', 'derby', '-initSchema'], {
    env,
    cwd: dir,
    logFile: stdout,
    timeoutMs: 300_000,
  });
  const ms = spawnDaemon(javaBin(), [...jvm, 'org.apache.hadoop.hive.metastore.HiveMetaStore'], {
    cwd: dir,
    env,
    logFile: stdout,
  });
  const pid = /** @type {number} */ (ms.pid);
  const log = path.join(logDir, 'metastore.log');
  try {
    await waitFor('hive metastore', () => portOpen(port), { alive: () => pidAlive(pid), logFile: log, timeoutMs: 240_000 });
  } catch (e) {
    await stopPid(pid, 3000);
    throw e;
  }
  return {
    name: 'hive',
    host: HOST,
    ports: { thrift: port },
    pids: [pid],
    logs: { metastore: log, stdout },
    dir,
    urls: { metastore: `thrift://${HOST}:${port}`, warehouse: `${hdfs.urls?.fs}/warehouse`, conf },
    startedAt: new Date(t0).toISOString(),
    startMs: Date.now() - t0,
  };
}
