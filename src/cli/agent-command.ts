/**
 * `flume-ts agent` / `flume-ng agent`: flume-ng's launcher options (flume-args.ts) and org.apache.flume.node.Application's
 * options, with Flume's meaning:
 * - `-f/--conf-file` (repeatable), or `-u/--conf-uri` (file: or http(s): URIs; when given, -f is not used, as Flume);
 *   `-user/--conf-user` + `-pwd/--conf-password`: basic auth for http(s) URIs;
 * - `-i/--poll-interval S` (0 or absent: 30 s for files, 300 s when a URI is http(s)), `--no-reload-conf`;
 * - `-b/--backup-directory DIR` (the last good configuration, used when no source can be read);
 * - `-z/--zkConnString`, `-p/--zkBasePath`: the configuration from the znode `<basePath>/<name>` (zookeeper-config.ts);
 * - `-c/--conf DIR`: flume-env.sh and the log configuration (conf-dir.ts);
 * - `-D…` system properties, `-X…`/-javaagent… ignored (JVM options), `-C/--classpath` and `--plugins-path` ignored
 *   (no jars are loaded; plugin components are ES modules named by their type, docs/plugins.md);
 * - `-prov/--conf-provider`, `-a/--auth-provider`: Java classes, cannot be loaded: as Flume when the class fails to
 *   load, -prov is ignored (another source is used) and -a stops the start.
 * flume-ts's own: `--strict`, `--drain-timeout S`, `--log-format text|json`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtinCatalog } from '../components/catalog.js';
import { Registry } from '../config/registry.js';
import { registryWithPlugins } from '../plugins/loader.js';
import { configureLogging, type Logger } from '../core/logging.js';
import { setSystemProperties } from '../core/system-properties.js';
import { runAgent } from '../runtime/supervisor.js';
import { FileConfigSource, HttpConfigSource, type ConfigSource } from '../runtime/config-files.js';
import { ZooKeeperConfigSource } from '../runtime/zookeeper-config.js';
import { readEnvFile, readLogConfig } from './conf-dir.js';
import { first, has, parseFlumeArgs, SCRIPT_OPTIONS, UsageError, type OptDef, type ParsedArgs } from './flume-args.js';
import { logSetupFrom } from './logging-setup.js';
import { enableJitWhenBusy } from './jit.js';
import type { Command } from './command.js';

export const AGENT_OPTIONS: OptDef[] = [
  ...SCRIPT_OPTIONS,
  { long: 'name', short: 'n', value: true },
  { long: 'conf-file', short: 'f', value: true },
  { long: 'conf-uri', short: 'u', value: true },
  { long: 'auth-provider', short: 'a', value: true },
  { long: 'conf-provider', short: 'prov', value: true },
  { long: 'conf-user', short: 'user', value: true },
  { long: 'conf-password', short: 'pwd', value: true },
  { long: 'poll-interval', short: 'i', value: true },
  { long: 'backup-directory', short: 'b', value: true },
  { long: 'no-reload-conf', value: false },
  { long: 'zkConnString', short: 'z', value: true },
  { long: 'zkBasePath', short: 'p', value: true },
  { long: 'help', short: 'h', value: false },
  { long: 'strict', value: false },
  { long: 'drain-timeout', value: true },
  { long: 'log-format', value: true },
];

export const AGENT_USAGE = `Usage: flume-ng agent --name NAME (--conf-file FILE | --conf-uri URI | --zkConnString HOSTS) [options]
       (flume-ts agent takes the same options)

Configuration:
  -n, --name NAME              the agent name (the key prefix in the file); required
  -f, --conf-file FILE         a configuration file (repeatable; later files override earlier keys)
  -u, --conf-uri URI           file:, http: or https: URI (repeatable); when given, --conf-file is not used (as Flume)
  -user, --conf-user USER      user for basic authentication to an http(s) URI
  -pwd, --conf-password PASS   password for basic authentication to an http(s) URI
  -b, --backup-directory DIR   keep the last good configuration in DIR/.NAME.properties; used when no source answers
  -z, --zkConnString HOSTS     read the configuration from ZooKeeper (host:port[,host:port...]), watched for changes
  -p, --zkBasePath PATH        ZooKeeper base path (default /flume); the agent's znode is PATH/NAME
  -i, --poll-interval S        seconds between checks for a changed configuration (default 30; 300 for http(s))
      --no-reload-conf         never reload the configuration (SIGHUP still reloads at once)
  -c, --conf DIR               read DIR/flume-env.sh (JAVA_OPTS -D…, FLUME_SSL_*, HADOOP_*) and DIR/log4j2.xml
                               (or log4j.properties): root level, console or rolling log file, its size and count
System properties (-Dkey=value):
  flume.root.logger=LEVEL,console|LOGFILE   log level and target; flume.log.dir, flume.log.file: the log file
  flume.monitoring.type=http, flume.monitoring.port=PORT    the monitoring endpoint (/metrics)
  org.apache.flume.log.printconfig=true     log the configuration at start (secrets masked)
  org.apache.flume.log.rawdata=true         components may log event bodies and headers
  javax.net.ssl.keyStore|keyStorePassword|keyStoreType|trustStore|trustStorePassword|trustStoreType
                                            global TLS defaults of TLS-capable components (as Flume's SSLUtil)
  any other -Dkey=value                     available as \${key} in the configuration
Ignored (with a note): -X…, -javaagent…, -C/--classpath, --plugins-path, -prov/--conf-provider
flume-ts only:
      --log-format text|json   log layout (default: text on a terminal, json otherwise)
      --strict                 refuse to start on any configuration problem (warnings included)
      --drain-timeout S        on SIGTERM, seconds to let sinks drain the channels (default 10)
  -h, --help                   this help
Signals: SIGTERM/SIGINT stop (sources first, then the sinks drain the channels); SIGHUP reloads the configuration.

Examples:
  flume-ng agent -n a1 -c conf -f conf/flume.conf -Dflume.root.logger=INFO,console
  flume-ng agent --name a1 --conf-uri https://config.example/a1.properties --conf-user u --conf-password p -i 60
  flume-ng agent -n a1 -z zk1:2181,zk2:2181 -p /flume
  flume-ts agent -n a1 -f flume.conf -Dflume.monitoring.type=http -Dflume.monitoring.port=34545 --log-format json
`;

/** Applies --conf DIR's flume-env.sh (variables into the environment, JAVA_OPTS -D…) and returns its notes. */
function applyConfDir(p: ParsedArgs, sysProps: Record<string, string>): string[] {
  const dir = first(p, 'conf');
  if (!dir) return [];
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [`--conf ${dir}: not a directory; ignored`];
  // Flume's class path starts with the conf directory: Hadoop's core-site.xml / hdfs-site.xml there are found first
  process.env.FLUME_CONF_DIR = path.resolve(dir);
  const env = readEnvFile(dir);
  if (!env) return [];
  for (const [k, v] of Object.entries(env.env)) process.env[k] = v;
  // the launcher puts JAVA_OPTS before the command line's -D options: the command line wins
  for (const [k, v] of Object.entries(env.sysProps)) if (!(k in sysProps)) sysProps[k] = v;
  return [`Sourcing environment configuration script ${path.join(dir, 'flume-env.sh')} (read as assignments, not run)`, ...env.notes];
}

function ignoredNotes(p: ParsedArgs): string[] {
  const notes = p.jvm.map((o) => `${o} ignored: a JVM option (flume-ts runs on Node.js)`);
  if (has(p, 'classpath')) notes.push(`--classpath ${first(p, 'classpath')} ignored: no jars are loaded; plugin components are ES modules`);
  if (has(p, 'plugins-path')) notes.push('--plugins-path ignored: plugins.d holds jars; flume-ts plugins are ES modules (docs/plugins.md)');
  if (has(p, 'conf-provider')) {
    notes.push(`--conf-provider ${first(p, 'conf-provider')} ignored: Java classes cannot be loaded (Flume logs an error and goes on)`);
  }
  return notes;
}

/** The configuration sources, as Application.main picks them: -z, else -u, else -f. */
function sourcesOf(p: ParsedArgs, name: string, logger: Logger): { sources: ConfigSource[]; http: boolean; zk?: boolean } {
  if (has(p, 'zkConnString')) {
    if (!first(p, 'zkConnString')) throw new UsageError('Invalid Zookeeper Connection String');
    return { sources: [new ZooKeeperConfigSource(first(p, 'zkConnString')!, first(p, 'zkBasePath'), name)], http: false, zk: true };
  }
  const uris = p.values.get('conf-uri');
  if (uris?.length) {
    if (has(p, 'conf-file')) logger.warn('both --conf-uri and --conf-file given: Flume uses --conf-uri only; --conf-file is not read');
    const cp = uris.find((u) => /^classpath:/i.test(u));
    if (cp) throw new UsageError(`--conf-uri ${cp}: classpath: URIs are not supported (flume-ts has no class path); give a file path`);
    const user = first(p, 'conf-user');
    const password = first(p, 'conf-password');
    const auth = user && password ? { user, password } : undefined;
    const sources = uris.map((u) => (/^https?:/i.test(u) ? new HttpConfigSource(u, auth) : new FileConfigSource(u)));
    return { sources, http: uris.some((u) => /^http/i.test(u)) };
  }
  const files = p.values.get('conf-file');
  if (files?.length) return { sources: files.map((f) => new FileConfigSource(f)), http: false };
  throw new UsageError('No configuration was provided: give --conf-file FILE, --conf-uri URI or --zkConnString HOSTS');
}

/** Resolves with the exit code once the agent has stopped. */
export async function agentMain(argv: string[], out: (s: string) => void = console.log): Promise<number> {
  const p = parseFlumeArgs(argv, AGENT_OPTIONS);
  if (has(p, 'help')) {
    out(AGENT_USAGE);
    return 0;
  }
  const sysProps = { ...p.sysProps };
  const notes = [...applyConfDir(p, sysProps), ...ignoredNotes(p)];
  const confDir = first(p, 'conf');
  const logConf = confDir ? readLogConfig(confDir, sysProps) : undefined;
  const root = configureLogging(logSetupFrom(sysProps, logConf, first(p, 'log-format')));
  setSystemProperties(sysProps);
  const logger = root.child({ component: 'cli' });
  for (const n of notes) logger.info(n);
  if (logConf) logger.info({ file: logConf.source }, 'log configuration read from the conf directory');
  const name = first(p, 'name');
  if (!name) throw new UsageError('agent needs --name NAME (Flume: Missing required option: n)');
  if (has(p, 'auth-provider')) {
    logger.fatal(
      { class: first(p, 'auth-provider') },
      'Unable to create authorization provider: Java classes cannot be loaded; use --conf-user/--conf-password',
    );
    return 1;
  }
  const { sources, http, zk } = sourcesOf(p, name, logger);
  const reload = !has(p, 'no-reload-conf');
  const interval = Number(first(p, 'poll-interval') ?? 0);
  if (!Number.isInteger(interval) || interval < 0)
    throw new UsageError(`--poll-interval must be a whole number of seconds, not "${first(p, 'poll-interval')}"`);
  if (has(p, 'dryrun')) {
    out(`flume-ts agent: would run agent ${name} from ${sources.map((s) => s.label).join(', ')} (--dryrun: not started)`);
    return 0;
  }
  return runAgent({
    files: [],
    sources,
    backupDir: first(p, 'backup-directory'),
    name,
    sysProps,
    registry: new Registry(builtinCatalog),
    // the resolver hook, before each load: loads the built-in components and the plugin modules the configuration names
    plugins: async (configs) => {
      const r = await registryWithPlugins(builtinCatalog, configs, { sysProps });
      for (const pl of r.plugins) logger.info({ plugin: pl.specifier, file: pl.file, components: pl.types }, 'plugin loaded');
      return r;
    },
    root,
    strict: has(p, 'strict'),
    // ZooKeeper: the node is watched; checking the watch's flag every second costs nothing (Flume applies a change at once)
    pollIntervalS: reload ? interval || (zk ? 1 : http ? 300 : 30) : undefined,
    drainMs: Math.max(0, Number(first(p, 'drain-timeout') ?? 10)) * 1000,
    // the start-up ran without V8's compiling tiers (jit.ts): back on once the agent has work
    onStarted: () => enableJitWhenBusy(),
  });
}

export const agentCommand: Command = {
  summary: "run an agent: flume-ts agent -n NAME -f FILE [options] (flume-ng agent's options; agent --help)",
  run: (argv) => agentMain(argv),
  longRunning: true,
};
