// Service harness API: start/reuse/stop Kafka, HDFS, Elasticsearch, Artemis and a Kerberos KDC on loopback, recorded in .services/state.json.
// Used by the CLI (scripts/services/cli.mjs, `npm run services`) and by test/support/services.ts.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_DIR, STATE_FILE, ensureArtifacts, liveService, log, pidAlive, readState, stopPid, updateState, withLock } from './lib.mjs';

export { STATE_FILE, readState, liveService } from './lib.mjs';

/** @typedef {import('./lib.mjs').ServiceInfo} ServiceInfo */
/** @typedef {'kafka' | 'hdfs' | 'es' | 'artemis' | 'hbase' | 'kdc' | 'hive'} ServiceName */

/** Every service the harness can run. */
export const SERVICE_NAMES = /** @type {const} */ (['kafka', 'hdfs', 'es', 'artemis', 'hbase', 'kdc', 'hive']);

/** Services with Maven artefacts (the KDC is Debian's krb5-kdc). */
export const MAVEN_SERVICES = /** @type {const} */ (['kafka', 'hdfs', 'es', 'artemis', 'hbase', 'hive']);

/** @param {string} name @returns {Promise<{ start: (dir: string) => Promise<ServiceInfo> }>} */
async function impl(name) {
  switch (name) {
    case 'kafka':
      return import('./kafka.mjs');
    case 'hdfs':
      return import('./hdfs.mjs');
    case 'es':
      return import('./es.mjs');
    case 'artemis':
      return import('./artemis.mjs');
    case 'kdc':
      return import('./kdc.mjs');
    case 'hbase':
      return import('./hbase.mjs');
    case 'hive':
      return import('./hive.mjs');
    default:
      throw new Error(`unknown service "${name}" (known: ${SERVICE_NAMES.join(', ')})`);
  }
}

/**
 * Starts the named services, or reuses ones already running (recorded in the state file with live pids).
 * @param {readonly string[]} names
 * @param {{ owner?: number }} [opts] owner: stop what this call starts when process `owner` exits
 *   (a detached watchdog does it even if the owner is SIGKILLed). Without owner, services run until `stop`.
 * @returns {Promise<{ services: Record<string, ServiceInfo>, started: string[] }>}
 */
export async function startServices(names, opts = {}) {
  // The Hive metastore keeps its warehouse on HDFS: hive brings hdfs along.
  const wanted = [...new Set(names.includes('hive') ? ['hdfs', ...names] : names)];
  for (const n of wanted) await impl(n); // validate names early
  /** @type {Record<string, ServiceInfo>} */
  const services = {};
  /** @type {string[]} */
  const started = [];
  await withLock(async () => {
    /** @type {string[]} */
    const toStart = [];
    for (const name of wanted) {
      const live = liveService(name);
      if (live) {
        log(`${name}: reusing pid ${live.pids.join(',')} (${describe(live)})`);
        services[name] = live;
        continue;
      }
      const stale = readState().services[name];
      if (stale) await stopInfo(stale); // half-dead leftovers
      toStart.push(name);
    }
    // Artefacts first, one at a time (Maven's local repository is not safe for concurrent writers)…
    for (const name of toStart) if (name !== 'kdc') ensureArtifacts(/** @type {any} */ (name));
    // …then the JVMs in parallel: they are independent and mostly wait on their own start-up (hive waits for hdfs).
    const startOne = async (/** @type {string} */ name) => {
      const dir = path.join(RUN_DIR, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
      fs.mkdirSync(dir, { recursive: true });
      log(`${name}: starting (run dir ${dir})`);
      try {
        const info = await (await impl(name)).start(dir);
        if (opts.owner) info.owner = opts.owner;
        updateState((s) => {
          s.services[name] = info;
        });
        log(`${name}: ready in ${(info.startMs / 1000).toFixed(1)} s (${describe(info)})`);
        services[name] = info;
        started.push(name);
      } catch (e) {
        killByDir(dir); // whatever the failed start left behind
        throw e;
      }
    };
    const first = toStart.filter((n) => n !== 'hive');
    const results = await Promise.allSettled(first.map(startOne));
    if (toStart.includes('hive') && results.every((r) => r.status === 'fulfilled')) {
      results.push(...(await Promise.allSettled([startOne('hive')])));
    }
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    if (failed.length > 0) {
      // All or nothing: stop what this call did start.
      for (const n of started) await stopInfo(services[n]);
      updateState((s) => {
        for (const n of started) delete s.services[n];
      });
      throw failed[0] instanceof Error ? failed[0] : new Error(String(failed[0]));
    }
  });
  if (opts.owner && started.length > 0) spawnWatchdog(opts.owner, started);
  return { services, started };
}

/**
 * Stops the named services (all recorded ones when `names` is empty) and removes them from the state file.
 * Run directories and logs are kept.
 * @param {readonly string[]} [names]
 */
export async function stopServices(names = []) {
  await withLock(async () => {
    const state = readState();
    const which = names.length ? names : Object.keys(state.services);
    await Promise.all(
      which.map(async (n) => {
        const info = state.services[n];
        if (!info) return;
        log(`${n}: stopping pid ${info.pids.join(',')}`);
        await stopInfo(info);
      }),
    );
    updateState((s) => {
      for (const n of which) delete s.services[n];
    });
  });
}

/** @param {ServiceInfo} info */
async function stopInfo(info) {
  // Reverse order: for HDFS the DataNode goes before the NameNode.
  for (const pid of [...info.pids].reverse()) await stopPid(pid);
}

/** @param {ServiceInfo} info */
export function describe(info) {
  return Object.entries(info.urls ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** Status of recorded services. @returns {Array<ServiceInfo & { alive: boolean }>} */
export function status() {
  return Object.values(readState().services).map((s) => ({ ...s, alive: s.pids.every(pidAlive) }));
}

/**
 * Kills JVMs whose command line mentions `dir` (used after a failed start, before the state file knows them).
 * @param {string} dir
 */
function killByDir(dir) {
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes(dir)) process.kill(Number(p), 'SIGKILL');
    } catch {
      /* gone or not ours */
    }
  }
}

/**
 * Detached watcher: when `owner` exits, SIGTERM (then SIGKILL) the services `names` it owns, with the pids the state
 * file then lists (a test may have restarted them), and drop them from the state file.
 * @param {number} owner @param {string[]} names
 */
function spawnWatchdog(owner, names) {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'watchdog.mjs');
  const child = spawn(process.execPath, [script, String(owner), ...names], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, FLUME_TS_SERVICES_STATE: STATE_FILE },
  });
  child.unref();
}
