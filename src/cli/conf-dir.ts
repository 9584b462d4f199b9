/**
 * `--conf DIR` as flume-ng's launcher reads it: `DIR/flume-env.sh` (read as shell variable assignments, never run) and
 * the log configuration on the class path (`DIR/log4j2.xml`, or a Flume ≤ 1.9 `DIR/log4j.properties`).
 *
 * flume-env.sh variables:
 * - honoured: JAVA_OPTS and FLUME_JAVA_OPTS (their `-Dkey=value` become system properties; command-line -D wins, as on
 *   the java command line where the script puts them last), FLUME_SSL_* (global TLS, SSLUtil), HADOOP_CONF_DIR,
 *   HADOOP_HOME, HADOOP_PREFIX (the Hadoop client configuration), TZ, FLUME_TS_* (flume-ts's own);
 * - ignored, with the reason logged: JAVA_HOME, FLUME_CLASSPATH, FLUME_JAVA_LIBRARY_PATH, HBASE_HOME, HIVE_HOME,
 *   HCAT_HOME (a Node process loads no jars nor native libraries), the -X/-agent JVM options inside JAVA_OPTS, and any
 *   other variable (it would only reach the JVM's environment).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface EnvFile {
  /** Variables put into process.env (when not already set there). */
  env: Record<string, string>;
  /** -D system properties from JAVA_OPTS / FLUME_JAVA_OPTS. */
  sysProps: Record<string, string>;
  /** One line per ignored variable or option, saying why. */
  notes: string[];
}

const HONOURED = /^(FLUME_SSL_\w+|HADOOP_CONF_DIR|HADOOP_HOME|HADOOP_PREFIX|TZ|FLUME_TS_\w+)$/;
const IGNORED: Record<string, string> = {
  JAVA_HOME: 'flume-ts runs on Node.js, not a JVM',
  FLUME_CLASSPATH: 'a Node process loads no jars; plugins are ES modules named by their type (docs/plugins.md)',
  FLUME_JAVA_LIBRARY_PATH: 'no native Java libraries are loaded',
  HBASE_HOME: 'no HBase jars are loaded',
  HIVE_HOME: 'no Hive jars are loaded',
  HCAT_HOME: 'no HCatalog jars are loaded',
};

/** Expands $NAME and ${NAME} from the variables read so far, then the environment. */
function expand(v: string, vars: Record<string, string>): string {
  return v.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => {
    const n = (a ?? b)!;
    return vars[n] ?? process.env[n] ?? '';
  });
}

/** The value of an assignment's right-hand side: '…' literal, "…" expanded, bare word expanded. */
function shellValue(raw: string, vars: Record<string, string>): string {
  const t = raw.trim();
  if (t.startsWith("'")) return t.slice(1, t.indexOf("'", 1) < 0 ? undefined : t.indexOf("'", 1));
  if (t.startsWith('"')) {
    const end = t.lastIndexOf('"');
    return expand(t.slice(1, end > 0 ? end : undefined), vars);
  }
  return expand(t.split(/\s+#/)[0]!.trim(), vars);
}

/** The -D options of a JAVA_OPTS value; notes for the others. */
function javaOpts(name: string, value: string, out: EnvFile): void {
  for (const opt of value.split(/\s+/).filter(Boolean)) {
    if (opt.startsWith('-D')) {
      const def = opt.slice(2);
      const eq = def.indexOf('=');
      out.sysProps[eq < 0 ? def : def.slice(0, eq)] = eq < 0 ? '' : def.slice(eq + 1);
    } else out.notes.push(`${name}: ${opt} ignored (a JVM option; flume-ts runs on Node.js)`);
  }
}

/** Reads `flume-env.sh` text as variable assignments (`[export] NAME=value`); other lines are noted and skipped. */
export function parseEnvFile(text: string, file = 'flume-env.sh'): EnvFile {
  const out: EnvFile = { env: {}, sysProps: {}, notes: [] };
  const vars: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_]\w*)=(.*)$/.exec(t);
    if (!m) {
      out.notes.push(`${file}:${i + 1}: not a variable assignment, not run (flume-ts reads flume-env.sh, never executes it)`);
      return;
    }
    const [, name, raw] = m as unknown as [string, string, string];
    const value = shellValue(raw, vars);
    vars[name] = value;
  });
  for (const [name, value] of Object.entries(vars)) {
    if (/^(FLUME_)?JAVA_OPTS$/.test(name)) javaOpts(name, value, out);
    else if (HONOURED.test(name)) out.env[name] = value;
    else out.notes.push(`${name} ignored: ${IGNORED[name] ?? 'not used by flume-ts'}`);
  }
  return out;
}

export function readEnvFile(confDir: string): EnvFile | undefined {
  const file = path.join(confDir, 'flume-env.sh');
  if (!fs.existsSync(file)) return undefined;
  return parseEnvFile(fs.readFileSync(file, 'utf8'), file);
}

/** What a log4j configuration in the conf directory says that maps onto flume-ts's logging. */
export interface LogConfig {
  level?: string;
  target?: 'console' | 'file';
  /** The live log file (fileName / flume.log.dir + flume.log.file). */
  file?: string;
  maxBytes?: number;
  maxIndex?: number;
  maxArchiveBytes?: number;
  source: string;
}

/** `100 MB`, `10KB`, `1 GB`, `512` (bytes), as log4j's FileSize.parse. */
export function parseSize(s: string): number | undefined {
  const m = /^\s*([\d.]+)\s*([KMG]?)B?\s*$/i.exec(s);
  if (!m) return undefined;
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.floor(Number(m[1]) * unit);
}

const attr = (tag: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`).exec(tag)?.[1];

/** Flume 1.11's conf/log4j2.xml shape: Root level, its appender (Console or RollingFile), the file and its policies. */
export function parseLog4j2Xml(xml: string, sysProps: Readonly<Record<string, string>>, source: string): LogConfig {
  const props: Record<string, string> = {};
  for (const m of xml.matchAll(/<Property\s+name="([^"]+)"\s*>([^<]*)<\/Property>/g)) props[m[1]!] = m[2]!.trim();
  const subst = (v: string) =>
    v.replace(/\$\{(sys:)?([^}:]+)(?::-([^}]*))?\}/g, (_m, sys: string | undefined, k: string, dflt: string | undefined) =>
      sys ? (sysProps[k] ?? dflt ?? '') : (props[k] ?? sysProps[k] ?? dflt ?? ''),
    );
  const out: LogConfig = { source };
  const rootTag = /<Root\b[^>]*>([\s\S]*?)<\/Root>/.exec(xml);
  if (rootTag) {
    out.level = attr(rootTag[0], 'level');
    const ref = /<AppenderRef\b[^>]*ref="([^"]+)"/.exec(rootTag[1]!)?.[1];
    const rolling = /<RollingFile\b([^>]*)>([\s\S]*?)<\/RollingFile>/.exec(xml);
    if (ref && rolling && attr(rolling[1]!, 'name') === ref) {
      out.target = 'file';
      const fileName = attr(rolling[1]!, 'fileName');
      if (fileName) out.file = subst(fileName);
      const size = /<SizeBasedTriggeringPolicy\b[^>]*size="([^"]+)"/.exec(rolling[2]!)?.[1];
      if (size) out.maxBytes = parseSize(size);
      const max = /<DefaultRolloverStrategy\b[^>]*max="(\d+)"/.exec(rolling[2]!)?.[1];
      if (max) out.maxIndex = Number(max);
      const cap = /<IfAccumulatedFileSize\b[^>]*exceeds="([^"]+)"/.exec(rolling[2]!)?.[1];
      if (cap) out.maxArchiveBytes = parseSize(cap);
    } else if (ref) out.target = 'console';
  }
  return out;
}

/** Flume ≤ 1.9's conf/log4j.properties: flume.root.logger, flume.log.dir, flume.log.file, LOGFILE's size and count. */
export function parseLog4jProperties(text: string, source: string): LogConfig {
  const p: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^#!\s][^=:\s]*)\s*[=:]\s*(.*)$/.exec(line);
    if (m) p[m[1]!] = m[2]!.trim();
  }
  const out: LogConfig = { source };
  const rootLogger = p['flume.root.logger'];
  if (rootLogger) {
    const [level, appender] = rootLogger.split(',').map((s) => s.trim());
    out.level = level;
    out.target = /^logfile$/i.test(appender ?? '') ? 'file' : 'console';
  }
  out.file = path.join(p['flume.log.dir'] ?? './logs', p['flume.log.file'] ?? 'flume.log');
  const size = p['log4j.appender.LOGFILE.MaxFileSize'];
  if (size) out.maxBytes = parseSize(size);
  const idx = p['log4j.appender.LOGFILE.MaxBackupIndex'];
  if (idx) out.maxIndex = Number(idx);
  return out;
}

/** The log configuration of the conf directory, if it has one (log4j2.xml first, as Flume 1.11 reads it). */
export function readLogConfig(confDir: string, sysProps: Readonly<Record<string, string>>): LogConfig | undefined {
  const xml = path.join(confDir, 'log4j2.xml');
  if (fs.existsSync(xml)) return parseLog4j2Xml(fs.readFileSync(xml, 'utf8'), sysProps, xml);
  const props = path.join(confDir, 'log4j.properties');
  if (fs.existsSync(props)) return parseLog4jProperties(fs.readFileSync(props, 'utf8'), props);
  return undefined;
}
