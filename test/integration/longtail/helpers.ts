/** Runs the same Flume config through real Flume 1.11 and through flume-ts, for differential tests. */
import fs from 'node:fs';
import path from 'node:path';
import { canConnect, startAgent, tmpDir, waitFor as waitForTs, type AgentProcess } from '../../support/agent-process.js';
import { portOpen, startFlumeAgent, waitFor, type FlumeAgent } from '../../support/services.js';

export interface Running {
  stop(): Promise<void>;
  /** a short description for failure messages (the log file) */
  where: string;
}

/** Every agent started here and not yet stopped: a test that starts one per implementation stops them all. */
const started = new Set<Running>();

function tracked<R extends Running>(r: R): R {
  const stop = r.stop;
  r.stop = async () => {
    started.delete(r);
    await stop();
  };
  started.add(r);
  return r;
}

/** Stops every agent these helpers started (for afterEach: a reassigned handle must not leave a JVM behind). */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((r) => r.stop()));
}

/** Starts a real Flume agent on `conf` and waits until `port` accepts (when given). */
export async function runFlume(conf: string, port?: number): Promise<Running & { agent: FlumeAgent }> {
  const d = tmpDir('longtail-flume-');
  fs.writeFileSync(path.join(d, 'a.conf'), conf);
  const agent = startFlumeAgent({
    confFile: path.join(d, 'a.conf'),
    name: 'a1',
    heap: '256m',
    logDir: path.join(d, 'logs'),
    args: ['--no-reload-conf'],
  });
  const running = tracked({ agent, where: agent.logFile, stop: () => agent.stop(15_000) });
  if (port !== undefined) {
    await waitFor('Flume source port', () => portOpen(port), { alive: agent.alive, timeoutMs: 120_000, logFile: agent.logFile });
  }
  return running;
}

/** Starts a flume-ts agent on `conf` and waits until `port` accepts (when given). */
export async function runTs(conf: string, port?: number): Promise<Running & { agent: AgentProcess }> {
  const agent = startAgent(conf);
  const running = tracked({ agent, where: 'flume-ts stderr', stop: async () => void (await agent.stop('SIGTERM')) });
  if (port !== undefined) await waitForTs(() => canConnect(port), `flume-ts port ${port}`, 30_000);
  return running;
}

/** Every line of every file in `dir` (file order by name), no empty lines. */
export function linesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) for (const l of fs.readFileSync(p, 'utf8').split('\n')) if (l) out.push(l);
  }
  return out;
}

export { tmpDir, waitFor };
