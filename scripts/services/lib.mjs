// Shared plumbing for the service harness: paths, the Maven download, free ports, polling,
// JVM processes, the state file and its lock. Plain ESM JavaScript so that `node` runs it without a build.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (two levels above this file). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Cache and run directory; override with FLUME_TS_SERVICES_HOME (e.g. to share downloads between clones). */
export const HOME = path.resolve(process.env.FLUME_TS_SERVICES_HOME ?? path.join(ROOT, '.services'));
export const LIB_DIR = path.join(HOME, 'lib');
export const DIST_DIR = path.join(HOME, 'dist');
export const RUN_DIR = path.join(HOME, 'run');
export const STATE_FILE = path.join(HOME, 'state.json');
const LOCK_FILE = path.join(HOME, 'state.lock');
export const POM = path.join(ROOT, 'test', 'services', 'pom.xml');

/** Loopback address every service binds to. */
export const HOST = '127.0.0.1';

/** Java executable: $JAVA_HOME/bin/java when set, else `java` on PATH. */
export function javaBin() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** JAVA_HOME to hand to launchers that insist on one (Elasticsearch). */
export function javaHome() {
  if (process.env.JAVA_HOME) return process.env.JAVA_HOME;
  const r = spawnSync('java', ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
  const m = /java\.home = (.+)/.exec(r.stderr ?? '');
  if (!m) throw new Error('cannot find java.home; is Java 17 installed?');
  return m[1].trim();
}

/** `--add-opens` flags that Hadoop and Flume (written for Java 8) need on Java 17. */
export const JAVA17_OPENS = [
  'java.base/java.lang',
  'java.base/java.lang.reflect',
  'java.base/java.io',
  'java.base/java.net',
  'java.base/java.nio',
  'java.base/java.util',
  'java.base/java.util.concurrent',
  'java.base/java.util.concurrent.atomic',
  'java.base/sun.nio.ch',
  'java.base/sun.nio.cs',
  'java.base/sun.security.action',
  'java.base/sun.util.calendar',
  'java.security.jgss/sun.security.krb5',
].map((p) => `--add-opens=${p}=ALL-UNNAMED`);

/** @param {string} msg */
export function log(msg) {
  if (process.env.FLUME_TS_SERVICES_QUIET) return;
  process.stderr.write(`[services] ${msg}\n`);
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns a truthy value, at most `timeoutMs`. Throws with `what` and the last error.
 * @template T
 * @param {string} what
 * @param {() => Promise<T | undefined | null | false>} probe
 * @param {{ timeoutMs?: number, intervalMs?: number, alive?: () => boolean, logFile?: string }} [opts]
 * @returns {Promise<T>}
 */
export async function waitFor(what, probe, opts = {}) {
  const { timeoutMs = 120_000, intervalMs = 250, alive, logFile } = opts;
  const deadline = Date.now() + timeoutMs;
  /** @type {unknown} */
  let last;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (alive && !alive()) {
      throw new Error(`${what}: process exited before it was ready${logFile ? `; see ${logFile}:\n${tail(logFile)}` : ''}`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not ready after ${timeoutMs} ms (${last instanceof Error ? last.message : String(last ?? 'no answer')})${logFile ? `; see ${logFile}:\n${tail(logFile)}` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}

/** Last lines of a log file, for error messages. @param {string} file @param {number} [n] */
export function tail(file, n = 30) {
  try {
    const s = fs.readFileSync(file, 'utf8');
    return s
      .split('\n')
      .slice(-n)
      .map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l))
      .join('\n');
  } catch {
    return '(no log)';
  }
}

/** A free TCP port on 127.0.0.1 (bound then released; the caller binds it soon after). @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** @param {number} n @returns {Promise<number[]>} distinct free ports */
export async function freePorts(n) {
  /** @type {Set<number>} */
  const s = new Set();
  while (s.size < n) s.add(await freePort());
  return [...s];
}

/** True when something accepts TCP connections on host:port. @param {number} port @param {string} [host] */
export function portOpen(port, host = HOST) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (/** @type {boolean} */ ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** @param {number} pid */
export function pidAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); look at /proc.
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

/**
 * Stops a process: SIGTERM, then SIGKILL after `graceMs`. Resolves when it is gone.
 * @param {number} pid @param {number} [graceMs]
 */
export async function stopPid(pid, graceMs = 15_000) {
  if (!pidAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
  if (pidAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    const hard = Date.now() + 5000;
    while (pidAlive(pid) && Date.now() < hard) await sleep(50);
  }
}

/**
 * Starts a long-running child with stdout+stderr appended to `logFile`. Detached (own process group) so it
 * outlives a CLI that started it; the caller decides who stops it.
 * @param {string} cmd @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, logFile: string, uid?: number, gid?: number }} opts
 */
export function spawnDaemon(cmd, args, opts) {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  fs.writeSync(fd, `# ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', fd, fd],
    detached: true,
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
  });
  fs.closeSync(fd);
  child.unref();
  if (!child.pid) throw new Error(`cannot start ${cmd}`);
  return child;
}

/**
 * Runs a command to completion (for format steps); throws with its output on failure.
 * @param {string} cmd @param {string[]} args @param {{ cwd?: string, env?: NodeJS.ProcessEnv, logFile?: string, timeoutMs?: number }} [opts]
 */
export function runSync(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 300_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (opts.logFile) fs.appendFileSync(opts.logFile, `# ${cmd} ${args.join(' ')}\n${out}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(-4).join(' ')} failed (${r.status ?? r.signal}): ${out.slice(-3000)}`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Artefacts

/** Maven profile per service; each gets its own classpath dir. */
const PROFILES = /** @type {const} */ (['kafka', 'hdfs', 'hdfs-ha', 'es', 'flume', 'artemis', 'hbase', 'hive', 'orc-tools', 'hive-exec']);

/**
 * Ensures the Maven artefacts of `name` are in the cache (downloads once; later calls are a stat).
 * @param {'kafka'|'hdfs'|'hdfs-ha'|'es'|'flume'|'artemis'|'hbase'|'hive'|'orc-tools'|'hive-exec'} name
 * @returns {string} the classpath directory (or, for es, the unpacked distribution; for artemis and hive, their unpack directory)
 */
export function ensureArtifacts(name) {
  if (!PROFILES.includes(name)) throw new Error(`unknown artefact set ${name}`);
  const unpack = name === 'es' || name === 'artemis' || name === 'hive';
  const dir = unpack ? path.join(DIST_DIR, name) : path.join(LIB_DIR, name);
  const marker = path.join(dir, '.complete');
  const pomStamp = fs.statSync(POM).mtimeMs.toFixed(0) + ':' + fs.readFileSync(POM, 'utf8').length;
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === pomStamp) return esHome(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const goal = unpack ? 'dependency:unpack-dependencies' : 'dependency:copy-dependencies';
  log(`downloading ${name} artefacts with Maven into ${path.relative(ROOT, dir)} (once)…`);
  const t0 = Date.now();
  const mvn = process.env.MVN ?? 'mvn';
  // unpack-dependencies skips artefacts it has marked as unpacked before: drop its markers.
  fs.rmSync(path.join(path.dirname(POM), 'target'), { recursive: true, force: true });
  const mvnArgs = ['-q', '-B', '-f', POM, `-P${name}`, goal, `-DoutputDirectory=${dir}`];
  try {
    runSync(mvn, mvnArgs, { timeoutMs: 1_200_000 });
  } catch (e) {
    // One retry for a transient network failure.
    log(`${name}: Maven failed (${e instanceof Error ? e.message.slice(0, 300) : e}); retrying once`);
    fs.rmSync(path.join(path.dirname(POM), 'target'), { recursive: true, force: true });
    runSync(mvn, mvnArgs, { timeoutMs: 1_200_000 });
  }
  const result = esHome(dir); // throws if the download is incomplete: no marker then
  fs.writeFileSync(marker, pomStamp);
  log(`${name} artefacts ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return result;

  /** @param {string} d */
  function esHome(d) {
    if (name !== 'es') return d;
    const sub = fs.readdirSync(d).find((f) => f.startsWith('elasticsearch-'));
    if (!sub) throw new Error(`no elasticsearch-* directory in ${d}`);
    return path.join(d, sub);
  }
}

/** Classpath string `dir/*` for a lib dir (the JVM expands the wildcard). @param {string} dir */
export const cp = (dir) => path.join(dir, '*');

// ---------------------------------------------------------------------------------------------------------
// State file

/**
 * @typedef {object} ServiceInfo
 * @property {string} name          service name: kafka | hdfs | es
 * @property {string} host          127.0.0.1
 * @property {Record<string, number>} ports  named ports (see docs/services.md)
 * @property {number[]} pids        JVM process ids
 * @property {Record<string, string>} logs   named log files
 * @property {string} dir           run directory (data + config + logs)
 * @property {Record<string, string>} [urls] convenience URLs / connection strings
 * @property {string} startedAt     ISO time
 * @property {number} startMs       wall time from spawn to ready
 * @property {number} [owner]       pid of the process that owns it (stopped when that exits); absent = CLI-started
 */

/** @typedef {{ services: Record<string, ServiceInfo> }} State */

/** @returns {State} */
export function readState() {
  try {
    const s = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
    if (s && typeof s === 'object' && s.services) return s;
  } catch {
    /* none */
  }
  return { services: {} };
}

/** @param {State} s */
function writeState(s) {
  fs.mkdirSync(HOME, { recursive: true });
  const tmp = `${STATE_FILE}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n');
  fs.renameSync(tmp, STATE_FILE);
}

/**
 * Runs `fn` holding the harness lock (a file with the holder's pid; stale locks of dead pids are broken).
 * @template T @param {() => Promise<T>} fn @param {number} [timeoutMs] @returns {Promise<T>}
 */
export async function withLock(fn, timeoutMs = 600_000) {
  fs.mkdirSync(HOME, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = fs.openSync(LOCK_FILE, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'EEXIST') throw e;
      let holder = 0;
      try {
        holder = Number(fs.readFileSync(LOCK_FILE, 'utf8'));
      } catch {
        /* vanished */
      }
      if (holder && !pidAlive(holder)) {
        fs.rmSync(LOCK_FILE, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`services lock ${LOCK_FILE} held by pid ${holder}`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK_FILE, { force: true });
  }
}

/** @param {(s: State) => void} mutate */
export function updateState(mutate) {
  const s = readState();
  mutate(s);
  writeState(s);
  return s;
}

/** A recorded service whose processes are all alive, else undefined. @param {string} name */
export function liveService(name) {
  const info = readState().services[name];
  if (info && info.pids.length > 0 && info.pids.every(pidAlive)) return info;
  return undefined;
}

/**
 * When running as root, the unprivileged account to run a service that refuses root (Elasticsearch) as:
 * `nobody`, or FLUME_TS_SERVICES_USER. Undefined when not root.
 * @returns {{ uid: number, gid: number, name: string } | undefined}
 */
export function unprivilegedUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const want = process.env.FLUME_TS_SERVICES_USER ?? 'nobody';
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === want);
  if (!line) throw new Error(`running as root and no user "${want}" to run Elasticsearch as (set FLUME_TS_SERVICES_USER)`);
  const [name, , uid, gid] = line.split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
}

/** chown -R (for run dirs handed to an unprivileged service). @param {string} dir @param {number} uid @param {number} gid */
export function chownR(dir, uid, gid) {
  fs.chownSync(dir, uid, gid);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownR(p, uid, gid);
    else fs.chownSync(p, uid, gid);
  }
}

/**
 * GET a JSON document over plain HTTP; undefined on any error, non-200 status or bad JSON (for readiness probes).
 * @param {string} url @param {number} [timeoutMs] @returns {Promise<any>}
 */
export function getJson(url, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? JSON.parse(body) : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}
