// Elasticsearch 8.x: the real minimal distribution (Maven artefact
// org.elasticsearch.distribution.integ-test-zip:elasticsearch:<v>:zip), single node, HTTP on 127.0.0.1 only,
// security off, disk watermarks off. Run with the machine's Java 17 (the zip bundles no JDK).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  HOST,
  chownR,
  ensureArtifacts,
  getJson,
  unprivilegedUser,
  freePorts,
  javaHome,
  pidAlive,
  spawnDaemon,
  stopPid,
  waitFor,
} from './lib.mjs';

/** Heap; override with FLUME_TS_ES_HEAP. */
const HEAP = process.env.FLUME_TS_ES_HEAP ?? '1g';

/**
 * @param {string} dir run directory
 * @returns {Promise<import('./lib.mjs').ServiceInfo>}
 */
export async function start(runDir) {
  let home = ensureArtifacts('es');
  const t0 = Date.now();
  // Elasticsearch refuses to run as root: as root, run it as `nobody` with its node directory handed over.
  const user = unprivilegedUser();
  let dir = runDir;
  if (user && !reachable(user, [path.join(home, 'bin', 'elasticsearch'), runDir])) {
    // The checkout sits below a directory `nobody` cannot enter (e.g. /root): run from a copy under the
    // system temp dir instead; the run dir then only points there.
    const base = path.join(os.tmpdir(), 'flume-ts-services-es');
    fs.mkdirSync(base, { recursive: true, mode: 0o755 });
    fs.chmodSync(base, 0o755);
    const copy = path.join(base, path.basename(home));
    if (!fs.existsSync(path.join(copy, '.complete'))) {
      fs.rmSync(copy, { recursive: true, force: true });
      fs.cpSync(home, copy, { recursive: true });
      fs.writeFileSync(path.join(copy, '.complete'), '');
    }
    home = copy;
    dir = path.join(base, path.basename(runDir));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'NODE_DIR'), `${dir}\n`);
  }
  const [httpPort, transportPort] = await freePorts(2);
  const conf = path.join(dir, 'config');
  const logDir = path.join(dir, 'logs');
  const dataDir = path.join(dir, 'data');
  const tmpDir = path.join(dir, 'tmp');
  fs.cpSync(path.join(home, 'config'), conf, { recursive: true });
  for (const d of [logDir, dataDir, tmpDir]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(
    path.join(conf, 'elasticsearch.yml'),
    [
      'cluster.name: flume-ts-test',
      'node.name: node-1',
      `path.data: ${dataDir}`,
      `path.logs: ${logDir}`,
      `network.host: ${HOST}`,
      `http.host: ${HOST}`,
      `transport.host: ${HOST}`,
      `http.port: ${httpPort}`,
      `transport.port: ${transportPort}`,
      'discovery.type: single-node',
      'xpack.security.enabled: false',
      'xpack.security.http.ssl.enabled: false',
      'xpack.security.transport.ssl.enabled: false',
      'cluster.routing.allocation.disk.threshold_enabled: false',
      'action.destructive_requires_name: false',
      'bootstrap.memory_lock: false',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(conf, 'jvm.options.d', 'flume-ts.options'),
    [
      `-Xms${HEAP}`,
      `-Xmx${HEAP}`,
      '-XX:TieredStopAtLevel=1',
      `-XX:ErrorFile=${logDir}/hs_err_pid%p.log`,
      `-XX:HeapDumpPath=${dataDir}`,
      '',
    ].join('\n'),
  );
  // The stock jvm.options writes gc logs relative to the working directory: point it at our logs.
  const jvmOpts = path.join(conf, 'jvm.options');
  fs.writeFileSync(
    jvmOpts,
    fs
      .readFileSync(jvmOpts, 'utf8')
      .replace(/file=logs\/gc\.log/, `file=${logDir}/gc.log`)
      .replace(/-XX:HeapDumpPath=data\n/, '')
      .replace(/-XX:ErrorFile=logs\/[^\n]*\n/, ''),
  );
  const stdout = path.join(logDir, 'stdout.log');
  const env = {
    ...process.env,
    ES_JAVA_HOME: javaHome(),
    ES_PATH_CONF: conf,
    ES_TMPDIR: tmpDir,
    ES_JAVA_OPTS: '',
    JAVA_HOME: '',
  };
  if (user) {
    chownR(dir, user.uid, user.gid);
    env.HOME = dir;
  }
  const child = spawnDaemon(path.join(home, 'bin', 'elasticsearch'), [], {
    cwd: dir,
    env,
    logFile: stdout,
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  const launcher = /** @type {number} */ (child.pid);
  // bin/elasticsearch runs a CLI JVM that starts the server JVM; both stay up. Stop the launcher first
  // (it forwards the shutdown), and record the server JVM too.
  const node = `http://${HOST}:${httpPort}`;
  try {
    await waitFor(
      'elasticsearch',
      async () => {
        const h = await getJson(`${node}/_cluster/health?wait_for_status=yellow&timeout=2s`);
        return h && (h.status === 'green' || h.status === 'yellow');
      },
      { alive: () => pidAlive(launcher), logFile: stdout, timeoutMs: 240_000, intervalMs: 500 },
    );
  } catch (e) {
    await stopPid(launcher, 5000);
    throw e;
  }
  const server = findServerPid(launcher);
  return {
    name: 'es',
    host: HOST,
    ports: { http: httpPort, transport: transportPort },
    pids: server ? [server, launcher] : [launcher],
    logs: { server: path.join(logDir, 'flume-ts-test.log'), stdout },
    dir,
    urls: { node },
    startedAt: new Date(t0).toISOString(),
    startMs: Date.now() - t0,
  };
}

/** The Elasticsearch server JVM: a child of the launcher whose main class is org.elasticsearch.bootstrap.Elasticsearch. @param {number} launcher */
function findServerPid(launcher) {
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== launcher) continue;
      if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('org.elasticsearch.server')) return Number(p);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

/**
 * Whether `user` can reach (execute/enter) every path.
 * @param {{ uid: number, gid: number }} user @param {string[]} paths
 */
function reachable(user, paths) {
  const r = spawnSync('sh', ['-c', 'for p in "$@"; do test -x "$p" || exit 1; done', 'sh', ...paths], {
    uid: user.uid,
    gid: user.gid,
    stdio: 'ignore',
  });
  return r.status === 0;
}
