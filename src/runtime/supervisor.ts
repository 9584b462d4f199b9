/**
 * The agent's lifecycle between the command line and the core: load and check the configuration, start the agent and
 * its monitoring, reload it when a file changes (as Flume's PollingPropertiesFileConfigurationProvider), and stop it
 * on SIGTERM / SIGINT, letting the sinks drain the channels.
 */
import type { Server } from 'node:http';
import { loadAgent, countBySeverity, type LoadResult } from '../config/model.js';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js';
import type { Registry } from '../config/registry.js';
import type { Logger } from '../core/logging.js';
import { flushLogs } from '../core/logging.js';
import { errorMessage } from '../core/errors.js';
import { Agent } from './agent.js';
import { modificationTimes, readConfigs } from './config-files.js';
import { agentViews, startMonitoring } from './monitoring.js';
import { flowGraphOf } from '../monitoring/graph/load.js';
import type { FlowGraph } from '../monitoring/graph/model.js';

export interface RunOptions {
  /** Configuration files (paths or file: URIs), merged in order. */
  files: readonly string[];
  name: string;
  sysProps: Readonly<Record<string, string>>;
  registry: Registry;
  /**
   * The plugin resolver hook: run before every load (start and each reload), it returns the registry with the plugin
   * modules the files name, and the problems met loading them.
   */
  plugins?: () => Promise<{ registry: Registry; diagnostics: readonly Diagnostic[] }>;
  /** The root logger; the supervisor logs as `cli` (as before the runtime layer existed). */
  root: Logger;
  /** Refuse to start on any problem, warnings included. */
  strict: boolean;
  /** Seconds between checks of the files for changes; undefined: never reload. */
  pollIntervalS?: number;
  /** On SIGTERM, how long the sinks may drain the channels (ms). */
  drainMs: number;
}

/** Loads the configuration (plugins first), logs its diagnostics, and returns it with its registry when it can run. */
export async function loadForRun(o: RunOptions, logger: Logger): Promise<(LoadResult & { registry: Registry }) | undefined> {
  const withPlugins = o.plugins ? await o.plugins() : { registry: o.registry, diagnostics: [] };
  const result = loadAgent(readConfigs(o.files), o.name, withPlugins.registry, { sysProps: { ...o.sysProps } });
  result.diagnostics.unshift(...withPlugins.diagnostics);
  for (const d of result.diagnostics) {
    const at = d.at ? `${d.at.file}:${d.at.line}:${d.at.col}` : undefined;
    const fields = { code: d.code, at, key: d.key, hint: d.hint, flume: d.flume };
    if (d.severity === 'error') logger.error(fields, formatDiagnostic(d));
    else if (d.severity === 'warning') logger.warn(fields, formatDiagnostic(d));
    else logger.debug(fields, formatDiagnostic(d));
  }
  const { errors, warnings } = countBySeverity(result.diagnostics);
  if (!result.plan) return undefined;
  if (result.diagnostics.some((d) => d.code === 'syntax')) {
    logger.fatal('the configuration file cannot be read as a Java .properties file (Flume would fail to load it)');
    return undefined;
  }
  if (o.strict && errors + warnings > 0) {
    logger.fatal({ errors, warnings }, 'refusing to start: --strict and the configuration has problems');
    return undefined;
  }
  if (result.plan.sources.length === 0 && result.plan.sinks.length === 0) {
    logger.fatal(`agent ${o.name} has nothing valid to run`);
    return undefined;
  }
  return { ...result, registry: withPlugins.registry };
}

/** The running agent, replaced on each successful reload. */
interface Current {
  agent: Agent;
  /** Its flow graph, for /graph.* and the status page. */
  graph?: FlowGraph;
}

/** The flow graph of a loaded configuration (undefined if the files changed meanwhile and no longer hold the agent). */
function graphOf(o: RunOptions, loaded: LoadResult & { registry: Registry }): FlowGraph | undefined {
  try {
    return flowGraphOf(readConfigs(o.files), o.name, loaded.registry, { ...o.sysProps }, loaded).graph;
  } catch {
    return undefined;
  }
}

/** Checks the files every poll interval; on a change loads the new configuration and swaps the agent. */
function watchForReload(o: RunOptions, logger: Logger, current: Current, loadedMtimes: number[]): NodeJS.Timeout {
  const interval = Math.max(1, o.pollIntervalS ?? 30) * 1000;
  let last = loadedMtimes;
  let reloading = false;
  const reload = async () => {
    try {
      logger.info('configuration changed; reloading');
      const next = await loadForRun(o, logger);
      if (!next) {
        logger.error('the new configuration was not applied; the running agent keeps going');
        return;
      }
      // as Flume: channels with the same name, type and properties keep their events across the reload
      const reuse = current.agent.reusableFor(next.plan!);
      await current.agent.stop({ drainTimeoutMs: 5000, keepChannels: new Set(reuse.keys()) });
      current.agent = new Agent(next.plan!, next.registry, o.root, reuse);
      current.graph = graphOf(o, next);
      await current.agent.start();
    } catch (err) {
      logger.error({ err: errorMessage(err) }, 'reload failed');
    } finally {
      reloading = false;
    }
  };
  const timer = setInterval(() => {
    const now = modificationTimes(o.files);
    if (reloading || now.every((m, i) => m === last[i])) return;
    last = now;
    reloading = true;
    void reload();
  }, interval);
  timer.unref();
  return timer;
}

/** Resolves with the exit code once a signal has stopped the agent. */
function stopOnSignal(logger: Logger, current: Current, drainMs: number, onStop: () => void): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal: sig }, 'second signal: exiting now');
        flushLogs();
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal: sig }, 'stopping: sources first, then draining channels');
      onStop();
      current.agent
        .stop({ drainTimeoutMs: drainMs })
        .then(() => resolve(0))
        .catch((err: unknown) => {
          logger.error({ err: errorMessage(err) }, 'error while stopping');
          resolve(1);
        });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** Runs an agent until SIGTERM / SIGINT; resolves with the process exit code. */
export async function runAgent(o: RunOptions): Promise<number> {
  const logger = o.root.child({ component: 'cli' });
  // taken before the files are read, so a change made while the agent starts is still seen by the reload check
  const loadedMtimes = modificationTimes(o.files);
  const first = await loadForRun(o, logger);
  if (!first) {
    flushLogs();
    return 1;
  }
  const current: Current = { agent: new Agent(first.plan!, first.registry, o.root), graph: graphOf(o, first) };
  await current.agent.start();
  const views = agentViews(
    () => current.agent,
    () => current.graph,
  );
  const metricsServer: Server | undefined = await startMonitoring(o.sysProps, () => current.agent.counters(), logger, views);
  const reloadTimer = o.pollIntervalS === undefined ? undefined : watchForReload(o, logger, current, loadedMtimes);
  const code = await stopOnSignal(logger, current, o.drainMs, () => {
    if (reloadTimer) clearInterval(reloadTimer);
  });
  metricsServer?.close();
  return code;
}
