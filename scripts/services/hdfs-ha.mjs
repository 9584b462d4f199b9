// NameNode HA for tests: Hadoop's MiniDFSCluster with an HA topology (two NameNodes of nameservice "minidfs-ns" sharing
// their edits, one DataNode) in one private JVM, run by test/support/java/HaCluster.java, which this module compiles
// once into .services/classes/hdfs-ha. The JVM reads commands on stdin (failover I J, state, quit) and ends when its
// stdin closes, so it never outlives the test process that started it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { ensureArtifacts, HOME, javaBin, JAVA17_OPENS, log, ROOT } from './lib.mjs';

const SOURCE = path.join(ROOT, 'test', 'support', 'java', 'HaCluster.java');

/** Compiles HaCluster.java against the hdfs-ha artefacts when its class is missing or older than the source. */
function compile(lib) {
  const out = path.join(HOME, 'classes', 'hdfs-ha');
  const cls = path.join(out, 'HaCluster.class');
  if (fs.existsSync(cls) && fs.statSync(cls).mtimeMs >= fs.statSync(SOURCE).mtimeMs) return out;
  fs.mkdirSync(out, { recursive: true });
  const javac = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'javac') : 'javac';
  const r = spawnSync(javac, ['-cp', path.join(lib, '*'), '-d', out, SOURCE], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`javac HaCluster.java failed: ${r.stderr || r.error}`);
  return out;
}

/**
 * Starts a private HA cluster under `dir`; resolves once NameNode 0 is active.
 * @param {string} dir
 * @param {{ heap?: string, timeoutMs?: number }} [o]
 */
export async function startHaCluster(dir, o = {}) {
  const lib = ensureArtifacts('hdfs-ha');
  const classes = compile(lib);
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'cluster.log');
  const err = fs.openSync(logFile, 'a');
  const t0 = Date.now();
  const child = spawn(
    javaBin(),
    [
      `-Xmx${o.heap ?? '448m'}`,
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Djava.net.preferIPv4Stack=true',
      ...JAVA17_OPENS,
      '-cp',
      `${path.join(lib, '*')}${path.delimiter}${classes}`,
      'HaCluster',
      path.join(dir, 'data'),
    ],
    { stdio: ['pipe', 'pipe', err] },
  );
  fs.closeSync(err);
  const lines = readline.createInterface({ input: child.stdout });
  /** @type {Array<(line: string) => void>} */
  const waiting = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  const exited = new Promise((r) => child.once('exit', r));
  const next = (timeoutMs) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`HA cluster: no answer in ${timeoutMs} ms (log: ${logFile})`)), timeoutMs);
      const onExit = () => reject(new Error(`HA cluster exited (log: ${logFile})`));
      child.once('exit', onExit);
      waiting.push((l) => {
        clearTimeout(t);
        child.off('exit', onExit);
        resolve(l);
      });
    });
  /** @type {{ nameservice: string, namenodes: Array<{ id: string, http: string, rpc: string }> }} */
  let info;
  try {
    info = JSON.parse(await next(o.timeoutMs ?? 240_000));
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  log(`hdfs-ha: MiniDFSCluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${info.namenodes.map((n) => n.http).join(', ')})`);
  /** @param {string} cmd */
  const ask = async (cmd) => {
    const answer = next(120_000);
    child.stdin.write(`${cmd}\n`);
    const a = await answer;
    if (a.startsWith('error')) throw new Error(`HA cluster: ${cmd}: ${a}`);
    return a;
  };
  return {
    ...info,
    logFile,
    /** NameNode `from` becomes standby, then `to` active (MiniDFSCluster.transitionToStandby/Active). */
    failover: (/** @type {number} */ from, /** @type {number} */ to) => ask(`failover ${from} ${to}`),
    /** The HA state of both NameNodes, e.g. "active standby". */
    state: () => ask('state'),
    async stop() {
      if (child.exitCode !== null) return;
      child.stdin.end('quit\n');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    },
  };
}
