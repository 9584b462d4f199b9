// Apache ActiveMQ Artemis 2.31.2 broker (the JMS source's broker): `artemis create` makes a broker instance in the
// run directory, bound to 127.0.0.1 with one free port for its multi-protocol acceptor (CORE, AMQP, STOMP, OpenWire),
// anonymous access allowed and a test user flume/flume; then `bin/artemis run` in the foreground of a daemon.
import fs from 'node:fs';
import path from 'node:path';
import { HOST, ensureArtifacts, freePort, javaHome, pidAlive, portOpen, runSync, spawnDaemon, waitFor } from './lib.mjs';

/** Test user created in every instance (anonymous access is allowed too). */
export const USER = 'flume';
export const PASSWORD = 'flume';

/** Heap for the broker; override with FLUME_TS_ARTEMIS_HEAP. */
const HEAP = process.env.FLUME_TS_ARTEMIS_HEAP ?? '384m';

/** The unpacked distribution's home (bin/artemis). */
export function artemisHome() {
  const d = ensureArtifacts('artemis');
  const sub = fs.readdirSync(d).find((f) => f.startsWith('apache-artemis-'));
  if (!sub) throw new Error(`no apache-artemis-* directory in ${d}`);
  return path.join(d, sub);
}

/**
 * Creates a broker instance in `dir`/broker listening on `port` (a free one by default). `requireLogin`: only the
 * test user may connect (with anonymous access allowed, Artemis takes any credentials as the guest user).
 * @param {string} dir @param {number} [port] @param {{ requireLogin?: boolean }} [opts]
 * @returns {Promise<{ instance: string, port: number }>}
 */
export async function createInstance(dir, port, opts = {}) {
  const home = artemisHome();
  const p = port ?? (await freePort());
  const instance = path.join(dir, 'broker');
  const env = { ...process.env, JAVA_HOME: process.env.JAVA_HOME ?? javaHome() };
  runSync(
    path.join(home, 'bin', 'artemis'),
    [
      'create',
      instance,
      '--silent',
      '--force',
      '--host',
      HOST,
      '--default-port',
      String(p),
      '--allow-anonymous',
      '--user',
      USER,
      '--password',
      PASSWORD,
      '--no-web',
      '--no-autotune',
      '--no-fsync',
      '--no-hornetq-acceptor',
      '--no-mqtt-acceptor',
      '--no-stomp-acceptor',
      '--no-amqp-acceptor',
      '--java-memory',
      HEAP,
    ],
    { env, logFile: path.join(dir, 'create.log'), timeoutMs: 180_000 },
  );
  // The generated profile starts the heap at 512M (over a small -Xmx); a small start heap and C1 only suit tests.
  const profile = path.join(instance, 'etc', 'artemis.profile');
  fs.writeFileSync(profile, fs.readFileSync(profile, 'utf8').replace(/-Xms\w+/, '-Xms64m -XX:TieredStopAtLevel=1'));
  if (opts.requireLogin) {
    // `--require-login` still leaves the guest login module, which takes any credentials: drop it
    const login = path.join(instance, 'etc', 'login.config');
    fs.writeFileSync(
      login,
      fs.readFileSync(login, 'utf8').replace(/\s*org\.apache\.activemq\.artemis\.spi\.core\.security\.jaas\.GuestLoginModule[^;]*;/, ''),
    );
  }
  return { instance, port: p };
}

/**
 * Runs an existing instance (again: a restart keeps its journal, port and subscriptions); resolves once it is live.
 * @param {string} instance @param {number} port @returns {Promise<{ pid: number, log: string }>}
 */
export async function runInstance(instance, port) {
  const log = path.join(instance, 'log', 'stdout.log');
  const env = { ...process.env, JAVA_HOME: process.env.JAVA_HOME ?? javaHome() };
  const child = spawnDaemon(path.join(instance, 'bin', 'artemis'), ['run'], { cwd: instance, env, logFile: log });
  const pid = /** @type {number} */ (child.pid);
  const mark = fs.statSync(log).size;
  await waitFor('artemis', async () => (await portOpen(port)) && /AMQ221007/.test(readFrom(log, mark)), {
    alive: () => pidAlive(pid),
    logFile: log,
    timeoutMs: 120_000,
  });
  return { pid, log };
}

/**
 * @param {string} dir run directory (created by the caller)
 * @returns {Promise<import('./lib.mjs').ServiceInfo>}
 */
export async function start(dir) {
  const t0 = Date.now();
  const { instance, port } = await createInstance(dir);
  const { pid, log } = await runInstance(instance, port);
  return {
    name: 'artemis',
    host: HOST,
    ports: { broker: port },
    pids: [pid],
    logs: { stdout: log },
    dir,
    urls: { broker: `tcp://${HOST}:${port}`, amqp: `amqp://${HOST}:${port}`, instance, user: USER, password: PASSWORD },
    startedAt: new Date(t0).toISOString(),
    startMs: Date.now() - t0,
  };
}

/** @param {string} f @param {number} from */
function readFrom(f, from) {
  try {
    return fs.readFileSync(f, 'utf8').slice(from);
  } catch {
    return '';
  }
}
