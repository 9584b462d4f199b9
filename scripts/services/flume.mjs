// Real Apache Flume 1.11.0 (org.apache.flume.node.Application) from the Maven copy in .services/lib/flume.
// Used by `npm run flume` (scripts/services/flume-cli.mjs), interop tests and the benchmark runner.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HOME, JAVA17_OPENS, ensureArtifacts, javaBin } from './lib.mjs';

/** Default heap (-Xms = -Xmx); the stock launcher's -Xmx20m is useless. Override with FLUME_TS_FLUME_HEAP or `heap`. */
export const DEFAULT_HEAP = process.env.FLUME_TS_FLUME_HEAP ?? '1g';

/**
 * @typedef {object} FlumeOptions
 * @property {string} confFile          agent properties file
 * @property {string} name              agent name
 * @property {Record<string, string>} [props]  -D system properties (e.g. flume.monitoring.type=http)
 * @property {string} [heap]            -Xms/-Xmx, default 1g
 * @property {string} [logDir]          where flume.log goes (default .services/flume/<name>-<time>-<pid>)
 * @property {string} [logLevel]        root log level, default INFO
 * @property {string[]} [jvmArgs]       extra JVM options
 * @property {string[]} [args]          extra Application arguments (e.g. --no-reload-conf)
 */

/**
 * The java command line that runs a Flume agent.
 * @param {FlumeOptions} o
 * @returns {{ cmd: string, args: string[], logDir: string, logFile: string }}
 */
export function flumeCommand(o) {
  const lib = ensureArtifacts('flume');
  const heap = o.heap ?? DEFAULT_HEAP;
  const logDir = path.resolve(
    o.logDir ?? path.join(HOME, 'flume', `${o.name}-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`),
  );
  fs.mkdirSync(logDir, { recursive: true });
  const log4j2 = path.join(logDir, 'log4j2.xml');
  fs.writeFileSync(
    log4j2,
    `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="ERROR">
  <Appenders>
    <File name="LogFile" fileName="${path.join(logDir, 'flume.log')}" append="true" immediateFlush="true">
      <PatternLayout pattern="%d{ISO8601} %-5p [%t] (%C.%M:%L) %m%n"/>
    </File>
  </Appenders>
  <Loggers>
    <Logger name="org.apache.flume.lifecycle" level="info"/>
    <Logger name="org.jboss" level="WARN"/>
    <Logger name="org.apache.avro.ipc.netty.NettyTransceiver" level="WARN"/>
    <Logger name="org.apache.hadoop" level="INFO"/>
    <Logger name="org.apache.hadoop.hive" level="ERROR"/>
    <Logger name="org.apache.kafka" level="WARN"/>
    <Root level="${o.logLevel ?? 'INFO'}">
      <AppenderRef ref="LogFile"/>
    </Root>
  </Loggers>
</Configuration>
`,
  );
  // Hadoop client defaults for the HDFS sink against the harness's one-DataNode HDFS: replication 1 (else every
  // block is under-replicated and the sink rolls its file after every batch) and DataNodes reached by hostname.
  const hadoopConf = path.join(logDir, 'hadoop-conf');
  fs.mkdirSync(hadoopConf, { recursive: true });
  fs.writeFileSync(
    path.join(hadoopConf, 'hdfs-site.xml'),
    `<?xml version="1.0"?>
<configuration>
  <property><name>dfs.replication</name><value>1</value></property>
  <property><name>dfs.client.use.datanode.hostname</name><value>true</value></property>
</configuration>
`,
  );
  const props = Object.entries(o.props ?? {}).map(([k, v]) => `-D${k}=${v}`);
  const args = [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-Djava.net.preferIPv4Stack=true',
    `-Dlog4j.configurationFile=${log4j2}`,
    `-Dflume.log.dir=${logDir}`,
    '-Dflume.log.file=flume.log',
    ...JAVA17_OPENS,
    ...(o.jvmArgs ?? []),
    ...props,
    '-cp',
    `${hadoopConf}${path.delimiter}${path.join(lib, '*')}`,
    'org.apache.flume.node.Application',
    '--name',
    o.name,
    '--conf-file',
    path.resolve(o.confFile),
    ...(o.args ?? []),
  ];
  return { cmd: javaBin(), args, logDir, logFile: path.join(logDir, 'flume.log') };
}

/**
 * Starts a Flume agent as a child process (stdout/stderr to `<logDir>/stdout.log`). The caller stops it
 * (child.kill() / stopPid) — it is not detached, so it is also signalled with its parent's process group.
 * @param {FlumeOptions} o
 */
export function startFlume(o) {
  const c = flumeCommand(o);
  const out = fs.openSync(path.join(c.logDir, 'stdout.log'), 'a');
  const child = spawn(c.cmd, c.args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  return { child, pid: /** @type {number} */ (child.pid), logDir: c.logDir, logFile: c.logFile };
}

/**
 * Parses `agent --conf-file F --name A [-Dk=v] [--heap 1g] [--log-dir D] [other Application args]`
 * (also the short forms -f / -n as in flume-ng).
 * @param {string[]} argv
 * @returns {FlumeOptions}
 */
export function parseFlumeArgs(argv) {
  const a = [...argv];
  if (a[0] === 'agent') a.shift();
  /** @type {Partial<FlumeOptions> & { props: Record<string, string>, args: string[] }} */
  const o = { props: {}, args: [] };
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const next = () => {
      const v = a[++i];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    if (x === '--conf-file' || x === '-f') o.confFile = next();
    else if (x.startsWith('--conf-file=')) o.confFile = x.slice(12);
    else if (x === '--name' || x === '-n') o.name = next();
    else if (x.startsWith('--name=')) o.name = x.slice(7);
    else if (x === '--heap') o.heap = next();
    else if (x === '--log-dir') o.logDir = next();
    else if (x === '--conf' || x === '-c')
      next(); // flume-ng's conf dir: logging is configured here instead
    else if (x.startsWith('-D')) {
      const kv = x.slice(2);
      const eq = kv.indexOf('=');
      if (eq < 0) o.props[kv] = '';
      else o.props[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (x.startsWith('-X')) (o.jvmArgs ??= []).push(x);
    else o.args.push(x);
  }
  if (!o.confFile || !o.name) throw new Error('usage: npm run flume -- agent --conf-file F --name A [-Dk=v] [--heap 1g] [--log-dir D]');
  return /** @type {FlumeOptions} */ (o);
}
