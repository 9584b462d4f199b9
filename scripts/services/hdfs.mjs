// Hadoop HDFS 3.4: one NameNode and one DataNode (the real daemons), WebHDFS on the NameNode's HTTP port,
// DataNode registered as 127.0.0.1 so WebHDFS redirects stay on loopback.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  HOST,
  JAVA17_OPENS,
  ensureArtifacts,
  freePorts,
  getJson,
  javaBin,
  pidAlive,
  runSync,
  spawnDaemon,
  stopPid,
  waitFor,
} from './lib.mjs';

/** Heap per daemon; override with FLUME_TS_HDFS_HEAP. */
const HEAP = process.env.FLUME_TS_HDFS_HEAP ?? '512m';

/** @param {Record<string, string | number | boolean>} props */
function siteXml(props) {
  const body = Object.entries(props)
    .map(([k, v]) => `  <property><name>${k}</name><value>${String(v)}</value></property>`)
    .join('\n');
  return `<?xml version="1.0"?>\n<configuration>\n${body}\n</configuration>\n`;
}

/**
 * @typedef {object} HdfsVariant  extra settings for a variant of the cluster (hdfs-kerberos.mjs)
 * @property {Record<string, string | number | boolean>} [core]  core-site.xml properties added / overridden
 * @property {Record<string, string | number | boolean>} [hdfs]  hdfs-site.xml properties added / overridden
 * @property {string[]} [jvm]   extra JVM options of both daemons
 * @property {(logDir: string) => boolean} [ready]  readiness from the daemons' logs instead of JMX + WebHDFS (both need
 *   SPNEGO under Kerberos)
 */

/**
 * @param {string} dir run directory
 * @param {HdfsVariant} [variant]
 * @returns {Promise<import('./lib.mjs').ServiceInfo>}
 */
export async function start(dir, variant = {}) {
  const lib = ensureArtifacts('hdfs');
  const t0 = Date.now();
  const [rpc, httpPort, dnData, dnHttp, dnIpc] = await freePorts(5);
  const conf = path.join(dir, 'conf');
  const logDir = path.join(dir, 'logs');
  for (const d of [conf, logDir, path.join(dir, 'name'), path.join(dir, 'data'), path.join(dir, 'tmp')])
    fs.mkdirSync(d, { recursive: true });
  const user = os.userInfo().username;
  // The daemons' HTTP servers look up webapps/<name> on the classpath. The Maven jars don't ship the web UI, and
  // WebHDFS (a Jersey servlet registered in code) doesn't need it: empty web apps are enough.
  for (const app of ['hdfs', 'datanode', 'secondary', 'journal', 'static']) {
    fs.mkdirSync(path.join(conf, 'webapps', app, 'WEB-INF'), { recursive: true });
    fs.writeFileSync(
      path.join(conf, 'webapps', app, 'WEB-INF', 'web.xml'),
      '<?xml version="1.0"?>\n<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="3.0"/>\n',
    );
  }
  fs.writeFileSync(
    path.join(conf, 'core-site.xml'),
    siteXml({
      'fs.defaultFS': `hdfs://${HOST}:${rpc}`,
      'hadoop.tmp.dir': path.join(dir, 'tmp'),
      'hadoop.http.staticuser.user': user,
      'hadoop.security.authentication': 'simple',
      [`hadoop.proxyuser.${user}.hosts`]: '*',
      [`hadoop.proxyuser.${user}.groups`]: '*',
      ...variant.core,
    }),
  );
  fs.writeFileSync(
    path.join(conf, 'hdfs-site.xml'),
    siteXml({
      'dfs.namenode.name.dir': `file://${path.join(dir, 'name')}`,
      'dfs.datanode.data.dir': `file://${path.join(dir, 'data')}`,
      'dfs.replication': 1,
      'dfs.permissions.enabled': false,
      'dfs.webhdfs.enabled': true,
      'dfs.namenode.rpc-address': `${HOST}:${rpc}`,
      'dfs.namenode.rpc-bind-host': HOST,
      'dfs.namenode.http-address': `${HOST}:${httpPort}`,
      'dfs.namenode.http-bind-host': HOST,
      'dfs.namenode.https-address': `${HOST}:0`,
      'dfs.namenode.secondary.http-address': `${HOST}:0`,
      'dfs.namenode.backup.address': `${HOST}:0`,
      'dfs.namenode.backup.http-address': `${HOST}:0`,
      'dfs.datanode.address': `${HOST}:${dnData}`,
      'dfs.datanode.http.address': `${HOST}:${dnHttp}`,
      'dfs.datanode.https.address': `${HOST}:0`,
      'dfs.datanode.ipc.address': `${HOST}:${dnIpc}`,
      'dfs.datanode.hostname': HOST,
      'dfs.datanode.use.datanode.hostname': true,
      'dfs.client.use.datanode.hostname': true,
      'dfs.namenode.datanode.registration.ip-hostname-check': false,
      'dfs.namenode.safemode.extension': 0,
      'dfs.namenode.safemode.min.datanodes': 0,
      'dfs.heartbeat.interval': 1,
      'dfs.namenode.heartbeat.recheck-interval': 15000,
      'dfs.datanode.du.reserved': 0,
      'dfs.namenode.resource.du.reserved': 1048576,
      'dfs.namenode.fs-limits.min-block-size': 1024,
      'dfs.namenode.handler.count': 4,
      'dfs.datanode.handler.count': 4,
      'dfs.namenode.service.handler.count': 2,
      'dfs.datanode.max.transfer.threads': 256,
      'dfs.block.access.token.enable': false,
      ...variant.hdfs,
    }),
  );
  fs.writeFileSync(
    path.join(conf, 'log4j.properties'),
    [
      'log4j.rootLogger=INFO, file',
      'log4j.appender.file=org.apache.log4j.FileAppender',
      'log4j.appender.file.File=${hadoop.log.dir}/${hadoop.log.file}',
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=%d{ISO8601} %p %c: %m%n',
      'log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR',
      'log4j.logger.org.apache.hadoop.hdfs.StateChange=WARN',
      'log4j.logger.org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit=WARN',
      'log4j.logger.org.apache.hadoop.hdfs.server.datanode.DataNode.clienttrace=WARN',
      '',
    ].join('\n'),
  );
  /** @param {string} role */
  const jvm = (role) => [
    `-Xms${HEAP === '512m' ? '256m' : HEAP}`,
    `-Xmx${HEAP}`,
    '-XX:+UseG1GC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    '-Djava.net.preferIPv4Stack=true',
    `-Dhadoop.log.dir=${logDir}`,
    `-Dhadoop.log.file=${role}.log`,
    `-Dhadoop.home.dir=${dir}`,
    `-Dhadoop.id.str=${user}`,
    '-Dhadoop.root.logger=INFO,file',
    `-Dlog4j.configuration=file:${path.join(conf, 'log4j.properties')}`,
    ...JAVA17_OPENS,
    ...(variant.jvm ?? []),
    '-cp',
    `${conf}${path.delimiter}${path.join(lib, '*')}`,
  ];
  const env = { ...process.env, HADOOP_CONF_DIR: conf, HADOOP_USER_NAME: user };
  const stdout = path.join(logDir, 'stdout.log');

  runSync(
    javaBin(),
    [...jvm('format'), 'org.apache.hadoop.hdfs.server.namenode.NameNode', '-format', '-nonInteractive', '-force', '-clusterid', 'flume-ts'],
    {
      env,
      logFile: stdout,
      timeoutMs: 180_000,
    },
  );

  const nn = spawnDaemon(javaBin(), [...jvm('namenode'), 'org.apache.hadoop.hdfs.server.namenode.NameNode'], {
    cwd: dir,
    env,
    logFile: path.join(logDir, 'namenode.out'),
  });
  const nnPid = /** @type {number} */ (nn.pid);
  // The DataNode can start right away: it retries until the NameNode's RPC port answers.
  const dn = spawnDaemon(javaBin(), [...jvm('datanode'), 'org.apache.hadoop.hdfs.server.datanode.DataNode'], {
    cwd: dir,
    env,
    logFile: path.join(logDir, 'datanode.out'),
  });
  const dnPid = /** @type {number} */ (dn.pid);
  const nnLog = path.join(logDir, 'namenode.log');
  try {
    await waitFor(
      'hdfs',
      async () => {
        if (variant.ready) return variant.ready(logDir);
        const st = await getJson(`http://${HOST}:${httpPort}/jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState`);
        const b = st?.beans?.[0];
        if (!b || b.NumLiveDataNodes < 1 || b.FSState !== 'Operational') return false;
        const info = await getJson(`http://${HOST}:${httpPort}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo`);
        const nnInfo = info?.beans?.[0];
        if (!nnInfo || nnInfo.Safemode || !(nnInfo.Free > 0)) return false;
        // WebHDFS answers on the NameNode.
        const root = await getJson(`http://${HOST}:${httpPort}/webhdfs/v1/?op=GETFILESTATUS&user.name=${user}`);
        return root?.FileStatus?.type === 'DIRECTORY';
      },
      {
        alive: () => pidAlive(nnPid) && pidAlive(dnPid),
        logFile: pidAlive(nnPid) ? path.join(logDir, 'datanode.log') : nnLog,
        timeoutMs: 180_000,
      },
    );
  } catch (e) {
    await Promise.all([stopPid(dnPid, 3000), stopPid(nnPid, 3000)]);
    throw e;
  }
  return {
    name: 'hdfs',
    host: HOST,
    ports: { rpc, http: httpPort, dnData, dnHttp, dnIpc },
    pids: [nnPid, dnPid],
    logs: { namenode: nnLog, datanode: path.join(logDir, 'datanode.log'), stdout },
    dir,
    urls: { fs: `hdfs://${HOST}:${rpc}`, webhdfs: `http://${HOST}:${httpPort}/webhdfs/v1`, user, conf },
    startedAt: new Date(t0).toISOString(),
    startMs: Date.now() - t0,
  };
}
