// Apache HBase 2.5 standalone: HMaster in local mode runs the master, one region server and its own ZooKeeper in one
// JVM (hbase.cluster.distributed=false), data under the run directory (file://), everything on 127.0.0.1, web UIs off.
// Also the HBase Java client helper (test/support/java/HBaseTool.java) that creates tables and reads rows back.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HOST, JAVA17_OPENS, ROOT, cp, ensureArtifacts, freePort, javaBin, pidAlive, portOpen, spawnDaemon, waitFor } from './lib.mjs';

/** Heap for the HBase JVM; override with FLUME_TS_HBASE_HEAP. */
const HEAP = process.env.FLUME_TS_HBASE_HEAP ?? '384m';

/** @param {Record<string, string | number | boolean>} props */
function siteXml(props) {
  const rows = Object.entries(props).map(([k, v]) => `  <property><name>${k}</name><value>${v}</value></property>`);
  return `<?xml version="1.0"?>\n<configuration>\n${rows.join('\n')}\n</configuration>\n`;
}

/**
 * Writes the configuration of an instance in `dir` (rootdir, ZooKeeper, master and region server ports); `extra`
 * adds or overrides hbase-site.xml properties (the Kerberized instance of hbase-kerberos.mjs).
 * @param {string} dir @param {number} zkPort @param {{ master: number, regionserver: number }} ports
 * @param {Record<string, string | number | boolean>} [extra]
 */
export function configure(dir, zkPort, ports, extra = {}) {
  const conf = path.join(dir, 'conf');
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(conf, { recursive: true });
  fs.mkdirSync(logs, { recursive: true });
  fs.writeFileSync(
    path.join(conf, 'hbase-site.xml'),
    siteXml({
      'hbase.cluster.distributed': false,
      'hbase.rootdir': `file://${path.join(dir, 'hbase')}`,
      'hbase.tmp.dir': path.join(dir, 'tmp'),
      'hbase.zookeeper.quorum': HOST,
      'hbase.zookeeper.property.clientPort': zkPort,
      'hbase.zookeeper.property.dataDir': path.join(dir, 'zk'),
      'hbase.master.hostname': HOST,
      'hbase.regionserver.hostname': HOST,
      'hbase.master.ipc.address': HOST,
      'hbase.regionserver.ipc.address': HOST,
      'hbase.master.port': ports.master,
      'hbase.regionserver.port': ports.regionserver,
      'hbase.localcluster.assign.random.ports': false,
      'hbase.master.info.port': -1,
      'hbase.regionserver.info.port': -1,
      'hbase.unsafe.stream.capability.enforce': false,
      'hbase.regionserver.handler.count': 8,
      'hbase.master.handler.count': 4,
      'hbase.regionserver.global.memstore.size': 0.2,
      'hfile.block.cache.size': 0.1,
      'hbase.balancer.period': 3_600_000,
      'hbase.normalizer.period': 3_600_000,
      'hbase.master.wait.on.regionservers.mintostart': 1,
      'hbase.procedure.store.wal.use.hsync': false,
      ...extra,
    }),
  );
  fs.writeFileSync(
    path.join(conf, 'log4j2.properties'),
    [
      'status = warn',
      'appender.file.type = File',
      'appender.file.name = file',
      `appender.file.fileName = ${path.join(logs, 'hbase.log')}`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = %d{ISO8601} %-5p [%t] %c{2}: %m%n',
      'rootLogger = INFO, file',
      'logger.zk.name = org.apache.zookeeper',
      'logger.zk.level = WARN',
      'logger.hadoop.name = org.apache.hadoop.hbase.shaded',
      'logger.hadoop.level = WARN',
      '',
    ].join('\n'),
  );
  return { conf, log: path.join(logs, 'hbase.log') };
}

/**
 * Runs HBase in `dir` (again: a restart keeps its data and ZooKeeper port; the master and region server get new free
 * ports, as a restarted server may); resolves once the master has finished initialising (hbase:meta online).
 * `opts.site` adds hbase-site.xml properties, `opts.jvm` JVM options (hbase-kerberos.mjs: Kerberos on).
 * @param {string} dir @param {number} zkPort
 * @param {{ site?: Record<string, string | number | boolean>, jvm?: string[] }} [opts]
 * @returns {Promise<{ pid: number, log: string }>}
 */
export async function runInstance(dir, zkPort, opts = {}) {
  const lib = ensureArtifacts('hbase');
  const [master, regionserver] = [await freePort(), await freePort()];
  const { conf, log } = configure(dir, zkPort, { master, regionserver }, opts.site);
  const mark = fs.existsSync(log) ? fs.statSync(log).size : 0;
  const args = [
    `-Xms${HEAP}`,
    `-Xmx${HEAP}`,
    '-XX:+UseG1GC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    '-Djava.net.preferIPv4Stack=true',
    `-Dlog4j.configurationFile=${path.join(conf, 'log4j2.properties')}`,
    ...(opts.jvm ?? []),
    ...JAVA17_OPENS,
    '-cp',
    `${conf}${path.delimiter}${cp(lib)}`,
    'org.apache.hadoop.hbase.master.HMaster',
    'start',
  ];
  const child = spawnDaemon(javaBin(), args, { cwd: dir, logFile: path.join(dir, 'logs', 'stdout.log') });
  const pid = /** @type {number} */ (child.pid);
  await waitFor('hbase', async () => (await portOpen(zkPort)) && /Master has completed initialization/.test(readFrom(log, mark)), {
    alive: () => pidAlive(pid),
    logFile: log,
    timeoutMs: 180_000,
  });
  return { pid, log };
}

/**
 * @param {string} dir run directory (created by the caller)
 * @returns {Promise<import('./lib.mjs').ServiceInfo>}
 */
export async function start(dir) {
  const t0 = Date.now();
  const zkPort = await freePort();
  const { pid, log } = await runInstance(dir, zkPort);
  return {
    name: 'hbase',
    host: HOST,
    ports: { zookeeper: zkPort },
    pids: [pid],
    logs: { hbase: log },
    dir,
    urls: { zookeeperQuorum: `${HOST}:${zkPort}` },
    startedAt: new Date(t0).toISOString(),
    startMs: Date.now() - t0,
  };
}

const TOOL_JVM = ['-Xmx192m', '-XX:TieredStopAtLevel=1', '-Xshare:auto', '-Dlog4j2.level=warn', '-Dlog4j.configurationFile=none'];

/** Compiles HBaseTool once into .services/lib/hbase-tool (next to the jars it needs). @returns {string} classes dir */
function toolClasses() {
  const lib = ensureArtifacts('hbase');
  const out = path.join(path.dirname(lib), 'hbase-tool');
  const src = path.join(ROOT, 'test', 'support', 'java', 'HBaseTool.java');
  const cls = path.join(out, 'HBaseTool.class');
  if (fs.existsSync(cls) && fs.statSync(cls).mtimeMs >= fs.statSync(src).mtimeMs) return out;
  fs.mkdirSync(out, { recursive: true });
  const javac = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'javac') : 'javac';
  const r = spawnSync(javac, ['-nowarn', '-d', out, '-cp', cp(lib), src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`javac HBaseTool failed: ${r.stderr}`);
  return out;
}

/**
 * Runs HBaseTool (HBase's Java client) against the HBase whose ZooKeeper is `quorum` (host:port). `jvm` adds JVM
 * options: the Kerberos login of hbase-kerberos.mjs's `toolJvm()`.
 * @param {string} quorum @param {string[]} args @param {string[]} [jvm] @returns {Promise<string>} its standard output
 */
export async function hbaseTool(quorum, args, jvm = []) {
  const lib = ensureArtifacts('hbase');
  const classes = toolClasses();
  const { spawn } = await import('node:child_process');
  const argv = [...TOOL_JVM, ...jvm, ...JAVA17_OPENS, '-cp', `${classes}${path.delimiter}${cp(lib)}`, 'HBaseTool', quorum, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(javaBin(), argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(
            out
              .split('\n')
              .filter((l) => !/^\d\d:\d\d:\d\d\.\d+ \[/.test(l))
              .join('\n'),
          )
        : reject(new Error(`HBaseTool ${args.join(' ')} failed (${code}): ${err.slice(-2000)}`)),
    );
  });
}

/**
 * hbaseTool, synchronously (for the benchmark's prepare step).
 * @param {string} quorum @param {string[]} args @returns {string}
 */
export function hbaseToolSync(quorum, args) {
  const lib = ensureArtifacts('hbase');
  const argv = [...TOOL_JVM, ...JAVA17_OPENS, '-cp', `${toolClasses()}${path.delimiter}${cp(lib)}`, 'HBaseTool', quorum, ...args];
  const r = spawnSync(javaBin(), argv, { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`HBaseTool ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr ?? '').slice(-2000)}`);
  return r.stdout;
}

/** @param {string} f @param {number} from */
function readFrom(f, from) {
  try {
    return fs.readFileSync(f, 'utf8').slice(from);
  } catch {
    return '';
  }
}
