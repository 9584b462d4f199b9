/**
 * The agent's lifecycle between the command line and the core: load and check the configuration, start the agent and
 * its monitoring, reload it when a file changes (as Flume's PollingPropertiesFileConfigurationProvider), and stop it
 * on SIGTERM / SIGINT, letting the sinks drain the channels.
 */
import type { Server } from 'node:http';
import { loadAgent, countBySeverity, type ConfigFile, type LoadResult } from '../config/model.js';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js';
import type { Registry } from '../config/registry.js';
import type { Logger } from '../core/logging.js';
import { flushLogs } from '../core/logging.js';
import { errorMessage } from '../core/errors.js';
import { allowLogPrintConfig } from '../core/system-properties.js';
import { Agent } from './agent.js';
import { FileConfigSource, readAll, type ConfigSource } from './config-files.js';
import { agentViews, startMonitoring } from './monitoring.js';
import { printConfig } from './print-config.js';
import { flowGraphOf } from '../monitoring/graph/load.js';
import type { FlowGraph } from '../monitoring/graph/model.js';

export interface RunOptions {
  /** Configuration files (paths or file: URIs), merged in order; used when `sources` is not given. */
  files: readonly string[];
  /** Where the configuration comes from (files, http(s) URIs, ZooKeeper), merged in order. */
  sources?: readonly ConfigSource[];
  /** Flume's --backup-directory: the last good configuration is kept there and used when no source can be read. */
  backupDir?: string;
  name: string;
  sysProps: Readonly<Record<string, string>>;
  registry: Registry;
  /**
   * The plugin resolver hook: run before every load (start and each reload), it returns the registry with the plugin
   * modules the files name, and the problems met loading them.
   */
  plugins?: (configs: readonly ConfigFile[]) => Promise<{ registry: Registry; diagnostics: readonly Diagnostic[] }>;
  /** The root logger; the supervisor logs as `cli` (as before the runtime layer existed). */
  root: Logger;
  /** Refuse to start on any problem, warnings included. */
  strict: boolean;
  /** Seconds between checks of the files for changes; undefined: never reload. */
  pollIntervalS?: number;
  /** On SIGTERM, how long the sinks may drain the channels (ms). */
  drainMs: number;
  /** Called once the first configuration's agent has started (its sources are open). */
  onStarted?: () => void;
}

/** Loads the configuration (plugins first), logs its diagnostics, and returns it with its registry when it can run. */
export async function loadForRun(o: RunOptions, logger: Logger): Promise<Loaded | undefined> {
  const configs = await readAll(sourcesOf(o), o.backupDir, o.name, logger);
  if (allowLogPrintConfig()) printConfig(configs, o.name, logger);
  const withPlugins = o.plugins ? await o.plugins(configs) : { registry: o.registry, diagnostics: [] };
  const result = loadAgent(configs, o.name, withPlugins.registry, { sysProps: { ...o.sysProps } });
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
  return { ...result, registry: withPlugins.registry, configs };
}

/** A configuration that can run: the load result, its registry and the files it was read from. */
type Loaded = LoadResult & { registry: Registry; configs: readonly ConfigFile[] };

/** The running agent, replaced on each successful reload. */
interface Current {
  agent: Agent;
  /** Its flow graph, for /graph.* and the status page. */
  graph?: FlowGraph;
}

/** The flow graph of a loaded configuration (undefined if the files changed meanwhile and no longer hold the agent). */
function graphOf(o: RunOptions, loaded: Loaded): FlowGraph | undefined {
  try {
    return flowGraphOf(loaded.configs, o.name, loaded.registry, { ...o.sysProps }, loaded).graph;
  } catch {
    return undefined;
  }
}

const sourceCache = new WeakMap<RunOptions, readonly ConfigSource[]>();
/** The configuration sources of a run (file sources built once from `files`). */
function sourcesOf(o: RunOptions): readonly ConfigSource[] {
  if (o.sources) return o.sources;
  let s = sourceCache.get(o);
  if (!s) sourceCache.set(o, (s = o.files.map((f) => new FileConfigSource(f))));
  return s;
}

/** Loads the new configuration and swaps the agent; the running agent stays when the new one cannot run. */
async function reload(o: RunOptions, logger: Logger, current: Current): Promise<void> {
  try {
    logger.info('configuration changed; reloading');
    const next = await loadForRun(o, logger);
    if (!next) {
      logger.error('the new configuration was not applied; the running agent keeps going');
      return;
    }
    // as Flume: a channel with the same name and type is kept (re-configured in place) with its events
    const reuse = await current.agent.reusableFor(next.plan!);
    await current.agent.stop({ drainTimeoutMs: 5000, keepChannels: new Set(reuse.keys()) });
    current.agent = new Agent(next.plan!, next.registry, o.root, reuse);
    current.graph = graphOf(o, next);
    await current.agent.start();
  } catch (err) {
    logger.error({ err: errorMessage(err) }, 'reload failed');
  }
}

/**
 * Checks the sources every poll interval (when reloading is on) and reloads on a change; SIGHUP reloads at once
 * (flume-ts only: Flume has no signal for it), even with --no-reload-conf. Returns the function that stops both.
 */
function watchForReload(o: RunOptions, logger: Logger, current: Current): () => void {
  let busy: Promise<void> | undefined;
  const run = () => {
    busy ??= reload(o, logger, current).finally(() => (busy = undefined));
    return busy;
  };
  const check = async () => {
    if (busy) return;
    let changed = false;
    for (const s of sourcesOf(o)) {
      try {
        if (await s.changed()) changed = true;
      } catch (err) {
        logger.warn({ err: errorMessage(err), source: s.label }, 'Unable to update configuration');
      }
    }
    if (changed) await run();
  };
  const timer = o.pollIntervalS === undefined ? undefined : setInterval(() => void check(), Math.max(1, o.pollIntervalS) * 1000);
  timer?.unref();
  const onHup = () => {
    logger.info({ signal: 'SIGHUP' }, 'SIGHUP: reloading the configuration now');
    void run();
  };
  process.on('SIGHUP', onHup);
  return () => {
    if (timer) clearInterval(timer);
    process.off('SIGHUP', onHup);
  };
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
  // sources are built before the files are read, so a change made while the agent starts is still seen by the reload check
  sourcesOf(o);
  const first = await loadForRun(o, logger);
  if (!first) {
    flushLogs();
    return 1;
  }
  const current: Current = { agent: new Agent(first.plan!, first.registry, o.root), graph: graphOf(o, first) };
  await current.agent.start();
  o.onStarted?.();
  const views = agentViews(
    () => current.agent,
    () => current.graph,
  );
  const metricsServer: Server | undefined = await startMonitoring(o.sysProps, () => current.agent.counters(), logger, views);
  const stopWatching = watchForReload(o, logger, current);
  const code = await stopOnSignal(logger, current, o.drainMs, stopWatching);
  metricsServer?.close();
  return code;
}
