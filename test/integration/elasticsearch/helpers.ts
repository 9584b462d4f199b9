/** Shared helpers for the elasticsearch sink's integration suites (real Elasticsearch 8.19 of the harness). */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { MemoryChannel } from '../../../src/components/channels/memory.js';
import { elasticsearchSink, type ElasticSearchSink } from '../../../src/components/sinks/elasticsearch/index.js';
import { configure, baseContext } from '../../support/context.js';

export const silent = pino({ level: 'silent' });

export async function es(node: string, method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${node}${p}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

export async function count(node: string, index: string): Promise<number> {
  await es(node, 'POST', `/${index}/_refresh?ignore_unavailable=true&allow_no_indices=true`);
  const r = await es(node, 'GET', `/${index}/_count?ignore_unavailable=true&allow_no_indices=true`);
  return r.json?.count ?? 0;
}

export function channel(capacity = 100_000, tx = 1000): MemoryChannel {
  return new MemoryChannel('c1', {
    capacity,
    transactionCapacity: tx,
    keepAliveSeconds: 0,
    byteCapacity: Infinity,
    byteCapacityBufferPercentage: 20,
  });
}

export function makeSink(raw: Record<string, string>, ch: MemoryChannel, logger = silent): ElasticSearchSink {
  const config = configure(elasticsearchSink, raw);
  return elasticsearchSink.create(config as never, { ...baseContext('k1', raw), logger, channel: ch }) as ElasticSearchSink;
}

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------------------------
// A private Elasticsearch (for the outage test: never stop the shared one)

export interface PrivateEs {
  node: string;
  port: number;
  /** Stops both JVMs, waits `downMs`, starts them again on the same port and data, resolves when healthy. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

interface SpawnOpts {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  uid?: number;
  gid?: number;
}
interface Proc {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  uid: number;
  gid: number;
}

function procOf(pid: number): Proc {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .filter((s) => s.length > 0);
  const env: Record<string, string> = {};
  for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
  const gid = Number(/^Gid:\s+(\d+)/m.exec(status)![1]);
  return { argv, env, cwd: readlinkSync(`/proc/${pid}/cwd`), uid, gid };
}

export async function startPrivateEs(): Promise<PrivateEs> {
  process.env.FLUME_TS_ES_HEAP ??= '512m';
  const lib = (await import('../../../scripts/services/lib.mjs')) as unknown as {
    RUN_DIR: string;
    stopPid(pid: number, graceMs?: number): Promise<void>;
    pidAlive(pid: number): boolean;
    spawnDaemon(cmd: string, args: string[], o: SpawnOpts): { pid?: number };
    waitFor<T>(what: string, probe: () => Promise<T>, o?: { timeoutMs?: number; intervalMs?: number }): Promise<T>;
  };
  const esmod = (await import('../../../scripts/services/es.mjs' as string)) as {
    start(dir: string): Promise<{ ports: { http: number }; pids: number[]; dir: string }>;
  };
  mkdirSync(lib.RUN_DIR, { recursive: true });
  const runDir = mkdtempSync(path.join(lib.RUN_DIR, 'es-private-'));
  const info = await esmod.start(runDir);
  let pids = [...info.pids];
  const pidFile = path.join(os.tmpdir(), `flume-ts-es-private-${process.pid}.pids`);
  writeFileSync(pidFile, pids.join(' '));
  // if this test process dies without afterAll, kill the private instance
  const guard = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 $(cat ${pidFile}) 2>/dev/null; rm -f ${pidFile}`;
  spawn('sh', ['-c', guard], {
    detached: true,
    stdio: 'ignore',
  }).unref();
  const node = `http://127.0.0.1:${info.ports.http}`;
  const healthy = async () => {
    try {
      const r = await es(node, 'GET', '/_cluster/health?wait_for_status=yellow&timeout=1s');
      return r.status === 200;
    } catch {
      return false;
    }
  };
  const stopAll = () =>
    Promise.all(
      [...pids]
        .reverse()
        .filter((p) => lib.pidAlive(p))
        .map((p) => lib.stopPid(p, 20_000)),
    );
  return {
    node,
    port: info.ports.http,
    async restart(downMs) {
      // the launcher (bin/elasticsearch's CLI JVM) starts the server JVM: respawn the launcher as it was
      const launcher = procOf(pids[pids.length - 1]!);
      await stopAll();
      await new Promise((r) => setTimeout(r, downMs));
      const child = lib.spawnDaemon(launcher.argv[0]!, launcher.argv.slice(1), {
        cwd: launcher.cwd,
        env: launcher.env,
        logFile: path.join(info.dir, 'logs', 'restart.out'),
        ...(launcher.uid !== 0 ? { uid: launcher.uid, gid: launcher.gid } : {}),
      });
      pids = [child.pid!];
      writeFileSync(pidFile, pids.join(' '));
      await lib.waitFor('private elasticsearch restart', healthy, { timeoutMs: 180_000, intervalMs: 500 });
      pids = [...childrenOf(child.pid!), child.pid!];
      writeFileSync(pidFile, pids.join(' '));
    },
    async stop() {
      await stopAll();
    },
  };
}

function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}
